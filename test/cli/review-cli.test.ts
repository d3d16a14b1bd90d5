import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.js';
import { UsageError, UserError } from '../../src/core/errors.js';

const SMALL = `experiment small
dataset syn = synthetic(users: 60, items: 40, types: 3, per_user: 10, seed: 2) { split: holdout(test: 0.2, valid: 0.1, seed: 1) }
defaults { encoder: mf(dim: 8); optimizer: adam(lr: 0.01); training: (batch: 32, epochs: 2, eval_every: 1, seed: 1) }
run a { backprop: both }
run b { backprop: onebp(beta: 0.9) }
evaluate { metrics: recall, ndcg @ 5, 10 }
review { baseline: a; plots: curves, popularity_groups(3, k: 10), item_clusters(2, pca) }
`;

describe('cli: review and runs', function () {
  this.timeout(60_000);
  let root: string;
  const cli = async (...argv: string[]) => {
    const lines: string[] = [];
    await runCli(argv, { out: (t) => lines.push(t), warn: () => {} });
    return lines.join('\n');
  };
  before(() => (root = mkdtempSync(join(tmpdir(), 'expc-review-cli-'))));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('review and runs are in the command table with their usage', async () => {
    const help = await cli('help');
    assert.match(help, /^ {2}review +write a versioned review/m);
    assert.match(help, /^ {2}runs +list recorded runs/m);
    assert.match(await cli('help', 'review'), /expc review diff FILE vA \[vB\]/);
    assert.match(await cli('runs', '--help'), /--param PATH=VALUE/);
  });

  it('bad command lines are usage errors (exit code 2)', async () => {
    const usage = async (argv: string[], message: RegExp) =>
      assert.rejects(runCli(argv, { out: () => {}, warn: () => {} }), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && message.test(e.message));
    await usage(['review'], /expected 1 to 4 argument\(s\), got 0/);
    await usage(['review', 'a.exp', 'b.exp'], /expected FILE, or diff FILE vA \[vB\], or diff A\.json B\.json/);
    await usage(['review', 'diff'], /needs an experiment file and one or two versions/);
    await usage(['review', 'diff', 'a.json'], /takes exactly two v<N>\.json paths/);
    await usage(['runs', '--param', 'negatives'], /--param takes PATH=VALUE \(e\.g\. sampler\.negatives=10\), got 'negatives'/);
    await usage(['runs', 'extra'], /expected 0 argument\(s\), got 1/);
  });

  it('runs with an empty cache says where it looked', async () => {
    assert.match(await cli('runs', '--cache-dir', join(root, 'empty')), /^no recorded runs in .*empty \(`expc run FILE` records one\)$/);
  });

  it('review --run runs what is missing first, then writes v1; review diff of one version against the latest reads the files', async () => {
    const file = join(root, 'small.exp');
    writeFileSync(file, SMALL);
    const cache = join(root, 'cache');
    const reviews = join(root, 'reviews');
    await assert.rejects(cli('review', file, '--cache-dir', cache, '--reviews-dir', reviews), (e: unknown) => e instanceof UserError && e.exitCode === 1 && /steps of small are not computed yet/.test(e.message));
    const text = await cli('review', file, '--run', '--quiet', '--backend', 'cpu', '--cache-dir', cache, '--reviews-dir', reviews);
    assert.match(text, /step\(s\) ran, 0 cached, 0 failed/);
    assert.match(text, /wrote .*small\/v1\.md \(with 5 SVG plots beside it\), \.html and \.json/);
    for (const ext of ['md', 'html', 'json']) assert.ok(existsSync(join(reviews, 'small', `v1.${ext}`)));
    assert.match(await cli('review', file, '--cache-dir', cache, '--reviews-dir', reviews), /small\/v1 is current/);
    const diff = await cli('review', 'diff', file, 'v1', '--reviews-dir', reviews);
    assert.equal(diff, 'review diff small v1 -> v1\n\nconfiguration: no changes\n\nmetrics: no reported metric changed (2 trial(s) compared)');
    const listed = await cli('runs', '--cache-dir', cache, '--experiment', 'small', '--run', 'b', '--param', 'backprop=onebp');
    assert.match(listed, /matching trials/);
    assert.match(listed, /small +ok +6\/0\/0 +[\d.]+ +cpu\/fused +b on syn$/m);
  });
});
