// The openvino-node part of `ovcache doctor`: whether OpenVINO's own Node binding is installed
// (next to the application or ovcache, or at OVCACHE_OPENVINO_NODE), its runtime's version and
// devices, read through ovcache's adapter (fromOpenvinoNode).
import { fromOpenvinoNode } from '../../adapters/openvino-node/core';
import { loadOpenvinoNode } from '../../adapters/openvino-node/locate';
import { deviceInfoOf, type DeviceInfo } from '../../openvino/core';

export interface DoctorOpenvinoNode {
  found: boolean;
  /** The module loaded. */
  path?: string;
  /** openvino-node's package version (its runtime's build is in `runtime`). */
  packageVersion?: string;
  runtime?: { buildNumber: string; description: string; standIn: boolean };
  devices?: Array<DeviceInfo & { error?: string }>;
  /** Why it is not usable: not installed, or its runtime does not load. */
  reason?: string;
  code?: string;
}

export function doctorOpenvinoNode(): DoctorOpenvinoNode {
  try {
    const found = loadOpenvinoNode();
    const core = fromOpenvinoNode(found.addon);
    const devices = core.availableDevices().map((name) => {
      try {
        return deviceInfoOf(core, name);
      } catch (error) {
        return { name, fullName: '', capabilities: [], canCache: false, error: (error as Error).message };
      }
    });
    const { buildNumber, description } = core.runtime.version;
    core.dispose();
    return {
      found: true,
      path: found.path,
      ...(found.packageVersion ? { packageVersion: found.packageVersion } : {}),
      runtime: { buildNumber, description, standIn: core.runtime.isStandIn },
      devices,
    };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { found: false, reason: e.message ?? String(error), ...(e.code ? { code: e.code } : {}) };
  }
}

export function formatDoctorOpenvinoNode(report: DoctorOpenvinoNode): string {
  if (!report.found || !report.runtime) return `openvino-node: not usable (${report.reason ?? 'unknown reason'})`;
  const lines = [
    `openvino-node: ${report.path}${report.packageVersion ? ` (package ${report.packageVersion})` : ''}`,
    `          OpenVINO ${report.runtime.buildNumber}; use it with new ModelCache({ core: fromOpenvinoNode(require('openvino-node').addon) })`,
  ];
  if (report.runtime.standIn) lines.push('          Its runtime is the ovcache TEST STAND-IN, not OpenVINO: timings are simulated.');
  for (const d of report.devices ?? []) {
    const cache = d.canCache ? 'can cache (EXPORT_IMPORT)' : 'cannot cache';
    lines.push(`  ${d.name.padEnd(6)} ${d.fullName}${d.architecture ? ` [${d.architecture}]` : ''} - ${d.error ?? cache}`);
  }
  return lines.join('\n');
}
