import { StorageError } from '../errors';
import { parseFileName } from '../placement/keys';
import { TEMPLATES, TEMPLATE_NAMES, type TemplateName } from '../transcode/templates';

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

/** Parses AUDIUS_GATED_VARIANTS; throws BAD_CONFIG naming an entry no template produces. */
export function parseReadPolicy(text: string): ReadPolicy {
  const words = text
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
  if (
    words.length === 0 ||
    (words.length === 1 && (OPEN_POLICY_WORDS as readonly string[]).includes(words[0]))
  )
    return { open: true, gated: new Set() };
  const gated = new Set<string>();
  for (const word of words) {
    const [template, variant] = word.split(':');
    const outputs = TEMPLATE_NAMES.includes(template as TemplateName)
      ? TEMPLATES[template as TemplateName].outputs
      : undefined;
    const variants = outputs?.map((o) => o.variant as string) ?? [];
    if (variant === '*' && outputs) variants.forEach((v) => gated.add(`${template}:${v}`));
    else if (variants.includes(variant)) gated.add(word);
    else
      throw new StorageError(
        'BAD_CONFIG',
        `AUDIUS_GATED_VARIANTS: ${JSON.stringify(word)} is not template:variant (e.g. audio:320, img_square:*) or "none"`,
      );
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
