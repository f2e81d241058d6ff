// docs/guarantees.md, the ledger of promises, is kept true: every test it names exists with
// that exact title, every quote it cites is on its page, and every promise sentence of the
// pages in SCANNED_PAGES is cited by some row (proven, open, or explained as no promise).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/paths';
import { testTitlesInFile, TITLE_SEPARATOR } from '../helpers/test-titles';
import { type LedgerRow, linkedPage, parseLedger } from './ledger';
import { normalize, PROMISE_WORDS, promiseSentences, sentences } from './promise-sentences';
import { testTitlesInSource } from '../helpers/test-titles';

const LEDGER = 'docs/guarantees.md';
/** Pages whose every promise sentence must be in the ledger. */
const SCANNED_PAGES = [
  'README.md',
  'docs/reliability.md',
  'docs/fleet.md',
  'docs/results.md',
  'docs/serving.md',
  'docs/upgrading.md',
  'docs/observability.md',
];

const PROVEN = 'Proven';
const OPEN = 'Unproven: open';
const NOT_PROMISES = 'Not promises';
const SECTIONS: Record<string, string[]> = {
  [PROVEN]: ['promise', 'page', 'quote', 'test file', 'test'],
  [OPEN]: ['promise', 'page', 'quote', 'reason'],
  [NOT_PROMISES]: ['page', 'quote', 'why'],
};

const read = (relative: string): string => fs.readFileSync(path.join(ROOT, relative), 'utf8');
const where = (row: LedgerRow): string => `${LEDGER}:${row.line}`;
const rows = (): LedgerRow[] => parseLedger(read(LEDGER)).filter((r) => r.section in SECTIONS);

/** The shortest run of words around the promise word that occurs once on the page. */
function suggestQuote(sentence: string, pageText: string): string {
  const words = sentence.split(' ');
  const at = Math.max(
    0,
    words.findIndex((_, i) => PROMISE_WORDS.test(words.slice(i, i + 2).join(' '))),
  );
  for (let size = 4; size <= words.length; size++) {
    const start = Math.max(0, Math.min(at - 2, words.length - size));
    const quote = words.slice(start, start + size).join(' ');
    if (pageText.split(quote).length === 2) return quote;
  }
  return sentence;
}

function pageCell(page: string): string {
  const name = path.basename(page);
  return page.startsWith('docs/') ? `[${name}](${name})` : `[${name}](../${page})`;
}

describe('docs/guarantees.md (the ledger of promises)', () => {
  it('has the three sections, each a table with its columns', () => {
    const text = read(LEDGER);
    for (const [section, columns] of Object.entries(SECTIONS)) {
      assert.ok(text.includes(`\n## ${section}\n`), `${LEDGER} has no "## ${section}" section`);
      const sectionRows = parseLedger(text).filter((r) => r.section === section);
      for (const row of sectionRows) {
        assert.deepEqual(
          columns.filter((c) => !(c in row.cells)),
          [],
          `${where(row)}: the "${section}" table needs the columns ${columns.join(' | ')}`,
        );
      }
    }
    assert.ok(parseLedger(text).some((r) => r.section === PROVEN));
  });

  it('every row names a page that exists and quotes text that is on it exactly once', () => {
    const problems: string[] = [];
    for (const row of rows()) {
      const page = linkedPage(row.cells.page ?? '');
      if (page === undefined || !fs.existsSync(path.join(ROOT, page))) {
        problems.push(
          `${where(row)}: page "${row.cells.page}" is not a link to a file (write [fleet.md](fleet.md) or [README.md](../README.md))`,
        );
        continue;
      }
      const quote = normalize(row.cells.quote ?? '');
      const count = normalize(read(page)).split(quote).length - 1;
      if (quote.length < 8) problems.push(`${where(row)}: the quote "${quote}" is too short to point at one sentence`);
      else if (count !== 1) {
        problems.push(
          `${where(row)}: the quote "${quote}" occurs ${count} times in ${page}; quote a part of the sentence that occurs once`,
        );
      }
    }
    assert.deepEqual(problems, []);
  });

  it('every proven promise names a test file that exists and a test with that full title in it', () => {
    const problems: string[] = [];
    for (const row of rows().filter((r) => r.section === PROVEN)) {
      const file = row.cells['test file'] ?? '';
      const title = normalize(row.cells.test ?? '');
      if (!/^test\/.+\.test\.ts$/.test(file) || !fs.existsSync(path.join(ROOT, file))) {
        problems.push(`${where(row)}: test file "${file}" does not exist (a path such as test/results/redis.test.ts)`);
        continue;
      }
      const titles = testTitlesInFile(path.join(ROOT, file)).map(normalize);
      if (!titles.includes(title)) {
        const lastPart = title.split(TITLE_SEPARATOR).pop() ?? title;
        const near = titles.filter((t) => t.endsWith(lastPart));
        problems.push(
          `${where(row)}: ${file} has no test titled "${title}"` +
            (near.length > 0 ? `; did you mean "${near[0]}"?` : ' (describe titles and the it title, joined with " > ")'),
        );
      }
    }
    assert.deepEqual(problems, []);
  });

  it('every promise sentence of the scanned pages is cited by a row', () => {
    const all = rows();
    const missing: string[] = [];
    for (const page of SCANNED_PAGES) {
      const pageText = normalize(read(page));
      const quotes = all.filter((r) => linkedPage(r.cells.page ?? '') === page).map((r) => normalize(r.cells.quote ?? ''));
      for (const sentence of promiseSentences(read(page))) {
        if (quotes.some((q) => q.length > 0 && sentence.includes(q))) continue;
        const quote = suggestQuote(sentence, pageText).replace(/\|/g, '\\|');
        missing.push(
          `${page}: "${sentence}"\n    add to "## ${PROVEN}":  | <the promise, short> | ${pageCell(page)} | "${quote}" | ` +
            `test/<area>/<file>.test.ts | <describe> > <it> |\n    (or to "## ${OPEN}" with a reason, or "## ${NOT_PROMISES}" with why)`,
        );
      }
    }
    assert.ok(missing.length === 0, `${missing.length} promise sentence(s) are not in ${LEDGER}:\n\n${missing.join('\n\n')}`);
  });
});

describe('the parsers behind the ledger check', () => {
  it('reads full test titles: nested describes, template literals as written, skip/only', () => {
    const source = [
      "describe('outer', () => {",
      "  describe.skip('inner', () => { it('one', () => {}); });",
      '  it.only(`two ${n} x`, () => {});',
      '  for (const c of cases) it(c.name, () => {});',
      '});',
      "it('top' + ' level', () => {});",
    ].join('\n');
    assert.deepEqual(testTitlesInSource(source), ['outer > inner > one', 'outer > two ${n} x', 'outer > ${c.name}', 'top level']);
  });

  it('finds promise sentences in prose only: not in code blocks, tables, headings or generated regions', () => {
    const page = [
      '# Never a heading',
      'A call is never lost. This one is plain.',
      '- a list item that always holds',
      '```ts',
      '// never in code',
      '```',
      '| never | in a table |',
      '<!-- figures:start -->',
      'Generated: never scanned.',
      '<!-- figures:end -->',
      'Two lines of one',
      'sentence are refused together.',
    ].join('\n');
    assert.deepEqual(promiseSentences(page), [
      'A call is never lost.',
      'a list item that always holds',
      'Two lines of one sentence are refused together.',
    ]);
    assert.deepEqual(sentences('One e.g. two. `Three` here.'), ['One e.g. two.', '`Three` here.']);
  });

  it('reads ledger rows by section, with escaped pipes, quotes and backticks removed', () => {
    const rows = parseLedger(
      ['## Proven', '', '| a | page | quote |', '| --- | --- | --- |', '| x \\| y | [f.md](f.md#s) | "q" |'].join('\n'),
    );
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0]?.cells, { a: 'x | y', page: '[f.md](f.md#s)', quote: 'q' });
    assert.equal(linkedPage('[f.md](f.md#s)'), 'docs/f.md');
    assert.equal(linkedPage('[README.md](../README.md)'), 'README.md');
  });
});
