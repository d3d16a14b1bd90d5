// Builds everything `expc` runs from: the WebAssembly kernels (AssemblyScript, no system
// toolchain needed) and the TypeScript sources. Run by `npm ci` (prepare), `npm test`, `npm run bench`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`build: ${relative(root, cmd)} ${args.join(' ')} failed\n`);
    process.exit(r.status ?? 1);
  }
}

const newest = (dir) => {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
};

// 0. The kernels' memory layouts, from their one declaration (written only when they change).
const { writeGenerated } = await import('./gen-kernel-layouts.mjs');
for (const f of await writeGenerated(root)) process.stdout.write(`build: regenerated ${f}\n`);

// 1. WebAssembly kernels: every src/runtime/kernels/assembly/<name>.entry.ts becomes dist/kernels/<name>.wasm.
const asmDir = join(root, 'src/runtime/kernels/assembly');
const outDir = join(root, 'dist/kernels');
if (existsSync(asmDir)) {
  mkdirSync(outDir, { recursive: true });
  const srcTime = newest(asmDir);
  for (const f of readdirSync(asmDir).filter((f) => f.endsWith('.entry.ts'))) {
    const name = f.replace(/\.entry\.ts$/, '');
    const out = join(outDir, `${name}.wasm`);
    if (existsSync(out) && statSync(out).mtimeMs > srcTime) continue;
    run(bin('asc'), [
      join(asmDir, f), '--outFile', out,
      '-O3', '--noAssert', '--runtime', 'stub',
      '--enable', 'simd', '--enable', 'threads',
      '--importMemory', '--sharedMemory', '--initialMemory', '16', '--maximumMemory', '65536',
    ]);
  }
}

// 2. TypeScript.
run(bin('tsc'), ['-p', 'tsconfig.json']);
