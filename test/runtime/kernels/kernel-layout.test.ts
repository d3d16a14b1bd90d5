import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import * as layoutModule from '../../../src/runtime/kernels/kernel-layout.js';
import { assertKernelLayout, instantiateKernels, loadKernelModule } from '../../../src/runtime/kernels/kernel-module.js';

/** The repository root, from dist/test/runtime/kernels/. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

interface Field { ts: string; as: string; type: string; offset: number }
interface Layout {
  structs: { ts: string; asSize: string; tsSize?: string; fields: Field[]; size: number }[];
  constants: { ts: string; as: string; value: number }[];
  codes: { ts: string; values: { key: string; as: string; value: number }[] }[];
  words: { ts: string; as: string; value: number }[];
  hash: number;
}
interface Generator {
  AS_FILE: string;
  TS_FILE: string;
  loadDeclaration(root: string): Promise<unknown>;
  computeLayout(decl: unknown): Layout;
  generatedFiles(root: string): Promise<[string, string][]>;
}

const gen = (await import(pathToFileURL(join(ROOT, 'scripts', 'gen-kernel-layouts.mjs')).href)) as Generator;
const layout = gen.computeLayout(await gen.loadDeclaration(ROOT));

type Module = Record<string, unknown>;

/** Every difference between a TypeScript layout module and the declaration (also extra or missing names). */
function tsMismatches(mod: Module): string[] {
  const out: string[] = [];
  const expect = (name: string, got: unknown, want: unknown) => {
    if (got !== want) out.push(`${name}: ${String(got)} (module) vs ${String(want)} (declaration)`);
  };
  for (const s of layout.structs) {
    const obj = (mod[s.ts] ?? {}) as Record<string, unknown>;
    expect(`${s.ts} fields`, Object.keys(obj).join(','), [...s.fields.map((f) => f.ts), 'size'].join(','));
    for (const f of s.fields) expect(`${s.ts}.${f.ts}`, obj[f.ts], f.offset);
    expect(`${s.ts}.size`, obj['size'], s.size);
    if (s.tsSize) expect(s.tsSize, mod[s.tsSize], s.size);
  }
  for (const c of layout.constants) expect(c.ts, mod[c.ts], c.value);
  for (const c of layout.codes) {
    const obj = (mod[c.ts] ?? {}) as Record<string, unknown>;
    expect(`${c.ts} keys`, Object.keys(obj).join(','), c.values.map((v) => v.key).join(','));
    for (const v of c.values) expect(`${c.ts}.${v.key}`, obj[v.key], v.value);
  }
  expect('LAYOUT_HASH', mod['LAYOUT_HASH'], layout.hash);
  return out;
}

/** Every difference between the constants of an AssemblyScript layout file and the declaration. */
function asMismatches(text: string): string[] {
  const got = new Map<string, number>();
  for (const m of text.matchAll(/^export const (\w+): (?:u32|i32) = (\d+);$/gm)) got.set(m[1]!, Number(m[2]));
  const want = new Map(layout.words.map((w) => [w.as, w.value]));
  const out: string[] = [];
  for (const [name, v] of want) if (got.get(name) !== v) out.push(`${name}: ${got.get(name)} (file) vs ${v} (declaration)`);
  for (const name of got.keys()) if (!want.has(name)) out.push(`${name}: not in the declaration`);
  return out;
}

/** `text` with the values of two `NAME: type = value` / `name: value` declarations exchanged. */
function swapValues(text: string, a: RegExp, b: RegExp): string {
  const ma = a.exec(text);
  const mb = b.exec(text);
  assert.ok(ma && mb, 'both declarations are in the file');
  return text.replace(a, ma[0].replace(/\d+(?=\D*$)/, /\d+(?=\D*$)/.exec(mb[0])![0])).replace(b, mb[0].replace(/\d+(?=\D*$)/, /\d+(?=\D*$)/.exec(ma[0])![0]));
}

async function importTs(text: string): Promise<Module> {
  const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  return (await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`)) as Module;
}

async function builtKernels() {
  const { module } = await loadKernelModule();
  return instantiateKernels(module, new WebAssembly.Memory({ initial: 17, maximum: 64, shared: true }));
}

describe('kernel layouts (src/runtime/kernels/kernel-layout.decl.mjs)', () => {
  it('the checked-in generated files are what the declaration generates (regenerate: node scripts/gen-kernel-layouts.mjs)', async () => {
    for (const [rel, text] of await gen.generatedFiles(ROOT)) assert.equal(readFileSync(join(ROOT, rel), 'utf8'), text, `${rel} is stale`);
  });

  it('offsets follow the declaration: natural alignment, groups where declared, one cache line per sync counter, sizes in whole lines', () => {
    const train = layout.structs.find((s) => s.ts === 'TrainCtx')!;
    for (const s of layout.structs) {
      let end = 0;
      for (const f of s.fields) {
        assert.ok(f.offset >= end, `${s.ts}.${f.ts} overlaps the field before it`);
        assert.equal(f.offset % (f.type === 'f64' ? 8 : 4), 0, `${s.ts}.${f.ts} is misaligned`);
        end = f.offset + (f.type === 'f64' ? 8 : 4);
      }
      assert.ok(s.size >= end && s.size % 64 === 0, `${s.ts} size ${s.size}`);
    }
    assert.deepEqual([train.fields[0]!.offset, train.fields.find((f) => f.ts === 'user')!.offset, train.fields.find((f) => f.ts === 'temperature')!.offset, train.size], [0, 96, 256, 384]);
    assert.deepEqual(layout.structs.find((s) => s.ts === 'SyncBlock')!.fields.map((f) => f.offset), [0, 64, 128, 192]);
  });

  it('every offset, size, constant and code of the TypeScript layout (kernel-layout.ts) is the declaration\'s', () => {
    assert.deepEqual(tsMismatches(layoutModule as unknown as Module), []);
  });

  it('every constant of assembly/layout.generated.ts is the declaration\'s', () => {
    assert.deepEqual(asMismatches(readFileSync(join(ROOT, gen.AS_FILE), 'utf8')), []);
  });

  it('the built kernel has the same layout: layoutHash() = LAYOUT_HASH = the declaration\'s hash, and the sizes agree', async () => {
    const k = await builtKernels();
    assert.equal(k.layoutHash() >>> 0, layoutModule.LAYOUT_HASH);
    assert.equal(layoutModule.LAYOUT_HASH, layout.hash);
    assert.deepEqual([k.trainCtxSize(), k.rankCtxSize(), k.propagateCtxSize(), k.syncSize()], [layoutModule.TrainCtx.size, layoutModule.RankCtx.size, layoutModule.PropagateCtx.size, layoutModule.SYNC_SIZE]);
    assert.doesNotThrow(() => assertKernelLayout(k));
    assert.throws(() => assertKernelLayout({ layoutHash: () => layout.hash ^ 1 }), /kernel build does not match .* \(rebuild: npm run build\)/);
    assert.throws(() => assertKernelLayout({} as never), /layout hash missing/);
  });

  it('two swapped offsets in the generated TypeScript cannot pass: the field check and the kernel\'s hash both refuse them', async () => {
    const text = readFileSync(join(ROOT, gen.TS_FILE), 'utf8');
    const swapped = swapValues(text, /^ {2}user: \d+, \/\/ ptr$/m, /^ {2}item: \d+, \/\/ ptr$/m);
    assert.notEqual(swapped, text);
    const original = await importTs(text);
    assert.deepEqual(tsMismatches(original), []); // the harness itself accepts the real file
    const mod = await importTs(swapped);
    assert.deepEqual(
      tsMismatches(mod).filter((m) => !m.startsWith('LAYOUT_HASH')),
      ['TrainCtx.user: 100 (module) vs 96 (declaration)', 'TrainCtx.item: 96 (module) vs 100 (declaration)'],
    );
    assert.notEqual(mod['LAYOUT_HASH'], layout.hash);
    // a pool built from that glue would refuse the (correct) kernel
    const k = await builtKernels();
    assert.throws(() => assertKernelLayout(k, mod['LAYOUT_HASH'] as number), /kernel build does not match/);
  });

  it('two swapped offsets in the generated AssemblyScript cannot pass: the constant check refuses them, and a kernel compiled from them has another layoutHash()', function () {
    this.timeout(120_000); // one small asc compile
    const text = readFileSync(join(ROOT, gen.AS_FILE), 'utf8');
    const swapped = swapValues(text, /^export const T_NUM_USERS: u32 = \d+;$/m, /^export const T_NUM_ITEMS: u32 = \d+;$/m);
    assert.deepEqual(asMismatches(swapped), ['T_NUM_USERS: 4 (file) vs 0 (declaration)', 'T_NUM_ITEMS: 0 (file) vs 4 (declaration)']);
    const dir = mkdtempSync(join(tmpdir(), 'expc-layout-'));
    try {
      writeFileSync(join(dir, 'original.ts'), text);
      writeFileSync(join(dir, 'swapped.ts'), swapped);
      writeFileSync(
        join(dir, 'entry.ts'),
        "import { layoutHash as a } from './original';\nimport { layoutHash as b } from './swapped';\n" +
          'export function original(): u32 { return a(); }\nexport function swapped(): u32 { return b(); }\n',
      );
      const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'assemblyscript', 'bin', 'asc.js'), join(dir, 'entry.ts'), '--outFile', join(dir, 'out.wasm'), '-O1', '--runtime', 'stub'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(dir, 'out.wasm'))), {});
      const e = inst.exports as { original(): number; swapped(): number };
      assert.equal(e.original() >>> 0, layoutModule.LAYOUT_HASH);
      assert.notEqual(e.swapped() >>> 0, layoutModule.LAYOUT_HASH);
      assert.throws(() => assertKernelLayout({ layoutHash: e.swapped }), /kernel build does not match/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
