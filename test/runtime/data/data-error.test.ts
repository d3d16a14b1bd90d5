import assert from 'node:assert/strict';
import { UserError } from '../../../src/core/errors.js';
import { DataError, quoteFound } from '../../../src/runtime/data/data-error.js';

describe('DataError', () => {
  it('is a UserError whose message reads file:line: expected X, found Y', () => {
    const e = new DataError('', { file: '/d/u.data', line: 17, expected: '4 tab-separated fields', found: '3: "1\\t2\\t5"' });
    assert.ok(e instanceof UserError);
    assert.equal(e.exitCode, 1);
    assert.equal(e.message, '/d/u.data:17: expected 4 tab-separated fields, found 3: "1\\t2\\t5"');
    assert.equal(e.line, 17);
  });

  it('prefixes a message, with or without file and line, and keeps the hint', () => {
    assert.equal(new DataError('not a valid gzip file', { file: '/x.gz' }).message, '/x.gz: not a valid gzip file');
    assert.equal(new DataError('bad', { expected: 'a', found: 'b' }).message, 'bad: expected a, found b');
    assert.equal(new DataError('missing', { hint: 'pass --data-dir' }).options.hint, 'pass --data-dir');
  });

  it('quotes found text escaped and cut', () => {
    assert.equal(quoteFound('1\t2\t5'), '"1\\t2\\t5"');
    assert.equal(quoteFound('a'.repeat(100), 10), `"${'a'.repeat(10)}…"`);
  });
});
