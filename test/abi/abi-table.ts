// The ABI table (native/abi/releases.json) and the checks of native/'s declarations against it.
// Each check returns problems as sentences (empty = consistent), so a test can show all of them
// at once and a unit test can feed in a doctored table to prove a check bites.
import fs from 'node:fs';
import path from 'node:path';
import type { CHeader, CStruct } from './c-declarations';

export interface AbiFunction {
  name: string;
  returns: string;
  params: string[];
  since: string;
  removedIn: string | null;
  sources: string[];
}

export interface AbiStruct {
  name: string;
  fields: Array<[type: string, name: string]>;
  size: number;
  align: number;
  offsets: number[];
  sources: string[];
}

export interface AbiRelease {
  line: string;
  exists: string;
  supported: boolean;
  numbering?: 'legacy' | 'modern';
  /** The last ov_element_type_e entry this line has (older lines stop earlier). */
  lastElementType?: string;
  status?: 'confirmed' | 'inferred' | 'unconfirmed';
  sources: string[];
  notes?: string;
}

export interface AbiTable {
  sources: Record<string, unknown>;
  elementTables: Record<'legacy' | 'modern', { values: Record<string, number>; sources: string[] }>;
  functions: AbiFunction[];
  structs: AbiStruct[];
  propertyKeys: Array<{ name: string; value: string; sources: string[] }>;
  releases: AbiRelease[];
}

export function loadAbiTable(root: string): AbiTable {
  return JSON.parse(fs.readFileSync(path.join(root, 'native', 'abi', 'releases.json'), 'utf8')) as AbiTable;
}

/** "2024.10" > "2024.9": compares year then minor as numbers. */
export function compareLines(a: string, b: string): number {
  const [ay = 0, am = 0] = a.split('.').map(Number);
  const [by = 0, bm = 0] = b.split('.').map(Number);
  return ay - by || am - bm;
}

/** Every function native/ declares must exist in `line`. */
export function functionProblems(table: AbiTable, header: CHeader, line: string): string[] {
  const problems: string[] = [];
  const byName = new Map(table.functions.map((f) => [f.name, f]));
  for (const declared of header.functions) {
    const fact = byName.get(declared.name);
    if (!fact) {
      problems.push(`${declared.name}: declared in native/ov_c_api.h but absent from the ABI table`);
      continue;
    }
    if (compareLines(fact.since, line) > 0)
      problems.push(`${declared.name}: native/ calls it, but it exists only from ${fact.since}, not in ${line}`);
    if (fact.removedIn !== null && compareLines(fact.removedIn, line) <= 0) {
      problems.push(`${declared.name}: native/ calls it, but it was removed in ${fact.removedIn}, so ${line} lacks it`);
    }
  }
  return problems;
}

/** Every function native/ declares must have upstream's return and parameter types (unchanged across the range). */
export function signatureProblems(table: AbiTable, header: CHeader): string[] {
  const byName = new Map(table.functions.map((f) => [f.name, f]));
  return header.functions.flatMap((declared) => {
    const fact = byName.get(declared.name);
    if (!fact) return [];
    const ours = `${declared.returns} (${declared.params.join(', ')})`;
    const theirs = `${fact.returns} (${fact.params.join(', ')})`;
    return ours === theirs ? [] : [`${declared.name}: native/ declares ${ours}, upstream has ${theirs}`];
  });
}

const PRIMITIVES: Record<string, { size: number; align: number }> = {
  int64_t: { size: 8, align: 8 },
  size_t: { size: 8, align: 8 },
  int: { size: 4, align: 4 },
  bool: { size: 1, align: 1 },
};

/** LP64 layout of `struct` as native/ declares it: size, alignment and field offsets. */
export function layoutOf(name: string, header: CHeader): { size: number; align: number; offsets: number[] } {
  const target = header.aliases[name] ?? name;
  const struct = header.structs.find((s) => s.name === target);
  if (!struct) throw new Error(`no struct ${name} in native/ov_c_api.h`);
  let offset = 0;
  let align = 1;
  const offsets: number[] = [];
  for (const [type] of struct.fields) {
    const field = type.includes('*') ? { size: 8, align: 8 } : (PRIMITIVES[type] ?? layoutOf(type, header));
    offset = Math.ceil(offset / field.align) * field.align;
    offsets.push(offset);
    offset += field.size;
    align = Math.max(align, field.align);
  }
  return { size: Math.ceil(offset / align) * align, align, offsets };
}

/** Each struct the table lists must have upstream's fields (order, types, names) and layout. */
export function structProblems(table: AbiTable, header: CHeader): string[] {
  const problems: string[] = [];
  for (const fact of table.structs) {
    const ours: CStruct | undefined = header.structs.find((s) => s.name === fact.name);
    if (!ours) {
      problems.push(`${fact.name}: in the ABI table but not declared in native/ov_c_api.h`);
      continue;
    }
    const show = (fields: Array<[string, string]>): string => fields.map(([t, n]) => `${t} ${n}`).join('; ');
    if (show(ours.fields) !== show(fact.fields))
      problems.push(`${fact.name}: native/ has { ${show(ours.fields)} }, upstream { ${show(fact.fields)} }`);
    const layout = layoutOf(fact.name, header);
    const want = { size: fact.size, align: fact.align, offsets: fact.offsets };
    if (JSON.stringify(layout) !== JSON.stringify(want)) {
      problems.push(`${fact.name}: native/ lays it out as ${JSON.stringify(layout)}, upstream as ${JSON.stringify(want)}`);
    }
  }
  return problems;
}

/**
 * Element values native/element_types.cc gives in `numbering` (legacy: the index in its list;
 * modern: the same list without its first entry), compared with the table for the types `line` has.
 */
export function elementProblems(table: AbiTable, nativeNames: string[], release: AbiRelease): string[] {
  const numbering = release.numbering;
  if (!numbering) return [`${release.line}: a supported line without a numbering`];
  const facts = table.elementTables[numbering].values;
  const ordered = Object.keys(facts).sort((a, b) => facts[a]! - facts[b]!);
  const last = release.lastElementType ?? ordered[ordered.length - 1]!;
  if (!ordered.includes(last)) return [`${release.line}: lastElementType ${last} is not in the ${numbering} table`];
  const present = ordered.slice(0, ordered.indexOf(last) + 1);
  const offset = numbering === 'modern' ? 1 : 0;
  const problems: string[] = [];
  for (const name of present) {
    const index = nativeNames.indexOf(name);
    const ours = index < offset ? undefined : index - offset;
    if (ours !== facts[name])
      problems.push(`${release.line}: ${name} is ${facts[name]} upstream (${numbering}), native/ maps it to ${ours}`);
  }
  return problems;
}
