// infer()'s inputs by input name, as a result cache keys them (data alone: the model's one input).
import type { CompiledModel } from '../openvino/compiled-model';
import type { Tensor, TensorInput } from '../openvino/tensor';
import type { InferInputs } from './infer-pool';

export function namedInputs(compiled: CompiledModel, inputs: InferInputs): Record<string, TensorInput | Tensor> {
  const single = ArrayBuffer.isView(inputs) || (inputs !== null && typeof inputs === 'object' && 'data' in inputs && 'shape' in inputs);
  if (!single) return inputs as Record<string, TensorInput>;
  const only = compiled.inputs[0];
  return only ? { [only.name]: inputs as TensorInput } : {};
}
