import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CounterRng } from '../../src/core/rng.js';
import { parse, REPO_ROOT, where } from '../grammar/helpers.js';

/** Every Identifier and range in an AST, found by walking plain objects. */
function walk(v: unknown, visit: (o: Record<string, unknown>) => void): void {
  if (Array.isArray(v)) v.forEach((x) => walk(x, visit));
  else if (v && typeof v === 'object') {
    visit(v as Record<string, unknown>);
    for (const x of Object.values(v)) walk(x, visit);
  }
}

/** Invariants of any parse, however broken the input: nothing thrown, ranges inside the file, names real. */
function checkInvariants(text: string): void {
  const r = parse(text);
  for (const d of r.diagnostics) {
    assert.ok(d.range, `diagnostic without a range: ${d.message}`);
    assert.ok(d.range.start.offset <= d.range.end.offset && d.range.end.offset <= text.length, where(d));
    assert.ok(d.expected !== undefined && d.found !== undefined, `expected/found missing: ${where(d)}`);
    assert.ok(!/NOT_APPLICABLE|-->|<--/.test(d.message), `Chevrotain wording leaked: ${where(d)}`);
  }
  walk(r.program, (o) => {
    if (o['kind'] === 'Identifier') assert.match(String(o['name']), /^[A-Za-z_][A-Za-z0-9_]*$/);
    const range = o['range'] as { start: { offset: number }; end: { offset: number } } | undefined;
    if (range && typeof range === 'object' && 'start' in range) assert.ok(range.start.offset <= range.end.offset && range.end.offset <= text.length);
  });
}

describe('parseSource: robustness', () => {
  const design = readFileSync(join(REPO_ROOT, 'grammar', 'examples', 'design.exp'), 'utf8');

  it('survives every truncation of the design example', () => {
    for (let n = 0; n <= design.length; n += 7) checkInvariants(design.slice(0, n));
  });

  it('survives deleting any one token-sized piece of the design example', () => {
    const pieces = design.split(/(\s+)/);
    for (let i = 0; i < pieces.length; i += 2) checkInvariants([...pieces.slice(0, i), ...pieces.slice(i + 1)].join(''));
  });

  it('survives 400 random token soups (seeded)', () => {
    const alphabet = ['run', 'dataset', 'sweep', 'of', 'extends', 'evaluate', 'review', 'x', 'y', '{', '}', '[', ']', '(', ')', ':', ',', ';', '.', '=', '@', '1', '-2.5e3', '"s"', '"open', "'q'", 'true', 'none', 'on', '# c\n', '/*', '*/', '$', '\n'];
    const rng = new CounterRng(20240601, 99);
    for (let f = 0; f < 400; f++) {
      const n = 1 + rng.int(40);
      const parts: string[] = [];
      for (let i = 0; i < n; i++) parts.push(alphabet[rng.int(alphabet.length)]!);
      checkInvariants(parts.join(' '));
    }
  });

  it('reports at most one syntax error per top-level declaration', () => {
    const r = parse('run a { x = 1 y = 2 } run b { z: [ } run c { w: ( }');
    assert.equal(r.diagnostics.filter((d) => d.code === 'parsing-error').length, 3);
  });
});
