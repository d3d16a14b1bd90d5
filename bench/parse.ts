// Parser throughput on a 1 MiB file of valid declarations (a benchmark, not a test):
//   node scripts/build.mjs && node dist/bench/parse.js
// Prints the cold parse (first call: parser construction and JIT included) and warm parses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSource } from '../src/compiler/parse.js';
import { SourceFile } from '../src/compiler/source.js';
const REPO_ROOT = join(import.meta.dirname, '..', '..');

const body = readFileSync(join(REPO_ROOT, 'grammar', 'examples', 'design.exp'), 'utf8').replace(/^experiment .*\n/, '');
let text = 'experiment big\n';
for (let i = 0; text.length < 1024 * 1024; i++) text += body.replace(/\b(ml100k|twobp|onebp|userbp)\b/g, `$1_${i}`);
const source = new SourceFile('big.exp', text);

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const run = () => {
  const t0 = performance.now();
  const c0 = cpuMs();
  const r = parseSource(source);
  return { wall: performance.now() - t0, cpu: cpuMs() - c0, r };
};

const cold = run();
if (cold.r.diagnostics.length > 0) throw new Error(`benchmark input has diagnostics: ${cold.r.diagnostics[0]!.message}`);
const warm = Array.from({ length: 10 }, run).sort((a, b) => a.wall - b.wall);
const f = (x: number) => `${x.toFixed(0)} ms`;
process.stdout.write(
  `${text.length} bytes, ${cold.r.program.declarations.length} declarations\n` +
    `cold: wall ${f(cold.wall)}, cpu ${f(cold.cpu)} (cpu counts every thread, GC helpers included)\n` +
    `warm (10 runs): wall min ${f(warm[0]!.wall)}, median ${f(warm[5]!.wall)}\n`,
);
