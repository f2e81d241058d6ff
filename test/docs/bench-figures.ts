// Figures in the docs that come from a benchmark's JSON carry a marker right after the number:
//   7.9x<!-- bench:registry-serving.json pool.speedUp.pool8uv8 -->
//   430 ms<!-- bench:cli-scan.json results[operation=ovcache du (child)].medianMs -->
//   3.1 s<!-- bench:growth.json growth.rows[0].restart.totalMs *0.001 -->
// The file is under bench/results/; the path is dotted, `[n]` picks an array element and
// `[key=value]` the element whose key has that value; `*factor` scales the value. The figure is
// the last number before the marker, written with as many decimals as it shows (commas allowed).
// A figure not measured by a committed JSON is marked `<!-- example: why -->` instead.
import fs from 'node:fs';
import path from 'node:path';

export interface BenchMarker {
  page: string;
  line: number;
  file: string;
  jsonPath: string;
  factor: number;
  /** The number written before the marker, as written. */
  shown: string | undefined;
}

const MARKER = /<!-- bench:(\S+) (.+?)(?: \*([\d.eE+-]+))? -->/g;
const NUMBER_BEFORE = /(-?\d[\d,]*(?:\.\d+)?)[^\d<>]{0,12}$/;

export function benchMarkers(page: string, text: string): BenchMarker[] {
  const out: BenchMarker[] = [];
  for (const m of text.matchAll(MARKER)) {
    const before = text.slice(Math.max(0, m.index - 60), m.index);
    out.push({
      page,
      line: text.slice(0, m.index).split('\n').length,
      file: m[1]!,
      jsonPath: m[2]!,
      factor: m[3] ? Number(m[3]) : 1,
      shown: NUMBER_BEFORE.exec(before)?.[1],
    });
  }
  return out;
}

/** The value at a marker's path, or an Error saying where the path stops. */
export function valueAt(json: unknown, jsonPath: string): unknown {
  let current: unknown = json;
  for (const part of jsonPath.match(/[^.[\]]+|\[[^\]]*\]/g) ?? []) {
    if (current === null || typeof current !== 'object') return new Error(`${jsonPath}: nothing at ${part}`);
    if (part.startsWith('[')) {
      const inner = part.slice(1, -1);
      const eq = inner.indexOf('=');
      if (!Array.isArray(current)) return new Error(`${jsonPath}: ${part} on a non-array`);
      current =
        eq < 0
          ? current[Number(inner)]
          : current.find((e) => String((e as Record<string, unknown>)[inner.slice(0, eq)]) === inner.slice(eq + 1));
    } else {
      current = (current as Record<string, unknown>)[part];
    }
  }
  return current;
}

/** The JSON value written as the page writes its figure (same decimals, no grouping). */
export function asShown(value: number, shown: string): string {
  const decimals = shown.includes('.') ? shown.split('.')[1]!.length : 0;
  return value.toFixed(decimals);
}

export const readResults = (root: string, file: string): unknown =>
  JSON.parse(fs.readFileSync(path.join(root, 'bench', 'results', file), 'utf8')) as unknown;
