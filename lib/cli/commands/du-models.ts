// `ovcache du`, per model: entries of one model (same files, device, config; only the input
// shapes differ) grouped, with the dimensions their shapes differ in and a warning line for a
// model over the growth threshold.
import type { ScannedEntry } from '../../cache/scan';
import { DEFAULT_GROWTH_ENTRIES } from '../../cache/dynamic/options';
import { formatBytes } from '../../format/units';
import { formatTable } from '../../format/table';

export interface ModelGroup {
  /** The model's identity (sha256 of its key parts without input shapes). */
  identity: string;
  model: string;
  device: string;
  entries: number;
  bytes: number;
  hits: number;
  /** Entries that are dynamic variants. */
  dynamic: number;
  /** Each entry's shapes ("image=[1,3,64,64]"), smallest entry name first. */
  shapes: string[];
  /** "image[2]": the input dimensions whose value differs between the entries. */
  varyingDims: string[];
  /** Set when the model has more entries than the growth threshold. */
  warning: string | null;
}

export function perModel(entries: ScannedEntry[], threshold = DEFAULT_GROWTH_ENTRIES): ModelGroup[] {
  const groups = new Map<string, ScannedEntry[]>();
  for (const e of entries) {
    if (!e.identity) continue;
    groups.set(e.identity, [...(groups.get(e.identity) ?? []), e]);
  }
  const out: ModelGroup[] = [];
  for (const [identity, list] of groups) {
    const first = list[0] as ScannedEntry;
    const sorted = [...list].sort((a, b) => (a.name < b.name ? -1 : 1));
    const varying = varyingDims(list);
    const dynamic = list.filter((e) => e.covers?.variant === 'dynamic').length;
    const suggestion = dynamic > 0 ? 'dynamicShapes: { bounds } wide enough for the sizes used' : "dynamicShapes: 'auto'";
    const differ = varying.length > 0 ? `, shapes differ in ${varying.join(', ')}` : '';
    out.push({
      identity,
      model: first.model ?? '?',
      device: first.device ?? '?',
      entries: list.length,
      bytes: list.reduce((n, e) => n + e.bytes, 0),
      hits: list.reduce((n, e) => n + e.hits, 0),
      dynamic,
      shapes: sorted.map((e) => e.shapes),
      varyingDims: varying,
      warning:
        list.length > threshold
          ? `${first.model ?? '?'} on ${first.device ?? '?'} has ${list.length} entries (more than ${threshold})${differ}: set ${suggestion} (or weightless: true)`
          : null,
    });
  }
  return out.sort((a, b) => b.bytes - a.bytes || a.model.localeCompare(b.model));
}

function varyingDims(entries: ScannedEntry[]): string[] {
  const values = new Map<string, Set<string>>();
  for (const e of entries) {
    for (const input of e.inputs) {
      const dims = input.shape.replace(/^\[|\]$/g, '').split(',');
      dims.forEach((d, i) => {
        const name = `${input.name}[${i}]`;
        values.set(name, (values.get(name) ?? new Set()).add(d));
      });
    }
  }
  return [...values].filter(([, v]) => v.size > 1).map(([name]) => name);
}

export function formatPerModel(groups: ModelGroup[]): string[] {
  if (groups.length === 0) return [];
  const lines = [
    '',
    formatTable(
      ['MODEL', 'ID', 'DEVICE', 'ENTRIES', 'DYNAMIC', 'SIZE', 'HITS', 'SHAPES DIFFER IN'],
      groups.map((g) => [
        g.model,
        g.identity.slice(0, 8),
        g.device,
        g.entries,
        g.dynamic,
        formatBytes(g.bytes),
        g.hits,
        g.varyingDims.join(' ') || '-',
      ]),
      { title: 'Per model (same files, device and config)', align: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'left'] },
    ),
  ];
  for (const g of groups) if (g.warning) lines.push(`warning: ${g.warning}`);
  return lines;
}
