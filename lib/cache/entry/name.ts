// Entry folder names: readable by a person and safe on every filesystem.
//   <model>-<shapes>-<device>-<short key>     e.g. resnet50-1x3x224x224-GPU-3f2a9c1e7b4d
// Only [A-Za-z0-9._+-] appear; no name starts with a dot; the short key keeps names unique.
import { shortKey, type InputIdentity, type KeyParts } from '../key';

export const MAX_MODEL_LABEL = 48;
export const MAX_SHAPE_LABEL = 64;

/** A file-name-safe label: unsafe characters become "_", no "..", no leading dot or dash. */
export function sanitizeLabel(text: string, max: number): string {
  let label = text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._+-]+/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/_{2,}/g, '_')
    .replace(/^[._-]+/, '')
    .replace(/[._-]+$/, '');
  if (label.length > max) label = label.slice(0, max).replace(/[._-]+$/, '');
  return label === '' ? 'model' : label;
}

/** "[1,3,?,1..10]" -> "1x3xNx1-10"; "?" (dynamic rank) -> "any"; "[]" -> "scalar". */
export function shapeLabel(shape: string): string {
  if (shape === '?') return 'any';
  const dims = shape.replace(/^\[|\]$/g, '');
  if (dims === '') return 'scalar';
  return dims
    .split(',')
    .map((d) => (d === '?' ? 'N' : d.endsWith('..') ? `${d.slice(0, -2)}+` : d.replace('..', '-')))
    .join('x');
}

/** Shapes of all inputs joined by "_", bounded; the short key disambiguates a cut label. */
export function inputsLabel(inputs: InputIdentity[]): string {
  if (inputs.length === 0) return 'noinput';
  const label = inputs.map((i) => shapeLabel(i.shape)).join('_');
  return label.length > MAX_SHAPE_LABEL ? `${label.slice(0, MAX_SHAPE_LABEL - 3).replace(/[_x-]+$/, '')}etc` : label;
}

/** "AUTO:GPU,CPU" -> "AUTO-GPU-CPU", "GPU.1" stays. */
export function deviceLabel(device: string): string {
  return sanitizeLabel(device.replace(/[:,]/g, '-'), 32);
}

export function entryName(parts: KeyParts, key: string): string {
  return [sanitizeLabel(parts.model.name, MAX_MODEL_LABEL), inputsLabel(parts.inputs), deviceLabel(parts.device.name), shortKey(key)].join(
    '-',
  );
}

/** The short key at the end of an entry folder name, or undefined for other names. */
export function shortKeyOfEntryName(name: string): string | undefined {
  return /-([0-9a-f]{12})$/.exec(name)?.[1];
}
