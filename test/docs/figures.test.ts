// Every figure in README.md and docs/*.md that names a benchmark JSON (a `bench:` marker)
// equals that JSON's value as the page rounds it, so pages cannot disagree with each other or
// with the measurement (issue 25 item 6, issue 26 item 4). Rules: test/docs/bench-figures.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/paths';
import { asShown, benchMarkers, readResults, valueAt, type BenchMarker } from './bench-figures';

const PAGES = [
  'README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (page: string): string => fs.readFileSync(path.join(ROOT, page), 'utf8');
const markers = (): BenchMarker[] => PAGES.flatMap((page) => benchMarkers(page, read(page)));

describe('docs figures come from the bench JSON', () => {
  it('reads a marker, its path and the figure before it (the rules the pages follow)', () => {
    const text = 'pool of 8: 205 ms: 7.9x<!-- bench:r.json pool.speedUp.pool8uv8 --> and 3.1 s<!-- bench:g.json rows[0].a *0.001 -->';
    const [a, b] = benchMarkers('x.md', text);
    assert.deepEqual(a, { page: 'x.md', line: 1, file: 'r.json', jsonPath: 'pool.speedUp.pool8uv8', factor: 1, shown: '7.9' });
    assert.equal(b?.factor, 0.001);
    assert.equal(b?.shown, '3.1');
    const json = { results: [{ operation: 'du (child)', ms: 430.2 }], rows: [{ a: 3 }, { a: 4 }] };
    assert.equal(valueAt(json, 'results[operation=du (child)].ms'), 430.2);
    assert.equal(valueAt(json, 'rows[1].a'), 4);
    assert.ok(valueAt(json, 'nope.deeper') instanceof Error);
    assert.equal(asShown(7.891, '7.9'), '7.9');
    assert.equal(asShown(3221281680, '3,221,281,680'), '3221281680');
  });

  it('every marked figure equals its JSON value as the page rounds it, and its JSON is in bench/results/', () => {
    const found = markers();
    assert.ok(found.length >= 10, `only ${found.length} marked figures`);
    const wrong: string[] = [];
    for (const m of found) {
      const where = `${m.page}:${m.line} (${m.file} ${m.jsonPath})`;
      if (!fs.existsSync(path.join(ROOT, 'bench', 'results', m.file))) {
        wrong.push(`${where}: bench/results/${m.file} is missing (commit it: .gitignore lists the cited ones)`);
        continue;
      }
      const value = valueAt(readResults(ROOT, m.file), m.jsonPath);
      if (typeof value !== 'number') {
        wrong.push(`${where}: ${value instanceof Error ? value.message : `not a number: ${JSON.stringify(value)}`}`);
        continue;
      }
      if (m.shown === undefined) {
        wrong.push(`${where}: no number before the marker`);
        continue;
      }
      const want = asShown(value * m.factor, m.shown);
      if (m.shown.replace(/,/g, '') !== want) wrong.push(`${where}: the page says ${m.shown}, the JSON ${want}`);
    }
    assert.deepEqual(wrong, []);
  });

  it("every figure of the README's Measured table is marked: from a JSON or an example", () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Measured'), readme.indexOf('\n## ', readme.indexOf('## Measured') + 1));
    const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| what') && !l.startsWith('| ---'));
    assert.ok(rows.length >= 3);
    for (const row of rows) {
      const figure = row.split('|')[2] ?? '';
      assert.match(figure, /<!-- (bench:|example:)/, `unmarked figure in README's Measured table: ${row}`);
    }
  });
});
