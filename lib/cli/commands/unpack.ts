// `ovcache unpack <bundle>`: verify a bundle and install its entries. Entries for another
// OpenVINO build or another device are refused unless --force. Exit code 1 when any entry was
// refused or damaged.
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { unpackBundle, type LocalIdentity } from '../../fleet/bundle-unpack';
import { deviceIdentity } from '../../fleet/device-identity';
import { formatTable } from '../../format/table';
import { formatBytes, formatDuration } from '../../format/units';
import { loadOpenVINOSync } from '../../openvino/openvino';
import { logger } from '../../log';
import { print, printJson, resolveCacheDir, withCacheOptions, withLibraryOption } from '../cache-dir-option';
import { EXIT } from '../exit-codes';
import { createProgress, type Progress } from '../progress';
import { trustFromEnv, trustFromFlags, TRUSTED_KEYS_ENV } from '../../trust/trust-options';

const log = logger('cli');

interface UnpackOptions {
  dir?: string;
  json?: boolean;
  library?: string;
  force?: boolean;
  trust?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** This machine's build and devices, or null without a runtime (then only --force installs). */
function localIdentity(library: string | undefined): { identity: LocalIdentity | null; dispose: () => void } {
  try {
    const ov = loadOpenVINOSync(library ? { libraryPath: library } : {});
    const core = ov.createCore();
    return {
      identity: { buildNumber: ov.version.buildNumber, device: (name) => deviceIdentity(core, name) },
      dispose: () => core.dispose(),
    };
  } catch (error) {
    log('no runtime to compare bundled entries with: %s', (error as Error).message);
    return { identity: null, dispose: () => undefined };
  }
}

export function registerUnpack(program: Command): void {
  const command = program
    .command('unpack')
    .description("verify a bundle and install its entries (refusing another OpenVINO build's or device's unless --force)")
    .argument('<bundle>', 'a bundle written by "ovcache pack"')
    .allowExcessArguments(false)
    .option('--force', 'install entries for another build or device too, and replace complete local entries')
    .option(
      '--trust <pub.pem>',
      `accept the bundle only if every entry is signed by this public key (repeatable; default: $${TRUSTED_KEYS_ENV})`,
      collect,
    );
  withLibraryOption(withCacheOptions(command)).action(async (file: string, opts: UnpackOptions) => {
    const { dir } = resolveCacheDir(opts);
    // --trust wins over the environment; a key that does not load fails before anything is read.
    const trust = opts.trust ? trustFromFlags({ trust: opts.trust }) : trustFromEnv();
    const local = localIdentity(opts.library);
    const started = performance.now();
    let progress: Progress | undefined;
    let report;
    try {
      report = await unpackBundle(dir, file, local.identity, {
        force: opts.force === true,
        trust,
        onProgress: (done, total, label) => {
          if (opts.json) return;
          progress ??= createProgress(total, 'unpacking', process.stderr, 1);
          progress.update(done, label);
        },
      });
    } finally {
      progress?.stop();
      local.dispose();
    }
    const ms = performance.now() - started;
    const bad = report.entries.filter((e) => e.status === 'refused' || e.status === 'invalid' || e.status === 'busy');
    process.exitCode = bad.length > 0 ? EXIT.FAILED : EXIT.OK;
    if (opts.json) {
      printJson(report);
      return;
    }
    print(
      formatTable(
        ['ENTRY', 'DEVICE', 'RESULT', ...(trust ? ['SIGNED BY'] : []), 'WHY'],
        report.entries.map((e) => [e.name, e.device, e.status, ...(trust ? [e.signedBy?.slice(0, 16) ?? '-'] : []), e.reason ?? '']),
      ),
    );
    const installed = report.entries.filter((e) => e.status === 'installed');
    const bytes = installed.reduce((n, e) => n + e.bytes, 0);
    print(
      `\n${installed.length} installed, ${report.entries.filter((e) => e.status === 'present').length} already present, ${bad.length} refused into ${dir} (${formatBytes(bytes)} written in ${formatDuration(ms)})`,
    );
  });
}
