// Reads native/'s C declarations back as data: the functions and structs of native/ov_c_api.h,
// its property keys (with the value in the trailing comment, when there is one), the symbol
// table of native/symbols.h and the element-type names of native/element_types.cc. Only the
// shapes those files use are understood; anything else fails loudly rather than being skipped.

export interface CFunction {
  name: string;
  returns: string;
  /** Normalized parameter types, names dropped; "..." for a variadic tail. */
  params: string[];
}

export interface CStruct {
  name: string;
  fields: Array<[type: string, name: string]>;
}

export interface CHeader {
  functions: CFunction[];
  structs: CStruct[];
  /** `typedef A B;` aliases between struct types (e.g. ov_rank_t -> ov_dimension_t). */
  aliases: Record<string, string>;
  propertyKeys: Array<{ name: string; value?: string }>;
}

/** Comments and preprocessor lines (with their continuations) removed. */
function stripComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/[^\n]*/g, '')
    .replace(/^[ \t]*#(?:[^\n]*\\\n)*[^\n]*$/gm, '');
}

/** "const  char *" -> "const char*"; a top-level const on a by-value type is dropped (no ABI effect). */
export function normalizeType(type: string): string {
  let t = type
    .replace(/\bOVC_CALL\b/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  t = t.replace(/\s*\*\s*/g, '*').replace(/\*(?=[^*\s)])/g, '* ');
  t = t.replace(/\* \*/g, '**').trim();
  if (!t.includes('*') && t.startsWith('const ')) t = t.slice('const '.length);
  return t;
}

/** A parameter or field "const ov_core_t* core" -> its type; a function pointer -> "R (*)(P...)". */
function typeAndName(decl: string): [type: string, name: string] {
  const d = decl.replace(/\s+/g, ' ').trim();
  const fnPtr = /^(.+?)\(\s*(?:OVC_CALL\s*)?\*\s*(\w+)\s*\)\s*\((.*)\)$/.exec(d);
  if (fnPtr) {
    const params = splitParams(fnPtr[3]!).map((p) => typeAndName(p)[0]);
    return [`${normalizeType(fnPtr[1]!)} (*)(${params.join(', ')})`, fnPtr[2]!];
  }
  const named = /^(.*?[\s*])(\w+)$/.exec(d);
  if (!named || !/\w/.test(named[1]!)) throw new Error(`cannot read the declaration "${decl}"`);
  return [normalizeType(named[1]!), named[2]!];
}

function splitParams(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of list) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current);
  const trimmed = parts.map((p) => p.trim());
  return trimmed.length === 1 && trimmed[0] === 'void' ? [] : trimmed;
}

export function parseHeader(source: string): CHeader {
  const keyComments = new Map<string, string>();
  for (const m of source.matchAll(/\b(ov_property_key_\w+);[ \t]*\/\/[ \t]*([A-Z_]+)/g)) keyComments.set(m[1]!, m[2]!);
  const text = stripComments(source);
  const functions: CFunction[] = [];
  for (const m of text.matchAll(/OVC_API\s+(?!extern\b)([\s\S]*?)\bOVC_CALL\s+(\w+)\s*\(([\s\S]*?)\)\s*;/g)) {
    const params = splitParams(m[3]!).map((p) => (p === '...' ? '...' : typeAndName(p)[0]));
    functions.push({ name: m[2]!, returns: normalizeType(m[1]!), params });
  }
  const structs: CStruct[] = [];
  for (const m of text.matchAll(/typedef\s+struct\s*\w*\s*\{([\s\S]*?)\}\s*(\w+)\s*;/g)) {
    const fields = m[1]!
      .split(';')
      .map((f) => f.trim())
      .filter(Boolean)
      .map(typeAndName);
    structs.push({ name: m[2]!, fields });
  }
  const aliases: Record<string, string> = {};
  for (const m of text.matchAll(/typedef\s+(ov_\w+_t)\s+(ov_\w+_t)\s*;/g)) aliases[m[2]!] = m[1]!;
  const propertyKeys = [...text.matchAll(/extern\s+const\s+char\s*\*\s*(ov_property_key_\w+)\s*;/g)].map((m) => {
    const value = keyComments.get(m[1]!);
    return value === undefined ? { name: m[1]! } : { name: m[1]!, value };
  });
  return { functions, structs, aliases, propertyKeys };
}

/** The names inside OVCACHE_FUNCTIONS(X) of native/symbols.h, in order. */
export function parseSymbolTable(source: string): string[] {
  const block = /#define OVCACHE_FUNCTIONS\(X\)([\s\S]*?)\n\s*\n/.exec(source)?.[1];
  if (!block) throw new Error('OVCACHE_FUNCTIONS not found in symbols.h');
  return [...block.matchAll(/X\((\w+)\)/g)].map((m) => m[1]!);
}

/** The element-type names of native/element_types.cc (kLegacyNames), in legacy order. */
export function parseElementNames(source: string): string[] {
  const block = /kLegacyNames\[\]\s*=\s*\{([\s\S]*?)\};/.exec(source)?.[1];
  if (!block) throw new Error('kLegacyNames not found in element_types.cc');
  return [...block.matchAll(/"(\w+)"/g)].map((m) => m[1]!);
}
