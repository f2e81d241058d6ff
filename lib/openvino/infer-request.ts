// One inference request of a compiled model. infer() runs on the libuv pool.
import type { NativeInferRequest, NativeTensorIn } from '../runtime/native-binding';
import { callNativeAsync } from '../runtime/native-errors';
import { OvcacheError } from '../errors';
import type { PortInfo } from './port';
import { fromNativeTensor, toNativeTensor, type Tensor, type TensorInput } from './tensor';
import { invalidArgument } from './validate';
import { NativeHandle } from './native-handle';

export class InferRequest extends NativeHandle<NativeInferRequest> {
  private readonly inputs: PortInfo[];
  /** Shapes bare typed arrays take on dynamic inputs (CompiledModel.setBareInputShapes). */
  private readonly bareShapes: Record<string, number[]> | undefined;

  /** @internal */
  constructor(native: NativeInferRequest, inputs: PortInfo[], bareShapes?: Record<string, number[]>) {
    super(native);
    this.inputs = inputs;
    this.bareShapes = bareShapes;
  }

  /**
   * Runs the model. Pass `{ inputName: data }`, or the data alone for a one-input model. An
   * input without a tensor name is keyed `input<i>` (its index), as unnamed outputs are
   * `output<i>`. Resolves to the outputs by tensor name.
   */
  async infer(inputs: Record<string, TensorInput> | TensorInput): Promise<Record<string, Tensor>> {
    const tensors = checkedInputs(this.inputs, inputs, this.bareShapes);
    const outputs = await callNativeAsync(() => this.native.infer(tensors));
    const result: Record<string, Tensor> = {};
    outputs.forEach((out, i) => {
      result[out.name || `output${i}`] = fromNativeTensor(out);
    });
    return result;
  }
}

/**
 * infer()'s argument checked against the ports, one tensor per port in port order. A bare
 * TypedArray on an input named in `bareShapes` takes that shape. Shared by every runtime.
 */
export function checkedInputs(ports: PortInfo[], inputs: unknown, bareShapes?: Record<string, number[]>): NativeTensorIn[] {
  const byName = inputsByName(ports, inputs);
  return ports.map((port, i) => {
    const key = inputKey(port, i);
    if (!(key in byName)) throw invalidArgument(`data for input "${key}"`, `inputs.${key}`, undefined);
    const value = byName[key];
    const bare = bareShapes?.[key];
    return toNativeTensor({ ...port, name: key }, bare && ArrayBuffer.isView(value) ? { data: value, shape: bare } : value);
  });
}

/** infer()'s argument as data by input key: a lone TypedArray or { data, shape } for a one-input model, else a record of inputs. */
function inputsByName(ports: PortInfo[], inputs: unknown): Record<string, unknown> {
  const single = ArrayBuffer.isView(inputs) || (inputs !== null && typeof inputs === 'object' && 'data' in inputs && 'shape' in inputs);
  if (single) {
    const only = ports[0];
    if (ports.length !== 1 || !only) {
      throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `This model has ${ports.length} inputs: pass { name: data } for each`);
    }
    return { [inputKey(only, 0)]: inputs };
  }
  if (inputs === null || typeof inputs !== 'object') throw invalidArgument('an object of inputs by name', 'inputs', inputs);
  const record = inputs as Record<string, unknown>;
  const keys = ports.map(inputKey);
  for (const name of Object.keys(record)) {
    if (!keys.includes(name)) {
      throw new OvcacheError(
        'OVCACHE_SHAPE_MISMATCH',
        `Model has no input named "${name}"; its inputs are ${keys.map((k) => `"${k}"`).join(', ')}`,
      );
    }
  }
  return record;
}

/** The key infer() takes for a port: its tensor name, or `input<i>` when it has none. */
export function inputKey(port: PortInfo, index: number): string {
  return port.name || `input${index}`;
}
