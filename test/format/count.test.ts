// Counts read as English: "1 entry", "2 entries", "0 problems" (no "1 entries", no "problem(s)").
import assert from 'node:assert/strict';
import { countOf } from '../../lib/format/count';

describe('countOf', () => {
  it('uses the singular for exactly one and the plural otherwise, irregular plurals included', () => {
    assert.equal(countOf(1, 'entry'), '1 entry');
    assert.equal(countOf(0, 'entry'), '0 entries');
    assert.equal(countOf(2, 'old entry'), '2 old entries');
    assert.equal(countOf(1, 'old entry'), '1 old entry');
    assert.equal(countOf(3, 'miss'), '3 misses');
    assert.equal(countOf(1, 'hit'), '1 hit');
    assert.equal(countOf(0, 'problem'), '0 problems');
    assert.equal(countOf(2, 'child', 'children'), '2 children');
  });
});
