import { StorageError } from '../errors';
import { parseFileName } from '../placement/keys';
import { TEMPLATES, TEMPLATE_NAMES, isTemplateName } from '../transcode/templates';

/**
 * Which reads need a stream signature (issue 11): a set of `template:variant` entries
 * (`template:*` for all of a template), or none at all (open). The operator picks it with
 * AUDIUS_GATED_VARIANTS; the default gates the full-length audio and leaves previews and
 * artwork public, as the Audius network does.
 */
export interface ReadPolicy {
  /** Nothing is gated. */
  open: boolean;
  /** `template:variant` entries that are gated. */
  gated: ReadonlySet<string>;
}

export const OPEN_POLICY_WORDS = ['none', 'open'] as const;

/**
 * Parses AUDIUS_GATED_VARIANTS. Only the words `none` / `open` (alone) open the node; every
 * other entry must be exactly `template:variant` or `template:*` of a known template, and the
 * list must not be empty (`" "`, `","`): a typo is BAD_CONFIG, never a silently open node.
 */
export function parseReadPolicy(text: string): ReadPolicy {
  const bad = (why: string) =>
    new StorageError(
      'BAD_CONFIG',
      `AUDIUS_GATED_VARIANTS=${JSON.stringify(text)}: ${why}; expected template:variant entries (e.g. audio:320, img_square:*) or "none"`,
    );
  const trimmed = text.trim();
  if ((OPEN_POLICY_WORDS as readonly string[]).includes(trimmed)) return { open: true, gated: new Set() };
  const words = text.split(',').map((w) => w.trim());
  if (words.every((w) => w === '')) throw bad('the list is empty');
  const gated = new Set<string>();
  for (const word of words) {
    const match = /^([a-z_]+):([0-9a-z_]+|\*)$/.exec(word);
    const template = match?.[1] ?? '';
    if (!match || !isTemplateName(template)) throw bad(`${JSON.stringify(word)} is not template:variant`);
    const variants: string[] = TEMPLATES[template].outputs.map((o) => o.variant);
    if (match[2] === '*') variants.forEach((v) => gated.add(`${template}:${v}`));
    else if (variants.includes(match[2])) gated.add(word);
    else throw bad(`template ${template} makes no variant ${JSON.stringify(match[2])}`);
  }
  return { open: false, gated };
}

/** `template:variant` of a result file name, or null when no template makes such a file. */
export function variantKeyOf(fileName: string): string | null {
  const parsed = parseFileName(fileName);
  if (!parsed) return null;
  for (const template of TEMPLATE_NAMES) {
    const out = TEMPLATES[template].outputs.find(
      (o) => o.variant === parsed.variant && o.extension === parsed.ext,
    );
    if (out) return `${template}:${out.variant}`;
  }
  return null;
}

/**
 * Whether reading `name` needs a signature. Anything that is not a result of an ungated
 * variant is gated once anything is: an upload's source (a temp object named by its job id)
 * is the master the gated variants are made from.
 */
export function isGated(policy: ReadPolicy, name: string): boolean {
  if (policy.open) return false;
  const key = variantKeyOf(name);
  return key === null || policy.gated.has(key);
}

/** One line for the banner and /storage/health. */
export function describePolicy(policy: ReadPolicy): string {
  return policy.open ? 'open (no read needs a signature)' : `gated: ${[...policy.gated].join(', ')}`;
}
