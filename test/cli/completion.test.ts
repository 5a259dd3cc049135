import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI, runCli } from './run-cli';

/**
 * `storage completion bash` sourced into a real bash, its completion function called the way
 * bash calls it on <Tab>. The script uses bash-completion's `_get_comp_words_by_ref` and
 * `__ltrim_colon_completions`; where that package is not installed, two stand-ins with the
 * same effect on a line without colons are defined instead.
 */
const BASH_COMPLETION = '/usr/share/bash-completion/bash_completion';
const STAND_INS = `
_get_comp_words_by_ref() { cur="\${COMP_WORDS[COMP_CWORD]}"; prev="\${COMP_WORDS[COMP_CWORD-1]}"; }
__ltrim_colon_completions() { :; }`;

async function completeInBash(line: string): Promise<string[]> {
  const words = line.split(' ');
  const script = `
if [ -f ${BASH_COMPLETION} ]; then . ${BASH_COMPLETION}; else ${STAND_INS}
fi
storage() { "${process.execPath}" "${CLI}" "$@"; }
source <(storage completion bash)
complete -p storage
COMP_LINE='${line}'; COMP_POINT=${line.length}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_storage_completion
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await promisify(execFile)('bash', ['-c', script]);
  const [registration, ...replies] = stdout.trim().split('\n');
  expect(registration).toBe('complete -F _storage_completion storage');
  return replies;
}

describe('storage completion', () => {
  test('bash: every command at the first word; `storage up` completes to upload', async () => {
    const all = await completeInBash('storage ');
    expect(all).toEqual(
      expect.arrayContaining(['upload', 'jobs', 'health', 'doctor', 'repair', 'completion']),
    );
    expect(await completeInBash('storage up')).toEqual(['upload']);
  });

  test("bash: a command's own flags, from the commander tree", async () => {
    expect((await completeInBash('storage upload --t')).sort()).toEqual(['--template']);
    expect(await completeInBash('storage repair ')).toEqual(expect.arrayContaining(['status', '--help']));
  });

  test('zsh and fish scripts call back the same way; an unknown shell is bad input', async () => {
    expect((await runCli(['completion', 'zsh'])).stdout).toContain('storage --compzsh --compgen');
    expect((await runCli(['completion', 'fish'])).stdout).toContain('storage --compfish --compgen');
    const tcsh = await runCli(['completion', 'tcsh']);
    expect(tcsh.code).toBe(2);
    expect(tcsh.stderr.trim()).toBe("storage: no completion for shell 'tcsh' (use one of: bash, zsh, fish)");
  });
});
