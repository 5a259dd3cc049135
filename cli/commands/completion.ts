import type { Command } from 'commander';
import { completionScript, SHELLS } from '../completion';

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .argument('[shell]', `${SHELLS.join(', ')} (default: from $SHELL, else bash)`)
    .description('print the shell completion script for commands and their flags')
    .addHelpText(
      'after',
      `
Examples:
  storage completion bash > ~/.local/share/bash-completion/completions/storage
  echo '. <(storage completion zsh)' >> ~/.zshrc
  storage completion fish > ~/.config/fish/completions/storage.fish`,
    )
    .action((shell: string | undefined) => {
      const fromEnv = /(bash|zsh|fish)$/.exec(process.env.SHELL ?? '')?.[1];
      process.stdout.write(`${completionScript(shell ?? fromEnv ?? 'bash')}\n`);
    });
}
