// Aligned text tables for the CLI and the benchmarks: numbers right-aligned, text left.

export type Cell = string | number;

export interface TableOptions {
  /** Per column: 'left' or 'right'. Default: right for numbers, left otherwise. */
  align?: Array<'left' | 'right'>;
  title?: string;
}

export function formatTable(headers: string[], rows: Cell[][], options: TableOptions = {}): string {
  const text = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => (row[i] ?? '').length)));
  const alignOf = (i: number): 'left' | 'right' =>
    options.align?.[i] ?? (rows.length > 0 && rows.every((row) => typeof row[i] === 'number') ? 'right' : 'left');
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (alignOf(i) === 'right' ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  if (options.title) out.push(options.title);
  out.push(line(headers), line(widths.map((w) => '-'.repeat(w))));
  for (const row of text) out.push(line(row));
  return out.join('\n');
}
