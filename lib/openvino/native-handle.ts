// What every wrapper of an OpenVINO object shares: the native handle and its disposal.
import { callNative } from '../runtime/native-errors';

interface Disposable {
  dispose(): void;
  readonly disposed: boolean;
}

export abstract class NativeHandle<N extends Disposable> {
  /** @internal */
  readonly native: N;

  protected constructor(native: N) {
    this.native = native;
  }

  get disposed(): boolean {
    return this.native.disposed;
  }

  /** Frees the OpenVINO object; idempotent. Later calls throw OVCACHE_DISPOSED. */
  dispose(): void {
    callNative(() => this.native.dispose());
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
