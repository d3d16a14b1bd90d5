// Writes the kernels' memory layouts from their one declaration
// (src/runtime/kernels/kernel-layout.decl.mjs):
//   src/runtime/kernels/assembly/layout.generated.ts   (AssemblyScript: the kernels)
//   src/runtime/kernels/kernel-layout.generated.ts     (TypeScript: the glue)
//   node scripts/gen-kernel-layouts.mjs           writes them (only what changed)
//   node scripts/gen-kernel-layouts.mjs --check   exits 1 if a checked-in file is stale
// scripts/build.mjs runs it before compiling; test/runtime/kernels/kernel-layout.test.ts checks
// the checked-in files against the declaration.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DECL_FILE = 'src/runtime/kernels/kernel-layout.decl.mjs';
export const AS_FILE = 'src/runtime/kernels/assembly/layout.generated.ts';
export const TS_FILE = 'src/runtime/kernels/kernel-layout.generated.ts';

const TYPES = { i32: { size: 4, as: 'i32' }, u32: { size: 4, as: 'u32' }, ptr: { size: 4, as: 'usize' }, f64: { size: 8, as: 'f64' } };
/** Every context is padded to whole cache lines: contexts allocated back to back never share one. */
const LINE = 64;
const alignUp = (n, a) => Math.ceil(n / a) * a;

export async function loadDeclaration(root = ROOT) {
  // a query string defeats the module cache: a test may load an edited declaration
  return import(`${pathToFileURL(join(root, DECL_FILE)).href}?t=${Date.now()}`);
}

/**
 * Offsets of every field (natural alignment, or the struct's fieldAlign; `{ at }` moves to an
 * offset at or after the current one), sizes, and the flat list of values in declaration order
 * that the layout hash covers. Throws on a malformed declaration.
 */
export function computeLayout(decl) {
  const asNames = new Set();
  const tsNames = new Set();
  const claim = (set, name, what) => {
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`kernel layout: bad ${what} name ${JSON.stringify(name)}`);
    if (set.has(name)) throw new Error(`kernel layout: ${what} name ${name} declared twice`);
    set.add(name);
  };
  const words = [];
  const structs = decl.STRUCTS.map((s) => {
    claim(tsNames, s.ts, 'TypeScript');
    claim(asNames, s.asSize, 'AssemblyScript');
    if (s.tsSize) claim(tsNames, s.tsSize, 'TypeScript');
    const own = new Set(['size']);
    let offset = 0;
    const fields = [];
    const groups = [];
    for (const f of s.fields) {
      if (!Array.isArray(f)) {
        if (!Number.isInteger(f.at) || f.at < offset || f.at % 8 !== 0) throw new Error(`kernel layout: ${s.ts}: group at ${f.at} is before offset ${offset} or not 8-aligned`);
        offset = f.at;
        groups.push({ before: fields.length, doc: f.doc });
        continue;
      }
      const [ts, as, type, doc] = f;
      const t = TYPES[type];
      if (!t) throw new Error(`kernel layout: ${s.ts}.${ts}: unknown type ${type} (one of ${Object.keys(TYPES).join(', ')})`);
      claim(own, ts, `${s.ts} field`);
      claim(asNames, as, 'AssemblyScript');
      offset = alignUp(offset, s.fieldAlign ?? t.size);
      fields.push({ ts, as, type, doc, offset });
      words.push({ ts: `${s.ts}.${ts}`, as, value: offset });
      offset += t.size;
    }
    const size = alignUp(offset, LINE);
    words.push({ ts: `${s.ts}.size`, as: s.asSize, value: size });
    return { ...s, fields, groups, size };
  });
  const constants = decl.CONSTANTS.map(([ts, as, value, doc]) => {
    claim(tsNames, ts, 'TypeScript');
    claim(asNames, as, 'AssemblyScript');
    if (!Number.isInteger(value) || value < 0) throw new Error(`kernel layout: constant ${ts} = ${value} is not an integer >= 0`);
    words.push({ ts, as, value });
    return { ts, as, value, doc };
  });
  const codes = decl.CODES.map((c) => {
    claim(tsNames, c.ts, 'TypeScript');
    const values = Object.entries(c.values).map(([key, value]) => {
      const as = c.asPrefix + key.toUpperCase().replace(/-/g, '_');
      claim(asNames, as, 'AssemblyScript');
      if (!Number.isInteger(value) || value < 0) throw new Error(`kernel layout: code ${c.ts}.${key} = ${value} is not an integer >= 0`);
      words.push({ ts: `${c.ts}['${key}']`, as, value });
      return { key, as, value, doc: c.docs?.[key] };
    });
    return { ...c, values };
  });
  return { structs, constants, codes, words, hash: layoutHash(words.map((w) => w.value)) };
}

/**
 * FNV-1a over 32-bit words, the function that the generated layoutHash() (AssemblyScript) and
 * LAYOUT_HASH (TypeScript) compute from their own constants: two swapped values change it.
 */
export function layoutHash(values) {
  let h = 0x811c9dc5;
  for (const v of values) h = Math.imul(h ^ v, 0x01000193) >>> 0;
  return h >>> 0;
}

/** A doc comment at `indent`, wrapped at 100 columns. */
function docLines(doc, indent) {
  if (!doc) return [];
  const width = 100 - indent.length - 3;
  if (doc.length <= width - 4) return [`${indent}/** ${doc} */`];
  const lines = [`${indent}/**`];
  let line = '';
  for (const w of doc.split(' ')) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(`${indent} * ${line}`);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(`${indent} * ${line}`);
  lines.push(`${indent} */`);
  return lines;
}

const header = (other) => [
  '// Generated by scripts/gen-kernel-layouts.mjs. DO NOT EDIT: change the declaration,',
  `// ${DECL_FILE}, and build (scripts/build.mjs regenerates this file).`,
  `// Its mirror, ${other}, comes from the same declaration;`,
  "// the kernel's layoutHash() must equal LAYOUT_HASH (KernelPool checks it when it loads the module).",
];

export function generateAs(layout) {
  const out = [...header(TS_FILE), ''];
  for (const s of layout.structs) {
    out.push(`// ---- ${s.ts} ----`, ...docLines(s.doc, ''));
    s.fields.forEach((f, i) => {
      for (const g of s.groups) if (g.before === i && g.doc) out.push(`// ${g.doc}`);
      out.push(...docLines(f.doc, ''), `export const ${f.as}: u32 = ${f.offset};`);
    });
    out.push(`export const ${s.asSize}: u32 = ${s.size};`, '');
  }
  out.push('// ---- constants ----');
  for (const c of layout.constants) out.push(...docLines(c.doc, ''), `export const ${c.as}: i32 = ${c.value};`);
  for (const c of layout.codes) {
    out.push('', `// ---- ${c.ts} ----`);
    for (const v of c.values) out.push(...docLines(v.doc, ''), `export const ${v.as}: i32 = ${v.value};`);
  }
  out.push(
    '',
    '@inline',
    'function mix(h: u32, x: u32): u32 {',
    '  return (h ^ x) * 0x01000193;',
    '}',
    '',
    '/** FNV-1a over the constants above, in declaration order (computed from them, so an edited value changes it). */',
    'export function layoutHash(): u32 {',
    '  let h: u32 = 0x811c9dc5;',
    ...layout.words.map((w) => `  h = mix(h, <u32>${w.as});`),
    '  return h;',
    '}',
    '',
  );
  return out.join('\n');
}

export function generateTs(layout) {
  const out = [...header(AS_FILE), ''];
  for (const s of layout.structs) {
    out.push(...docLines(`${s.doc} Byte offsets (assembly/layout.generated.ts ${s.fields[0].as}...).`, ''), `export const ${s.ts} = {`);
    s.fields.forEach((f, i) => {
      for (const g of s.groups) if (g.before === i && g.doc) out.push(`  // ${g.doc}`);
      out.push(...docLines(f.doc, '  '), `  ${f.ts}: ${f.offset}, // ${f.type}`);
    });
    out.push(`  size: ${s.size},`, '} as const;', '');
    if (s.tsSize) out.push(`export const ${s.tsSize} = ${s.ts}.size;`, '');
  }
  for (const c of layout.constants) out.push(...docLines(`${c.doc} (assembly: ${c.as})`, ''), `export const ${c.ts} = ${c.value};`);
  for (const c of layout.codes) {
    out.push('', `export const ${c.ts} = {`);
    for (const v of c.values) out.push(...docLines(v.doc, '  '), `  ${/^[A-Za-z_]\w*$/.test(v.key) ? v.key : `'${v.key}'`}: ${v.value},`);
    out.push('} as const;');
  }
  out.push(
    '',
    '/** FNV-1a over 32-bit words (scripts/gen-kernel-layouts.mjs layoutHash). */',
    'export function layoutHashOf(values: readonly number[]): number {',
    '  let h = 0x811c9dc5;',
    '  for (const v of values) h = Math.imul(h ^ v, 0x01000193) >>> 0;',
    '  return h >>> 0;',
    '}',
    '',
    '/** The layout hash, computed from the values above in declaration order (the kernel exports its own as layoutHash()). */',
    'export const LAYOUT_HASH = layoutHashOf([',
    ...layout.words.map((w) => `  ${w.ts},`),
    ']);',
    '',
  );
  return out.join('\n');
}

/** The generated files' text: [path relative to the root, content]. */
export async function generatedFiles(root = ROOT) {
  const layout = computeLayout(await loadDeclaration(root));
  return [
    [AS_FILE, generateAs(layout)],
    [TS_FILE, generateTs(layout)],
  ];
}

/** Writes the files that differ (a file left alone keeps its mtime: no needless kernel rebuild); returns their paths. */
export async function writeGenerated(root = ROOT) {
  const written = [];
  for (const [rel, text] of await generatedFiles(root)) {
    const p = join(root, rel);
    if (existsSync(p) && readFileSync(p, 'utf8') === text) continue;
    writeFileSync(p, text);
    written.push(rel);
  }
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const stale = [];
    for (const [rel, text] of await generatedFiles()) {
      const p = join(ROOT, rel);
      if (!existsSync(p) || readFileSync(p, 'utf8') !== text) stale.push(rel);
    }
    if (stale.length > 0) {
      process.stderr.write(`stale (regenerate: node scripts/gen-kernel-layouts.mjs): ${stale.join(', ')}\n`);
      process.exit(1);
    }
  } else {
    for (const rel of await writeGenerated()) process.stdout.write(`wrote ${relative(process.cwd(), join(ROOT, rel))}\n`);
  }
}
