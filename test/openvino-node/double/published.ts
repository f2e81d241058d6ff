// openvino-node's published declarations (test/openvino-node/published-types/, fetched by
// scripts/openvino-node-types.js) and the helpers the double needs to implement them.
// Its interfaces put a construct signature (`new (): Core`) on the instance type, which no
// class instance has: Instance<T> is the instance part (every member), which the double's
// classes `implements`; asPublished gives such an instance back the published type.
export type * as ovn from '../published-types/addon';

export type Instance<T> = Pick<T, keyof T>;

export function asPublished<T>(instance: Instance<T>): T {
  return instance;
}

/** What openvino-node throws: a plain Error with OpenVINO's text (Napi::Error from e.what()). */
export function plainError(error: unknown): Error {
  const e = error as { ovMessage?: unknown; message?: unknown };
  const text = typeof e.ovMessage === 'string' && e.ovMessage ? e.ovMessage : String(e.message ?? error);
  return new Error(text);
}

export function notInDouble(what: string): Error {
  return new Error(`Not Implemented: ${what} is not part of the openvino-node conformance double`);
}

/** Runs fn, rethrowing ovcache's errors as openvino-node's plain ones. */
export function asOpenvinoNode<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw plainError(error);
  }
}

export async function asOpenvinoNodeAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw plainError(error);
  }
}
