import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { compile } from '../../../src/compiler/index.js';
import { NodeCompilerHost } from '../../../src/compiler/host.js';
import { computeKeys } from '../../../src/contract/content-key.js';
import { REPO_ROOT } from '../../grammar/helpers.js';

/**
 * The content keys of the repository's experiments, as computed by main before the new metrics
 * and language features (commit 4ce96c4; the same with main at bda42b2): adding those must not
 * make any existing cache entry unreachable. Data files are left out (no data needed); a
 * deliberate change to a component's numbers bumps its version and updates these digests.
 */
const PINNED: Record<string, { steps: number; digest: string }> = {
  quickstart: { steps: 12, digest: '17a95fafbd4fa0f589595f80d73cf46555a73cd4019a4471b15b2d4c029e8ca8' },
  onebp_vs_twobp: { steps: 52, digest: '65eb6e481e9eca39a569a4a40ff1e1af61420cfce6ebd0406e2dc613a8a62253' },
  lightgcn_vs_mf: { steps: 15, digest: '9abb96fe316ce7e3d9f6d061f988a381b230fd649e4de9afdd1482c05b77d923' },
};

describe('content keys of existing experiments', () => {
  for (const [name, pinned] of Object.entries(PINNED)) {
    it(`experiments/${name}.exp keeps every step's key`, () => {
      const r = compile(join(REPO_ROOT, 'experiments', `${name}.exp`), new NodeCompilerHost());
      assert.ok(r.graph, r.diagnostics.map((d) => d.message).join('\n'));
      const keys = computeKeys(r.graph, new Map(r.graph.nodes.filter((n) => n.kind === 'load_dataset').map((n) => [n.id, []])));
      const all = [...keys].map(([id, k]) => `${id} ${k.key}`).sort().join('\n');
      assert.equal(r.graph.nodes.length, pinned.steps);
      assert.equal(createHash('sha256').update(all).digest('hex'), pinned.digest);
    });
  }
});
