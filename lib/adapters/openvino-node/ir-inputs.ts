// openvino-node reports no element type for a model's inputs before compilation (its Output
// has a name and a shape only). An IR states it on each Parameter layer, so the adapter reads
// it from the .xml, by tensor name; a model that is not IR, or a name not found, reads as
// 'undefined' (docs/openvino-node.md), never as a guess.
import fs from 'node:fs';
import type { ElementType } from '../../openvino/tensor';
import { elementTypeOf } from './values';

const PARAMETER = /<layer\b[^>]*\btype="Parameter"[^>]*>([\s\S]*?)<\/layer>/gi;

/** Input tensor name -> element type, from the Parameter layers of an IR .xml. */
export async function irInputElementTypes(xmlPath: string): Promise<Map<string, ElementType>> {
  const out = new Map<string, ElementType>();
  if (!/\.xml$/i.test(xmlPath)) return out;
  let text: string;
  try {
    text = await fs.promises.readFile(xmlPath, 'utf8');
  } catch {
    return out;
  }
  for (const layer of text.matchAll(PARAMETER)) {
    const body = layer[1] ?? '';
    const type = /\belement_type="([^"]+)"/.exec(body)?.[1];
    if (type === undefined) continue;
    let elementType: ElementType;
    try {
      elementType = elementTypeOf(type);
    } catch {
      continue;
    }
    const names = /<port\b[^>]*\bnames="([^"]*)"/.exec(body)?.[1] ?? /\bname="([^"]*)"/.exec(layer[0])?.[1] ?? '';
    for (const name of names.split(',')) if (name.trim()) out.set(name.trim(), elementType);
  }
  return out;
}
