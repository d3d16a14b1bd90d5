import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { COMMANDS, commandHelp, runCli } from '../../src/cli/cli.js';
import { completionScript } from '../../src/cli/completion.js';

async function cli(...argv: string[]): Promise<string> {
  const lines: string[] = [];
  await runCli(argv, { out: (t) => lines.push(t), warn: (t) => lines.push(t) });
  return lines.join('\n');
}

describe('cli: help and shell completion', () => {
  it('--help of every command lists each of its options with its meaning, and defaults where there are any', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const help = await cli(name, '--help');
      assert.equal(help, commandHelp(name));
      for (const [flag, o] of Object.entries(COMMANDS[name]!.options)) {
        const line = help.split('\n').findIndex((l) => new RegExp(`^  (-\\w, |    )--${flag}\\b`).test(l));
        assert.ok(line >= 0, `${name} --help names --${flag}`);
        const text = help.split('\n').slice(line, line + 2).join(' ');
        assert.ok(text.includes(o.help.slice(0, 30)), `${name} --${flag} has its meaning`);
        if (o.default) assert.ok(text.includes(`default: ${o.default}`), `${name} --${flag} shows its default`);
      }
    }
    assert.match(await cli('help', 'run'), /-S, --set PATH=VALUE +override a setting/);
    assert.match(await cli('run', '--help'), /--threads N +worker threads .*\(default: the number of CPUs\)/);
  });

  it('bash: a script bash accepts, completing commands, flags of the command and flag values', function () {
    const script = completionScript('bash', COMMANDS);
    const bash = spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(expc run x.exp --eng); COMP_CWORD=3; _expc; echo "\${COMPREPLY[@]}"\nCOMP_WORDS=(expc run x.exp --engine f); COMP_CWORD=4; _expc; echo "\${COMPREPLY[@]}"\nCOMP_WORDS=(expc re); COMP_CWORD=1; _expc; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
    if (bash.error) this.skip();
    assert.equal(bash.status, 0, bash.stderr);
    assert.deepEqual(bash.stdout.trim().split('\n'), ['--engine', 'fused', 'review results recommend']);
  });

  it('zsh: one _arguments line per command, with every flag', async () => {
    const script = await cli('completion', 'zsh');
    assert.match(script, /^#compdef expc/);
    for (const [name, c] of Object.entries(COMMANDS)) {
      const line = script.split('\n').find((l) => l.trimStart().startsWith(`${name}) _arguments`));
      assert.ok(line, name);
      for (const flag of Object.keys(c.options)) assert.ok(line.includes(`--${flag}[`), `${name} --${flag}`);
    }
    const zsh = spawnSync('zsh', ['-n', '-c', script]);
    if (!zsh.error) assert.equal(zsh.status, 0, String(zsh.stderr));
  });
});
