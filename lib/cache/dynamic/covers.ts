// The shapes an entry covers, as its manifest records them (the optional `covers` field) and
// explain() / `ovcache ls` show them.
import { isStaticShape } from '../../openvino/shapes';
import type { InputIdentity } from '../key';
import type { ShapeRoute } from './shape-memo';

/** Which compile served a call: one for static input shapes, or one with a dynamic input. */
export type ShapeVariant = 'static' | 'dynamic';

/** The shapes an entry serves (EntryManifest.covers). */
export interface EntryCovers {
  /** 'dynamic' when an input has a range or an unknown dimension. */
  variant: ShapeVariant;
  /** Per input, the partial shape compiled: "[1,3,8..32,8..32]" serves every size in it. */
  inputs: Record<string, string>;
  /** True when ovcache made this variant after repeated sizes (dynamicShapes). */
  auto: boolean;
}

const STATIC_SHAPE = /^\[\d+(,\d+)*\]$/;

export function variantOfInputs(inputs: Array<Pick<InputIdentity, 'shape'>>): ShapeVariant {
  return inputs.every((i) => STATIC_SHAPE.test(i.shape)) ? 'static' : 'dynamic';
}

/** From a compiled model's ports, when no key parts are at hand (an uncached compile). */
export function variantOfPorts(ports: Array<{ shape: Parameters<typeof isStaticShape>[0] }>): ShapeVariant {
  return ports.every((p) => isStaticShape(p.shape)) ? 'static' : 'dynamic';
}

function isCovers(c: unknown): c is EntryCovers {
  const o = c as EntryCovers | undefined;
  return (
    (o?.variant === 'static' || o?.variant === 'dynamic') &&
    o.inputs !== null &&
    typeof o.inputs === 'object' &&
    Object.values(o.inputs).every((s) => typeof s === 'string')
  );
}

export function coversOf(inputs: InputIdentity[], route: ShapeRoute | undefined): EntryCovers {
  return {
    variant: variantOfInputs(inputs),
    inputs: Object.fromEntries(inputs.map((i) => [i.name, i.shape])),
    auto: route?.variant != null,
  };
}

/** "dynamic: image=[1,3,8..32,8..32] (made after repeated sizes)"; from the inputs when an older manifest has no covers. */
export function describeCovers(covers: EntryCovers | undefined, inputs: InputIdentity[]): string {
  const c = isCovers(covers) ? covers : coversOf(inputs, undefined);
  const shapes = Object.entries(c.inputs)
    .map(([name, shape]) => `${name}=${shape}`)
    .join(' ');
  return `${c.variant}: ${shapes || '(no inputs)'}${c.auto ? ' (made by dynamicShapes after repeated sizes)' : ''}`;
}
