import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LONG = `experiment long
dataset syn = synthetic(users: 40, items: 30, per_user: 8, seed: 1) { split: holdout(test: 0.2, valid: 0.1) }
defaults { encoder: mf(dim: 4) training: (epochs: 1000000, batch: 32, eval_every: 1000, early_stop: none) }
run a { backprop: both }
`;

describe('cli: Ctrl-C', function () {
  this.timeout(120000);
  it('says what is kept and how to resume, and ends as an interrupted process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'expc-int-'));
    try {
      writeFileSync(join(dir, 'long.exp'), LONG);
      const child = spawn(process.execPath, [join(process.cwd(), 'bin/expc.js'), 'run', 'long.exp', '--plain', '--threads', '1', '--cache-dir', 'cache'], { cwd: dir, env: { ...process.env, EXPC_DATA_DIR: '' } });
      let out = '';
      let err = '';
      let interrupting = false;
      let exited = false;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // Interrupt once the training is under way (once; repeated every 10 s if the first is not acted on).
        if (out.includes('> train a on syn') && !interrupting) {
          interrupting = true;
          const again = (): void => {
            if (exited) return;
            child.kill('SIGINT');
            setTimeout(again, 10000).unref();
          };
          setTimeout(again, 300);
        }
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      // A child that never ends is killed, so that the failure shows what it printed.
      const guard = setTimeout(() => child.kill('SIGKILL'), 90000);
      const [code, signal] = await new Promise<[number | null, string | null]>((res) => child.on('exit', (c, s) => res([c, s])));
      exited = true;
      clearTimeout(guard);
      assert.notEqual(signal, 'SIGKILL', `the run did not end on SIGINT; stdout: ${out.slice(-2000)}; stderr: ${err.slice(-2000)}`);
      assert.ok(signal === 'SIGINT' || code === 130, `ended by the interrupt (code ${code}, signal ${signal})`);
      assert.match(err + (err.includes('interrupted:') ? '' : `\n[stdout] ${out.slice(-1500)}`), /interrupted: 2 of 4 steps are finished and cached; 1 training\(s\) in progress resume from their last checkpoint \(written every 30 s\) where there is one\. Run `expc run long\.exp` again \(with the same options\) to continue\./);
      assert.doesNotMatch(err, /internal error|\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
