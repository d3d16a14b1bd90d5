/** Positions are 1-based (line, column) as editors show them; offsets are 0-based UTF-16 indices. */
export interface Position {
  offset: number;
  line: number;
  column: number;
}

/** A half-open source range [start, end) in one file. */
export interface Range {
  file: string;
  start: Position;
  end: Position;
}
