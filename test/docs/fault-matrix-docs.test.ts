// The fault matrix's section of docs/reliability.md is regenerated from its JSON by
// `node dist/bench/fault-matrix.js --docs`: only the marked region changes, and twice is once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DOCS_END, withDocsSection, type MatrixRun } from '../../bench/fault-matrix-report';
import { ROOT } from '../helpers/paths';

const run: MatrixRun = {
  date: '2026-12-07T00:00:00.000Z',
  machine: { cpu: 'test cpu', cpus: 2 },
  node: 'v20',
  settings: { 'operation limit': '10 s' },
  totalMs: 1000,
  cases: [
    {
      part: 'redis-results',
      fault: 'frozen',
      status: 'measured',
      how: 'redis-server SIGSTOPped',
      healthy: [{ op: 'miss 1', outcome: 'miss', ms: 4 }],
      faulted: [{ op: 'miss 1', outcome: 'miss', ms: 500 }],
      lost: 'nothing',
      notes: [],
    },
    { part: 'cache-volume', fault: 'killed', status: 'n/a', reason: 'no process', healthy: [], faulted: [], notes: [] },
  ],
};

describe('the fault matrix in docs/reliability.md', () => {
  it('has one generated region, and regenerating it changes only that region, the same way twice', () => {
    const page = fs.readFileSync(path.join(ROOT, 'docs', 'reliability.md'), 'utf8');
    assert.equal(page.split('<!-- fault-matrix:start').length, 2, 'one start marker');
    assert.equal(page.split(DOCS_END).length, 2, 'one end marker');
    const once = withDocsSection(page, run);
    assert.equal(withDocsSection(once, run), once);
    const before = page.slice(0, page.indexOf('<!-- fault-matrix:start'));
    assert.equal(once.slice(0, before.length), before, 'the page above the region is untouched');
    assert.match(
      once,
      /\| Redis as the result tier \| frozen \(SIGSTOP\) \| redis-server SIGSTOPped \| miss: miss, 500 ms = 125x healthy \(4 ms\) \| nothing \|/,
    );
    assert.match(once, /\| cache volume \| killed \(SIGKILL\) \| n\/a \| no process \| \|/);
  });
});
