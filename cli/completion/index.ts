import type { Command } from 'commander';
import omelette from 'omelette';
import { CliError, EXIT } from '../exit-codes';

/**
 * Shell completion through omelette: `storage completion <shell>` prints a script whose
 * function calls back `storage --compbash|--compzsh|--compfish --compgen …`; that call is
 * answered here from the commander tree itself, so new commands and flags complete
 * without anyone keeping a list.
 */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** True when the shell's completion function is calling us back. */
export const isCompletionCall = (argv: string[]): boolean => argv.includes('--compgen');

/** Answers a completion call (omelette prints the words and exits the process). */
export function answerCompletion(root: Command): void {
  omelette('storage')
    .on('complete', (_fragment, { line, reply }) => reply(candidates(root, line)))
    .init();
}

/** The script to source for `shell`. */
export function completionScript(shell: string): string {
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new CliError(EXIT.usage, `no completion for shell '${shell}' (use one of: ${SHELLS.join(', ')})`);
  }
  const generator = omelette('storage');
  return shell === 'fish' ? generator.generateCompletionCodeFish() : generator.generateCompletionCode();
}

/**
 * Words that may come next on `line`: the subcommands and flags of the deepest command the
 * finished words name. The word being typed is left for the shell to match against them.
 */
export function candidates(root: Command, line: string): string[] {
  const words = line.split(/\s+/).slice(1);
  if (!/\s$/.test(line)) words.pop(); // the unfinished word
  let command = root;
  for (const word of words) {
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) command = sub;
  }
  const subcommands = command.commands.map((c) => c.name());
  const flags = command.options.flatMap((o) => [o.long, o.short]).filter((f): f is string => !!f);
  return [...subcommands, ...flags, '--help'];
}
