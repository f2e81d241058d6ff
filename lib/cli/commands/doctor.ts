// `ovcache doctor`: which OpenVINO runtime would be used, why, and what it can do.
import path from 'node:path';
import type { Command } from 'commander';
import { loadOpenVINOSync, type OpenVINO } from '../../openvino/openvino';
import type { DeviceInfo } from '../../openvino/core';
import { findRuntimeLibrary } from '../../runtime/finder';
import { describeProbes } from '../../runtime/finder-report';
import type { Probe } from '../../runtime/probe';
import { isSupported } from '../../runtime/version';
import { EXIT } from '../exit-codes';
import { givenSizeArgument, type GivenSize } from '../cache-dir-option';
import { formatNoRuntime } from './doctor-search';
import { doctorCacheSection, formatDoctorCache, type DoctorCache } from './doctor-cache';
import { doctorFleetSection, formatDoctorFleet, type DoctorFleet } from './doctor-fleet';
import { doctorTrustSection, formatDoctorTrust, type DoctorTrust } from './doctor-trust';
import { doctorOpenvinoNode, formatDoctorOpenvinoNode, type DoctorOpenvinoNode } from './doctor-openvino-node';

export interface DoctorReport {
  ok: boolean;
  library?: { path: string; foundVia: string; standIn: boolean };
  version?: { buildNumber: string; description: string; supported: boolean };
  devices?: Array<DeviceInfo & { error?: string }>;
  probes: Probe[];
  /** Why no runtime is usable; `missing` / `neededBy` name a runtime dependency the loader could not find. */
  error?: { code: string; message: string; missing?: string; neededBy?: string };
  cache?: DoctorCache;
  /** OpenVINO's own Node binding, when installed: ovcache runs on it through fromOpenvinoNode. */
  openvinoNode?: DoctorOpenvinoNode;
  /** With --fleet: the tiers and lease provider that file configures. */
  fleet?: DoctorFleet;
  /** The keys OVCACHE_SIGNING_KEY / OVCACHE_TRUSTED_KEYS load; an error in them makes ok false. */
  trust?: DoctorTrust;
}

/** ok when either ovcache's binding finds a runtime or openvino-node's runtime loads. */
export function runDoctor(options: { library?: string }): DoctorReport {
  const report = doctorBinding(options);
  report.openvinoNode = doctorOpenvinoNode();
  if (report.openvinoNode.found) report.ok = true;
  return report;
}

function doctorBinding(options: { library?: string }): DoctorReport {
  let ov: OpenVINO;
  try {
    ov = loadOpenVINOSync(options.library ? { libraryPath: options.library } : {});
  } catch (error) {
    const e = error as { code?: string; message?: string; probes?: Probe[]; missing?: string; neededBy?: string };
    return {
      ok: false,
      // A load failure carries no probes: the finder found the file; search again to list them.
      probes: e.probes ?? searchAgain(options),
      error: {
        code: e.code ?? 'UNKNOWN',
        message: e.message ?? String(error),
        ...(e.missing !== undefined ? { missing: e.missing } : {}),
        ...(e.neededBy !== undefined ? { neededBy: e.neededBy } : {}),
      },
    };
  }
  const core = ov.createCore();
  try {
    const devices = core.availableDevices().map((name) => {
      try {
        return core.deviceInfo(name);
      } catch (error) {
        return { name, fullName: '', capabilities: [], canCache: false, error: (error as Error).message };
      }
    });
    return {
      // A runtime with no device cannot compile anything: its plugin files are missing.
      ok: devices.length > 0,
      library: { path: ov.libraryPath, foundVia: ov.source, standIn: ov.isStandIn },
      version: { buildNumber: ov.version.buildNumber, description: ov.version.description, supported: isSupported(ov.version) },
      devices,
      probes: ov.probes,
    };
  } finally {
    core.dispose();
  }
}

/** The finder's probes for the same options (it only reads the file system). */
function searchAgain(options: { library?: string }): Probe[] {
  try {
    return findRuntimeLibrary(options.library ? { libraryPath: options.library } : {}).probes;
  } catch (error) {
    return (error as { probes?: Probe[] }).probes ?? [];
  }
}

export function formatDoctor(report: DoctorReport): string {
  const lines: string[] = [];
  if (!report.library && report.error?.code === 'OVCACHE_RUNTIME_NOT_FOUND') {
    return formatNoRuntime(report.probes, report.error.code).join('\n');
  }
  lines.push('Runtime search:', describeProbes(report.probes), '');
  if (!report.library || !report.version) {
    lines.push(`No usable OpenVINO runtime: [${report.error?.code}] ${report.error?.message ?? ''}`);
    if (report.error?.missing) {
      lines.push(`Missing dependency: ${report.error.missing}${report.error.neededBy ? ` (needed by ${report.error.neededBy})` : ''}`);
    }
    return lines.join('\n');
  }
  lines.push(`Library:  ${report.library.path} (found via ${report.library.foundVia})`);
  if (report.library.standIn) lines.push('          This is the ovcache TEST STAND-IN, not OpenVINO: timings are simulated.');
  lines.push(`OpenVINO: ${report.version.buildNumber} ${report.version.supported ? '(supported)' : '(OUTSIDE the supported range)'}`);
  lines.push('Devices:');
  if ((report.devices ?? []).length === 0) {
    lines.push('  none: the runtime lists no device, so it cannot compile. Its device plugins are missing:');
    lines.push(`  keep libopenvino_intel_cpu_plugin.so (and the GPU one) beside ${path.basename(report.library.path)}'s core library,`);
    lines.push('  or in its openvino-<version>/ folder, as the package that installed OpenVINO laid them out.');
  }
  for (const d of report.devices ?? []) {
    const cache = d.canCache ? 'can cache (EXPORT_IMPORT)' : 'cannot cache';
    lines.push(`  ${d.name.padEnd(6)} ${d.fullName}${d.architecture ? ` [${d.architecture}]` : ''} - ${d.error ?? cache}`);
  }
  return lines.join('\n');
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('show which OpenVINO runtime is found, its version and devices')
    .option('--json', 'print a JSON report')
    .option('--library <path>', 'use this libopenvino_c library or folder')
    .option('--dir <path>', 'the cache folder to report on (default: OVCACHE_DIR, else the user cache folder + "ovcache")')
    .option(
      '--max-size <size>',
      "the cache's budget (ModelCache maxBytes) to report usage against, e.g. 20GB",
      givenSizeArgument('--max-size'),
    )
    .option('--fleet <file>', 'a warm manifest (or YAML/JSON fleet options): report its tiers and who hands out leases')
    .action(async (opts: { json?: boolean; library?: string; dir?: string; maxSize?: GivenSize; fleet?: string }) => {
      const report = runDoctor(opts);
      report.cache = await doctorCacheSection(
        { ...(opts.dir !== undefined ? { dir: opts.dir } : {}), ...(opts.maxSize ? { maxSize: opts.maxSize.bytes } : {}) },
        report.version?.buildNumber,
      );
      if (opts.fleet) report.fleet = doctorFleetSection(opts.fleet);
      report.trust = doctorTrustSection();
      if (report.trust.errors.length > 0) report.ok = false;
      const fleetText = `${report.fleet ? `\n${formatDoctorFleet(report.fleet)}` : ''}\n${formatDoctorTrust(report.trust)}`;
      process.stdout.write(
        `${opts.json ? JSON.stringify(report, null, 2) : `${formatDoctor(report)}\n${formatDoctorOpenvinoNode(report.openvinoNode ?? { found: false })}\n${formatDoctorCache(report.cache, opts.maxSize?.units)}${fleetText}`}\n`,
      );
      process.exitCode = report.ok ? EXIT.OK : EXIT.FAILED;
    });
}
