export type { Position, Range } from '../contract/source-range.js';
import type { Position, Range } from '../contract/source-range.js';

/** The text of one `.exp` file with a line index, so ranges can be rendered with their source line. */
export class SourceFile {
  private readonly lineStarts: number[];
  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { offset: o, line: lo + 1, column: o - this.lineStarts[lo]! + 1 };
  }

  range(startOffset: number, endOffset: number): Range {
    return { file: this.path, start: this.positionAt(startOffset), end: this.positionAt(endOffset) };
  }

  /** The range of the whole file's end (for "unexpected end of file"). */
  endRange(): Range {
    return this.range(this.text.length, this.text.length);
  }
}


export function formatLocation(r: Range): string {
  return `${r.file}:${r.start.line}:${r.start.column}`;
}
