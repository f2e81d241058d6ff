// The reliability tests' figures: each test writes out/reliability/<name>.json; this module
// renders them into docs/reliability.md between the figures markers.
//   node dist/test/reliability/figures.js         regenerate the docs from the last run's JSON
//   OVCACHE_UPDATE_DOCS=1 npx mocha ...            the tests regenerate it themselves
// (Off by default: a test run in a shared checkout does not rewrite a tracked file.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OUT, ROOT } from '../helpers/paths';

export const FIGURES_DIR = path.join(OUT, 'reliability');
export const DOC = path.join(ROOT, 'docs', 'reliability.md');
export const START = '<!-- figures:start (generated from out/reliability/*.json; do not edit by hand) -->';
export const END = '<!-- figures:end -->';

/** The order sections appear in the docs. */
const ORDER = ['kill', 'load', 'faults', 'bad-input', 'security', 'properties'];

export interface Figures {
  /** Section title. */
  title: string;
  /** Markdown lines (a table or a list). */
  lines: string[];
  /** Raw numbers, for anyone reading the JSON. */
  data: Record<string, unknown>;
}

export function machine(): string {
  return `${os.cpus().length} CPU(s) (${os.cpus()[0]?.model.trim() ?? '?'}), ${os.platform()}, Node ${process.version}`;
}

export function writeFigures(name: string, figures: Figures): void {
  fs.mkdirSync(FIGURES_DIR, { recursive: true });
  const record = { name, ...figures, writtenAt: new Date().toISOString(), machine: machine() };
  fs.writeFileSync(path.join(FIGURES_DIR, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`\n    [${name}] ${figures.title}\n${figures.lines.map((l) => `      ${l}`).join('\n')}\n`);
  if (process.env.OVCACHE_UPDATE_DOCS === '1') renderDocs();
}

export function renderFigures(): string {
  if (!fs.existsSync(FIGURES_DIR)) return '';
  const records = fs
    .readdirSync(FIGURES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map(
      (f) =>
        JSON.parse(fs.readFileSync(path.join(FIGURES_DIR, f), 'utf8')) as Figures & { name: string; writtenAt: string; machine: string },
    )
    .sort((a, b) => ((ORDER.indexOf(a.name) + 100) % 100) - ((ORDER.indexOf(b.name) + 100) % 100));
  return records
    .map((r) =>
      [`### ${r.title}`, '', `_Run ${r.writtenAt.slice(0, 16).replace('T', ' ')} UTC on ${r.machine}._`, '', ...r.lines].join('\n'),
    )
    .join('\n\n');
}

/** Replaces the text between the markers in docs/reliability.md; returns false if the markers are missing. */
export function renderDocs(doc = DOC): boolean {
  if (!fs.existsSync(doc)) return false;
  const text = fs.readFileSync(doc, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return false;
  const next = `${text.slice(0, a + START.length)}\n\n${renderFigures()}\n\n${text.slice(b)}`;
  if (next !== text) fs.writeFileSync(doc, next);
  return true;
}

if (require.main === module) {
  if (!renderDocs()) {
    process.stderr.write(`no figures markers in ${DOC}\n`);
    process.exitCode = 1;
  } else process.stdout.write(`updated ${DOC}\n`);
}
