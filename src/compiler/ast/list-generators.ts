import { error, type Diagnostic } from '../diagnostics.js';
import type { Range } from '../source.js';
import { describeValue, type Argument, type CallValue, type ListValue, type NumberLiteral, type Program, type Property, type Value } from './nodes.js';

/** More points than this from one generator is almost always a typo (a step of 1e-5 instead of 1e-1). */
export const MAX_GENERATED_VALUES = 10000;

/** The list generators; their names are reserved (no component may be called so). */
export const LIST_GENERATORS = ['range', 'logspace'] as const;

/**
 * Desugars `range(a, b, step)` and `logspace(a, b, n)` into bracketed lists of numbers wherever a
 * value may stand (a sweep axis, `seeds:`, `cutoffs:`, inside a list, where they are spliced in:
 * `[0, range(1, 3, 1)]` is `[0, 1, 2, 3]`). Runs after parsing, so the rest of the compiler only
 * ever sees lists; each generated number carries the call's range, so an error about a value
 * points at the generator that made it.
 *
 *   range(a, b, step): a, a + step, ... up to and including b (a closed interval, as sweep grids
 *     are written; b is included when a whole number of steps reaches it). Computed on integers
 *     scaled by 10^d, d the most decimals among the three literals, so range(0.1, 0.5, 0.1) is
 *     exactly 0.1, 0.2, 0.3, 0.4, 0.5 (the doubles nearest those decimals), never 0.30000000000000004.
 *   logspace(a, b, n): n points 10^e, e evenly spaced from a to b inclusive (numpy.logspace);
 *     integer exponents give the exact literal 1e<e> (so logspace(-4, -1, 4) is 1e-4, 1e-3, 1e-2, 1e-1).
 */
export function expandListGenerators(program: Program, diagnostics: Diagnostic[]): void {
  for (const d of program.declarations) {
    if ('properties' in d) expandProperties(d.properties, diagnostics);
    if (d.kind === 'DatasetDecl' && d.source.kind === 'Call') expandArgs(d.source.args, diagnostics);
  }
}

function expandProperties(ps: Property[], diagnostics: Diagnostic[]): void {
  for (const p of ps) p.value = expandValue(p.value, diagnostics);
}

function expandArgs(args: Argument[], diagnostics: Diagnostic[]): void {
  for (const a of args) a.value = expandValue(a.value, diagnostics);
}

const failed = new WeakSet<Value>();

/** A range(...) or logspace(...) whose arguments were wrong (already reported). */
export function isFailedGenerator(v: Value): boolean {
  return failed.has(v);
}

function isGenerator(v: Value): boolean {
  return v.kind === 'Call' && (LIST_GENERATORS as readonly string[]).includes(v.callee.name);
}

function expandValue(v: Value, diagnostics: Diagnostic[]): Value {
  switch (v.kind) {
    case 'Call':
      if (isGenerator(v)) {
        const list = generate(v, diagnostics);
        if (list) return list;
        failed.add(v); // reported here: later phases stay quiet about it
        return v;
      }
      expandArgs(v.args, diagnostics);
      return v;
    case 'List': {
      const items: Value[] = [];
      for (const it of v.items) {
        const x = expandValue(it, diagnostics);
        // a generator inside a list adds its values to it
        if (isGenerator(it) && x.kind === 'List') items.push(...x.items);
        else items.push(x);
      }
      v.items = items;
      return v;
    }
    case 'Record':
      expandArgs(v.entries, diagnostics);
      return v;
    case 'Block':
      expandProperties(v.properties, diagnostics);
      return v;
    case 'PointRef':
      for (const a of v.assignments) a.value = expandValue(a.value, diagnostics);
      return v;
    default:
      return v;
  }
}

/** The list a generator call stands for, or undefined (with a diagnostic) when its arguments are wrong. */
function generate(call: CallValue, diagnostics: Diagnostic[]): ListValue | undefined {
  const name = call.callee.name as (typeof LIST_GENERATORS)[number];
  const names = name === 'range' ? ['start', 'stop', 'step'] : ['start', 'stop', 'num'];
  const usage = name === 'range' ? 'range(start, stop, step), e.g. range(0.1, 0.5, 0.1)' : 'logspace(start, stop, num), e.g. logspace(-4, -1, 4)';
  const fail = (message: string, at: Range, found: string): undefined => {
    diagnostics.push(error('invalid-generator', message, at, { expected: usage, found }));
    return undefined;
  };
  // positional, or named start/stop/step|num
  const args: (NumberLiteral | undefined)[] = [undefined, undefined, undefined];
  for (const [i, a] of call.args.entries()) {
    const slot = a.name ? names.indexOf(a.name.name) : i;
    if (slot < 0 || slot > 2) return fail(`${name} takes three numbers: ${names.join(', ')}`, a.range, a.name ? a.name.name : describeValue(a.value));
    if (a.value.kind !== 'Number') return fail(`${name}: ${names[slot]} must be a number`, a.value.range, describeValue(a.value));
    args[slot] = a.value;
  }
  const missing = args.findIndex((a) => a === undefined);
  if (missing >= 0) return fail(`${name} needs ${names[missing]}`, call.range, describeValue(call));
  const [start, stop, third] = args as NumberLiteral[];
  const values = name === 'range' ? rangeValues(start!, stop!, third!, fail) : logspaceValues(start!, stop!, third!, fail);
  if (!values) return undefined;
  const items: NumberLiteral[] = values.map((value) => ({ kind: 'Number', value, raw: String(value), isInteger: Number.isInteger(value), range: call.range }));
  return { kind: 'List', items, bracketed: true, range: call.range };
}

type Fail = (message: string, at: Range, found: string) => undefined;

/** Digits after the decimal point of a literal as written: 0.25 -> 2, 1e-3 -> 3, 2.5e-2 -> 3, 1e3 -> 0. */
export function decimalsOf(raw: string): number {
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(raw);
  if (!m) return 0;
  return Math.max(0, (m[2]?.length ?? 0) - Number(m[3] ?? 0));
}

export function rangeValues(start: NumberLiteral, stop: NumberLiteral, step: NumberLiteral, fail: Fail): number[] | undefined {
  const d = Math.max(decimalsOf(start.raw), decimalsOf(stop.raw), decimalsOf(step.raw));
  if (d > 15) return fail('range: literals with more than 15 decimals cannot be stepped exactly', step.range, step.raw);
  const scale = 10 ** d;
  const [a, b, s] = [start, stop, step].map((x) => Math.round(x.value * scale)) as [number, number, number];
  if (![a, b, s].every(Number.isSafeInteger)) return fail('range: the bounds are too large to step exactly', start.range, `${start.raw}, ${stop.raw}`);
  if (s === 0) return fail('range: step must not be 0', step.range, step.raw);
  if ((b - a) * Math.sign(s) < 0) return fail(`range: a step of ${step.raw} never goes from ${start.raw} to ${stop.raw}`, step.range, step.raw);
  const count = Math.floor((b - a) / s) + 1;
  if (count > MAX_GENERATED_VALUES) return fail(`range: ${count} values (at most ${MAX_GENERATED_VALUES})`, step.range, step.raw);
  // integer numerator / power of ten: the double nearest the decimal, as if it had been written
  return Array.from({ length: count }, (_, i) => (a + i * s) / scale);
}

export function logspaceValues(start: NumberLiteral, stop: NumberLiteral, num: NumberLiteral, fail: Fail): number[] | undefined {
  if (!Number.isInteger(num.value) || num.value < 1) return fail('logspace: num must be an integer >= 1', num.range, num.raw);
  if (num.value > MAX_GENERATED_VALUES) return fail(`logspace: ${num.raw} values (at most ${MAX_GENERATED_VALUES})`, num.range, num.raw);
  const n = num.value;
  const d = Math.max(decimalsOf(start.raw), decimalsOf(stop.raw));
  if (d > 15) return fail('logspace: exponents with more than 15 decimals', start.range, start.raw);
  const scale = 10 ** d;
  const a = Math.round(start.value * scale);
  const b = Math.round(stop.value * scale);
  if (Math.abs(start.value) > 300 || Math.abs(stop.value) > 300) return fail('logspace: exponents must lie in [-300, 300]', start.range, `${start.raw}, ${stop.raw}`);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    // exponent = (a (n-1) + i (b - a)) / ((n-1) scale), kept as a fraction until the end
    const num_ = n === 1 ? a : a * (n - 1) + i * (b - a);
    const den = n === 1 ? scale : (n - 1) * scale;
    out.push(num_ % den === 0 ? Number(`1e${num_ / den}`) : 10 ** (num_ / den));
  }
  return out;
}
