// Reads docs/guarantees.md: its tables, by section, as rows keyed by the lower-cased column
// header. Cells are trimmed, `\|` is a literal pipe, and one pair of surrounding backticks or
// double quotes is removed ("quote" -> quote, `test/x.test.ts` -> test/x.test.ts).

export interface LedgerRow {
  /** The `## ` heading the table sits under. */
  section: string;
  /** 1-based line of the row in the ledger, for messages. */
  line: number;
  cells: Record<string, string>;
}

/** The page a `[text](target)` cell links to, relative to docs/ (`../README.md` -> README.md). */
export function linkedPage(cell: string): string | undefined {
  const target = /\]\(([^)#\s]+)(?:#[^)]*)?\)/.exec(cell)?.[1];
  if (target === undefined) return undefined;
  return target.startsWith('../') ? target.slice(3) : `docs/${target}`;
}

function unwrap(cell: string): string {
  const text = cell.trim();
  for (const [open, close] of [
    ['`', '`'],
    ['"', '"'],
  ] as const) {
    if (text.length >= 2 && text.startsWith(open) && text.endsWith(close)) return text.slice(1, -1);
  }
  return text;
}

function splitRow(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return body.split(/(?<!\\)\|/).map((c) => unwrap(c.replace(/\\\|/g, '|')));
}

export function parseLedger(markdown: string): LedgerRow[] {
  const rows: LedgerRow[] = [];
  let section = '';
  let header: string[] | undefined;
  markdown.split('\n').forEach((line, index) => {
    if (line.startsWith('## ')) {
      section = line.slice(3).trim();
      header = undefined;
      return;
    }
    if (!line.trim().startsWith('|')) {
      header = undefined;
      return;
    }
    const cells = splitRow(line);
    if (header === undefined) {
      header = cells.map((c) => c.toLowerCase());
      return;
    }
    if (cells.every((c) => /^:?-+:?$/.test(c))) return;
    const byName: Record<string, string> = {};
    header.forEach((name, i) => (byName[name] = cells[i] ?? ''));
    rows.push({ section, line: index + 1, cells: byName });
  });
  return rows;
}
