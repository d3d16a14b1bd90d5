import assert from 'node:assert/strict';
import { editDistance, suggest } from '../../src/compiler/suggest.js';

describe('suggest (did you mean)', () => {
  describe('editDistance (optimal string alignment)', () => {
    it('counts insertions, deletions and substitutions', () => {
      assert.equal(editDistance('kitten', 'sitting'), 3);
      assert.equal(editDistance('', 'abc'), 3);
      assert.equal(editDistance('abc', ''), 3);
      assert.equal(editDistance('same', 'same'), 0);
    });
    it('counts a transposition of neighbours as one edit', () => {
      assert.equal(editDistance('datset', 'dataset'), 1);
      assert.equal(editDistance('rnu', 'run'), 1);
      assert.equal(editDistance('ab', 'ba'), 1);
    });
    it('is symmetric', () => {
      assert.equal(editDistance('evalute', 'evaluate'), editDistance('evaluate', 'evalute'));
    });
  });

  describe('suggest', () => {
    const keywords = ['experiment', 'import', 'dataset', 'defaults', 'run', 'sweep', 'evaluate', 'review'];
    it('finds the keyword one or two edits away', () => {
      assert.equal(suggest('datset', keywords), 'dataset');
      assert.equal(suggest('evalute', keywords), 'evaluate');
      assert.equal(suggest('reveiw', keywords), 'review');
      assert.equal(suggest('defualts', keywords), 'defaults');
    });
    it('ignores case', () => {
      assert.equal(suggest('Dataset', keywords), 'dataset');
    });
    it('suggests nothing for a word far from every candidate', () => {
      assert.equal(suggest('banana', keywords), undefined);
    });
    it('does not suggest the word itself', () => {
      assert.equal(suggest('run', keywords), undefined);
    });
    it('allows fewer edits for short words (`lr` is not a typo of `k`)', () => {
      assert.equal(suggest('lr', ['k']), undefined);
      assert.equal(suggest('rn', ['run']), 'run');
    });
    it('prefers the closest candidate, then the earlier one', () => {
      assert.equal(suggest('onbp', ['twobp', 'onebp']), 'onebp');
      assert.equal(suggest('abcx', ['abcy', 'abcz']), 'abcy');
    });
  });
});
