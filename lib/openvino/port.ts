import type { NativePort } from '../runtime/native-binding';
import { fromNativeShape, type PartialShape } from './shapes';
import type { ElementType } from './tensor';

/** An input or output of a model: its tensor name, partial shape and element type. */
export interface PortInfo {
  name: string;
  shape: PartialShape;
  elementType: ElementType;
}

export function fromNativePorts(ports: NativePort[]): PortInfo[] {
  return ports.map((p) => ({ name: p.name, shape: fromNativeShape(p.shape), elementType: p.elementType }));
}
