// RuntimeInferRequest over an openvino-node InferRequest: ovcache's input checks, then
// openvino-node Tensors wrapping the caller's arrays, inferAsync, outputs copied back.
import { OvcacheError } from '../../errors';
import { checkedInputs } from '../../openvino/infer-request';
import type { PortInfo } from '../../openvino/port';
import type { Tensor, TensorInput, TypedArray } from '../../openvino/tensor';
import type { RuntimeInferRequest } from '../../runtime/runtime-port';
import type { OpenvinoNodeAddon, OpenvinoNodeElementName, OpenvinoNodeInferRequest } from './addon-types';
import { callOpenvinoNode, callOpenvinoNodeAsync } from './errors';
import { elementTypeOf } from './values';

/** Element types openvino-node's Tensor constructor takes (no f16, bf16 or boolean). */
const TENSOR_TYPES: ReadonlySet<string> = new Set<OpenvinoNodeElementName>([
  'u8',
  'u32',
  'u16',
  'u64',
  'i8',
  'i64',
  'i32',
  'i16',
  'f64',
  'f32',
]);

export class OpenvinoNodeInferRequestAdapter implements RuntimeInferRequest {
  private handle: OpenvinoNodeInferRequest | undefined;

  /** @internal */
  constructor(
    request: OpenvinoNodeInferRequest,
    private readonly addon: OpenvinoNodeAddon,
    private readonly inputs: PortInfo[],
    private readonly bareShapes?: Record<string, number[]>,
  ) {
    this.handle = request;
  }

  get disposed(): boolean {
    return this.handle === undefined;
  }

  async infer(inputs: Record<string, TensorInput> | TensorInput): Promise<Record<string, Tensor>> {
    const request = this.request();
    const tensors = checkedInputs(this.inputs, inputs, this.bareShapes).map((t) => {
      if (!TENSOR_TYPES.has(t.elementType)) {
        throw new OvcacheError(
          'OVCACHE_ELEMENT_TYPE_UNSUPPORTED',
          `Input "${t.name}" has element type ${t.elementType}, for which openvino-node's Tensor has no constructor`,
        );
      }
      return callOpenvinoNode(
        'new Tensor',
        () => new this.addon.Tensor(t.elementType as OpenvinoNodeElementName, t.shape, t.data as TypedArray),
      );
    });
    const outputs = await callOpenvinoNodeAsync('InferRequest.inferAsync', () => request.inferAsync(tensors));
    const result: Record<string, Tensor> = {};
    for (const [name, tensor] of Object.entries(outputs)) {
      result[name] = callOpenvinoNode('Tensor.getData', () => ({
        data: tensor.getData(),
        shape: tensor.getShape(),
        elementType: elementTypeOf(tensor.getElementType()),
      }));
    }
    return result;
  }

  /** @internal */
  request(): OpenvinoNodeInferRequest {
    if (this.handle === undefined) throw new OvcacheError('OVCACHE_DISPOSED', 'This InferRequest has been disposed');
    return this.handle;
  }

  dispose(): void {
    this.handle = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
