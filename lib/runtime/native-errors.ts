// Turns the plain Errors the addon throws (code/status/call/ovMessage fields) into
// OpenVINOError / OvcacheError. Every call into the addon goes through callNative or
// callNativeAsync so that no untyped error reaches users.
import { OpenVINOError, OvcacheError, type OpenVINOErrorCode, type OvcacheErrorCode } from '../errors';

export function fromNativeError(error: unknown): unknown {
  if (error instanceof OvcacheError || !(error instanceof Error)) return error;
  const fields = error as Error & { code?: unknown; status?: unknown; call?: unknown; ovMessage?: unknown };
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  if (typeof fields.status === 'number' && code?.startsWith('OV_')) {
    return new OpenVINOError({
      code: code as OpenVINOErrorCode,
      status: fields.status,
      call: typeof fields.call === 'string' ? fields.call : 'unknown',
      ovMessage: typeof fields.ovMessage === 'string' && fields.ovMessage.length > 0 ? fields.ovMessage : undefined,
      // The addon's text: OpenVINO's own when it belongs to this failure, else the status's.
      message: error.message,
    });
  }
  if (code?.startsWith('OVCACHE_')) {
    const wrapped = new OvcacheError(code as OvcacheErrorCode, error.message);
    if (typeof fields.call === 'string') Object.assign(wrapped, { call: fields.call });
    return wrapped;
  }
  return error;
}

export function callNative<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw fromNativeError(error);
  }
}

export async function callNativeAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw fromNativeError(error);
  }
}
