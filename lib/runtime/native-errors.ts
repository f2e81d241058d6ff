// Turns the plain Errors the addon throws (code/status/call/ovMessage fields) into
// OpenVINOError / OvcacheError. Every call into the addon goes through callNative or
// callNativeAsync so that no untyped error reaches users.
import { OpenVINOError, OvcacheError, type OpenVINOErrorCode, type OvcacheErrorCode } from '../errors';

export function fromNativeError(error: unknown): unknown {
  if (error instanceof OvcacheError || !(error instanceof Error)) return error;
  const fields = error as Error & {
    code?: unknown;
    status?: unknown;
    call?: unknown;
    ovMessage?: unknown;
    missing?: unknown;
    neededBy?: unknown;
  };
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  if (typeof fields.status === 'number' && code?.startsWith('OV_')) {
    return new OpenVINOError({
      code: code as OpenVINOErrorCode,
      status: fields.status,
      call: typeof fields.call === 'string' ? fields.call : 'unknown',
      ovMessage: typeof fields.ovMessage === 'string' && fields.ovMessage.length > 0 ? fields.ovMessage : undefined,
      // The addon's text: OpenVINO's own when it belongs to this failure, else the status's.
      message: withPluginHint(error.message, typeof fields.ovMessage === 'string' ? fields.ovMessage : ''),
    });
  }
  if (code?.startsWith('OVCACHE_')) {
    const wrapped = new OvcacheError(code as OvcacheErrorCode, error.message);
    if (typeof fields.call === 'string') Object.assign(wrapped, { call: fields.call });
    // OVCACHE_RUNTIME_LOAD_FAILED for a dependency the loader could not find: its soname, and
    // the file that needs it.
    if (typeof fields.missing === 'string') Object.assign(wrapped, { missing: fields.missing });
    if (typeof fields.neededBy === 'string') Object.assign(wrapped, { neededBy: fields.neededBy });
    return wrapped;
  }
  return error;
}

/**
 * Device plugin libraries by device name, as upstream builds them (src/plugins/*: the CMake
 * target names, lib prefix and .so added). ARM machines ship libopenvino_arm_cpu_plugin.so.
 */
const PLUGIN_FILES: Record<string, string> = {
  CPU: 'libopenvino_intel_cpu_plugin.so (libopenvino_arm_cpu_plugin.so on ARM)',
  GPU: 'libopenvino_intel_gpu_plugin.so',
  NPU: 'libopenvino_intel_npu_plugin.so',
  AUTO: 'libopenvino_auto_plugin.so',
  MULTI: 'libopenvino_auto_plugin.so',
  HETERO: 'libopenvino_hetero_plugin.so',
  BATCH: 'libopenvino_auto_batch_plugin.so',
};

/**
 * OpenVINO registers a device only when its plugin library file exists
 * (CoreImpl::register_compile_time_plugins, src/inference/src/dev/core_impl.cpp), so a missing
 * plugin file reads "Device with "CPU" name is not registered": name the file to look for.
 */
function withPluginHint(message: string, ovMessage: string): string {
  const device = /Device with "([A-Z]+)[^"]*" name is not registered/.exec(ovMessage)?.[1];
  const file = device === undefined ? undefined : PLUGIN_FILES[device];
  if (file === undefined) return message;
  return (
    `${message}\nOpenVINO registers ${device} only when its plugin library ${file} is found beside libopenvino.so ` +
    '(or in its openvino-<version>/ subfolder, as the APT, YUM and conda packages install it). Reinstall the runtime ' +
    'with its plugins, or run `npx ovcache doctor` to see the devices found.'
  );
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
