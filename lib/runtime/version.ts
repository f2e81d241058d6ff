// OpenVINO versions: parsing the build number and the range ovcache supports.
//
// Supported: 2024.2 to 2026.4, the lines native/abi/releases.json records. The addon maps ov_element_type_e by the loaded runtime's
// version (native/element_types.h has the evidence):
//  - 2024.2 .. 2025.0: UNDEFINED=0, DYNAMIC=1, ..., F32=5, I32=10, I64=11, U8=17 (upstream
//    ov_common.h as bindgen read it for 2024.4.0 in intel/openvino-rs 100eabc; that table ran
//    against 2024.2.0 .. 2024.6.0 runtimes in openvino-rs CI, 2af130a and 1b259b0);
//  - 2025.1 and later: DYNAMIC=0, ..., F32=4, I32=9, I64=10, U8=16 (openvino-rs e7f5cdc for
//    2025.1.0, f1b9361 for 2026.1.2; upstream PR #28766, then #32573 removed UNDEFINED).
// Older than 2024.2: 2024.2 inserted U2/U3/U6 (openvino-rs #143), a third table nobody checked
// here. Newer than 2026.4: refused until its header is checked and a line added to the table,
// since the enum could move again (it did in 2025.1);
// OVCACHE_SKIP_VERSION_CHECK=1 overrides at the user's risk.
import { OvcacheError } from '../errors';
import { isTruthyFlag } from '../log';

export interface OpenVINOVersion {
  /** As the runtime reports it, e.g. "2025.4.0-20398-abc". */
  buildNumber: string;
  description: string;
  major: number;
  minor: number;
  patch: number;
}

export const MIN_SUPPORTED = { major: 2024, minor: 2 } as const;
export const MAX_SUPPORTED = { major: 2026, minor: 4 } as const;

export function parseBuildNumber(buildNumber: string, description = ''): OpenVINOVersion {
  const match = /^(\d{4})\.(\d+)(?:\.(\d+))?/.exec(buildNumber.trim());
  if (!match) {
    throw new OvcacheError('OVCACHE_RUNTIME_UNSUPPORTED_VERSION', `Cannot parse the OpenVINO version "${buildNumber}"`);
  }
  return { buildNumber, description, major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

export function isSupported(v: OpenVINOVersion): boolean {
  if (v.major < MIN_SUPPORTED.major || (v.major === MIN_SUPPORTED.major && v.minor < MIN_SUPPORTED.minor)) return false;
  return v.major < MAX_SUPPORTED.major || (v.major === MAX_SUPPORTED.major && v.minor <= MAX_SUPPORTED.minor);
}

export function checkSupported(v: OpenVINOVersion, libraryPath: string, env: NodeJS.ProcessEnv = process.env): void {
  if (isSupported(v) || isTruthyFlag(env.OVCACHE_SKIP_VERSION_CHECK)) return;
  throw new OvcacheError(
    'OVCACHE_RUNTIME_UNSUPPORTED_VERSION',
    `OpenVINO ${v.buildNumber} at ${libraryPath} is outside the supported range ` +
      `${MIN_SUPPORTED.major}.${MIN_SUPPORTED.minor} to ${MAX_SUPPORTED.major}.${MAX_SUPPORTED.minor}. ` +
      'Install a supported release (pip install "openvino>=2024.2"), point OPENVINO_LIB_PATH at one, ' +
      'or set OVCACHE_SKIP_VERSION_CHECK=1 to try anyway.',
  );
}
