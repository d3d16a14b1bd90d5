import assert from 'node:assert/strict';

/**
 * A small well-formedness check for the SVG vega writes: one root <svg> with the SVG namespace,
 * every tag closed in order, no stray '<' in text, attributes quoted.
 */
export function assertWellFormedSvg(svg: string): void {
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>/);
  assert.ok(svg.trimEnd().endsWith('</svg>'), 'ends with </svg>');
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  const stack: string[] = [];
  let last = 0;
  let roots = 0;
  for (let m = tag.exec(svg); m !== null; m = tag.exec(svg)) {
    assert.ok(!svg.slice(last, m.index).includes('<'), `malformed markup near offset ${last}: ${svg.slice(last, last + 60)}`);
    last = tag.lastIndex;
    const [, close, name, , selfClose] = m;
    if (close) assert.equal(stack.pop(), name, `closing </${name}> at ${m.index}`);
    else if (!selfClose) {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
  }
  assert.ok(!svg.slice(last).includes('<'), 'trailing markup');
  assert.deepEqual(stack, [], 'unclosed tags');
  assert.equal(roots, 1, 'one root element');
}

/** Marks drawn by vega mark groups whose class starts with `cls` (e.g. 'mark-symbol role-mark layer_0'): their <path> children. */
export function countMarks(svg: string, cls: string): number {
  let count = 0;
  for (let at = svg.indexOf(`<g class="${cls}`); at >= 0; at = svg.indexOf(`<g class="${cls}`, at + 1)) {
    const end = svg.indexOf('</g>', at);
    count += svg.slice(at, end).split('<path').length - 1;
  }
  return count;
}

/** Mark groups whose class starts with `cls` (a line mark draws one group per series). */
export function countGroups(svg: string, cls: string): number {
  return svg.split(`<g class="${cls}`).length - 1;
}

/** The text of every <text> element (entities decoded for the few vega writes). */
export function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
  );
}
