import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cstTypesText } from '../../scripts/gen-cst-types.js';
import { REPO_ROOT } from './helpers.js';

describe('grammar/cst.generated.d.ts', () => {
  it('matches the grammar (regenerate: node dist/scripts/gen-cst-types.js)', () => {
    const committed = readFileSync(join(REPO_ROOT, 'grammar', 'cst.generated.d.ts'), 'utf8');
    assert.equal(committed, cstTypesText());
  });
});
