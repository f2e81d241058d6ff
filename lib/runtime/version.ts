// OpenVINO versions: parsing the build number and the range ovcache supports.
//
// Oldest supported: 2024.2. Reasons, from the upstream C headers' history:
//  - 2024.2 (PR #24608) inserted U2/U3/U6 into ov_element_type_e, renumbering U4..U64;
//    earlier releases would need a third numbering table nobody can test against here;
//  - ov_get_last_err_msg (PR #20643, 2023.3) and the ov_port_* calls are present;
//  - CACHE_MODE / weightless caching need 2024.5+ on GPU but older runtimes still cache.
// 2026.0 (PR #32573) removed UNDEFINED from ov_element_type_e: the addon picks the
// numbering by major version. Newer than 2026.x: refused until checked, since the enum could
// move again; OVCACHE_SKIP_VERSION_CHECK=1 overrides at the user's risk.
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
export const MAX_SUPPORTED_MAJOR = 2026;

export function parseBuildNumber(buildNumber: string, description = ''): OpenVINOVersion {
  const match = /^(\d{4})\.(\d+)(?:\.(\d+))?/.exec(buildNumber.trim());
  if (!match) {
    throw new OvcacheError('OVCACHE_RUNTIME_UNSUPPORTED_VERSION', `Cannot parse the OpenVINO version "${buildNumber}"`);
  }
  return { buildNumber, description, major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

export function isSupported(v: OpenVINOVersion): boolean {
  if (v.major < MIN_SUPPORTED.major || (v.major === MIN_SUPPORTED.major && v.minor < MIN_SUPPORTED.minor)) return false;
  return v.major <= MAX_SUPPORTED_MAJOR;
}

export function checkSupported(v: OpenVINOVersion, libraryPath: string, env: NodeJS.ProcessEnv = process.env): void {
  if (isSupported(v) || isTruthyFlag(env.OVCACHE_SKIP_VERSION_CHECK)) return;
  throw new OvcacheError(
    'OVCACHE_RUNTIME_UNSUPPORTED_VERSION',
    `OpenVINO ${v.buildNumber} at ${libraryPath} is outside the supported range ` +
      `${MIN_SUPPORTED.major}.${MIN_SUPPORTED.minor} to ${MAX_SUPPORTED_MAJOR}.x. ` +
      'Install a supported release (pip install "openvino>=2024.2"), point OPENVINO_LIB_PATH at one, ' +
      'or set OVCACHE_SKIP_VERSION_CHECK=1 to try anyway.',
  );
}
