// openvino-node throws plain Errors carrying OpenVINO's exception text (Napi::Error from
// e.what()); ovcache's callers expect OpenVINOError with a code. The C layer maps exception
// CLASSES to statuses (facts §2); here only the text is left, so the mapping reads the markers
// OpenVINO's exception types put in it and falls back to GENERAL_ERROR, as the C layer does for
// every other ov::Exception.
import { OpenVINOError, OvcacheError, type OpenVINOErrorCode } from '../../errors';

/** ov_status_e values of the codes this mapping gives. */
const STATUS: Partial<Record<OpenVINOErrorCode, number>> = {
  OV_GENERAL_ERROR: -1,
  OV_NOT_IMPLEMENTED: -2,
  OV_REQUEST_BUSY: -8,
  OV_INFER_CANCELLED: -13,
  OV_INVALID_C_PARAM: -14,
};

/** The code for one of openvino-node's error texts. */
export function openvinoNodeErrorCode(text: string): OpenVINOErrorCode {
  if (/\bnot\s*implemented\b/i.test(text)) return 'OV_NOT_IMPLEMENTED';
  if (/\bbusy\b|\bREQUEST_BUSY\b/i.test(text)) return 'OV_REQUEST_BUSY';
  if (/\b(cancelled|canceled|INFER_CANCELLED)\b/i.test(text)) return 'OV_INFER_CANCELLED';
  // openvino-node's own argument checks, before any OpenVINO call.
  if (/called with incorrect parameters|Invalid (?:argument|parameters)|Cannot convert argument/i.test(text)) return 'OV_INVALID_C_PARAM';
  return 'OV_GENERAL_ERROR';
}

/** An openvino-node failure as OpenVINOError; `call` names the openvino-node method. */
export function fromOpenvinoNodeError(error: unknown, call: string): unknown {
  if (error instanceof OvcacheError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const code = openvinoNodeErrorCode(text);
  const wrapped = new OpenVINOError({
    code,
    status: STATUS[code] ?? -1,
    call,
    ovMessage: text || undefined,
    message: `openvino-node ${call} failed with ${code}${text ? `: ${text}` : ''}`,
  });
  if (error instanceof Error) Object.defineProperty(wrapped, 'cause', { value: error, enumerable: false });
  return wrapped;
}

export function callOpenvinoNode<T>(call: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw fromOpenvinoNodeError(error, call);
  }
}

export async function callOpenvinoNodeAsync<T>(call: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw fromOpenvinoNodeError(error, call);
  }
}
