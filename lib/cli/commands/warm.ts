// `ovcache warm <manifest>`: compile everything a manifest lists into the cache and its
// writable tiers (an init container, a CI step). Exit code: 0 when every model is compiled or
// already cached, 1 when any failed (or no runtime), 2 for a bad manifest or option.
import path from 'node:path';
import type { Command } from 'commander';
import { checkCacheFolder } from '../../cache/cache-dir';
import { ModelCache } from '../../model-cache';
import { Fleet } from '../../fleet/fleet';
import { isOvcacheError, OvcacheError } from '../../errors';
import { readWarmManifest, type WarmManifest } from '../../fleet/warm-manifest';
import type { WarmReport, WarmResult } from '../../fleet/warm';
import { formatDuration } from '../../format/units';
import { formatTable } from '../../format/table';
import { loadOpenVINO } from '../../openvino/openvino';
import type { CompileProgress } from '../../cache/progress/compile-progress';
import { print, printJson, resolveCacheDir, withCacheOptions } from '../cache-dir-option';
import { EXIT } from '../exit-codes';
import { createProgress } from '../progress';
import { modelPhaseText } from '../compile-phases';
import { SIGNING_KEY_ENV, TRUSTED_KEYS_ENV, trustFromFlags } from '../../trust/trust-options';

interface WarmOptions {
  dir?: string;
  json?: boolean;
  library?: string;
  sign?: string;
  trust?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function shapesText(r: WarmResult): string {
  if (!r.shapes) return '-';
  return Object.entries(r.shapes)
    .map(
      ([name, dims]) =>
        `${name}=${Array.isArray(dims) ? dims.map((d) => (typeof d === 'number' ? String(d) : JSON.stringify(d))).join('x') : dims}`,
    )
    .join(' ');
}

export function formatWarmReport(report: WarmReport, dir: string): string {
  const table = formatTable(
    ['MODEL', 'DEVICE', 'SHAPES', 'RESULT', 'FROM', 'TIME'],
    report.results.map((r) => [
      path.basename(r.model),
      r.device,
      shapesText(r),
      r.status === 'cached' ? 'already cached' : r.status,
      r.status === 'failed' ? `${r.error?.code ? `[${r.error.code}] ` : ''}${r.error?.message ?? ''}` : (r.from ?? 'compiled here'),
      formatDuration(r.ms),
    ]),
  );
  const publishes = report.results.flatMap((r) =>
    r.published.map((p) => {
      const what =
        p.outcome === 'published' ? (p.signedBy ? `published, signed by key ${p.signedBy.slice(0, 16)}` : 'published unsigned') : p.outcome;
      return `  ${path.basename(r.model)} ${r.device} -> ${p.tier}: ${what}${p.reason ? ` (${p.reason})` : ''}`;
    }),
  );
  const tierLines = publishes.length > 0 ? `\n\nTiers:\n${publishes.join('\n')}` : '';
  return `${table}${tierLines}\n\n${report.compiled} compiled, ${report.cached} already cached, ${report.failed} failed in ${formatDuration(report.ms)} (cache ${dir})`;
}

export function registerWarm(program: Command): void {
  const command = program
    .command('warm')
    .description('compile every model a YAML or JSON manifest lists into the cache and its writable tiers')
    .argument('<manifest>', 'the manifest (.yaml, .yml or .json)')
    .allowExcessArguments(false)
    .option('--library <path>', 'the OpenVINO C library to use')
    .option('--sign <key.pem>', `sign every entry published to the tiers with this Ed25519 private key (default: $${SIGNING_KEY_ENV})`)
    .option(
      '--trust <pub.pem>',
      `take from the tiers only entries signed by this public key (repeatable; default: the --sign key's, else $${TRUSTED_KEYS_ENV})`,
      collect,
    );
  withCacheOptions(command).action(async (file: string, opts: WarmOptions) => {
    let manifest: WarmManifest;
    try {
      manifest = await readWarmManifest(file);
    } catch (error) {
      if (!isOvcacheError(error, 'OVCACHE_WARM_MANIFEST_INVALID')) throw error;
      process.stderr.write(`ovcache warm: [${error.code}] ${error.message}\n`);
      process.exitCode = EXIT.USAGE;
      return;
    }
    const { dir } = opts.dir !== undefined || manifest.dir === undefined ? resolveCacheDir(opts) : { dir: manifest.dir };
    // Refused up front, not once per model: warm reports entries it would then vouch for.
    checkCacheFolder(dir);
    const runtime = await loadOpenVINO(opts.library ? { libraryPath: opts.library } : {});
    const { models: _models, dir: _dir, tiers, ...fleet } = manifest;
    const flags = trustFromFlags(opts);
    if (flags && !tiers?.length)
      throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `--sign and --trust apply to tiers, and ${file} lists none: add tiers to it`);
    const trust = flags
      ? {
          trust: {
            ...(flags.signer ? { signingKey: flags.signer.privateKey } : {}),
            trustedKeys: [...flags.trusted.values()].map((k) => k.key),
          },
        }
      : {};
    const cache = new ModelCache({
      runtime,
      dir,
      ...(tiers && tiers.length > 0 ? { fleet: new Fleet({ ...fleet, tiers, ...trust }) } : {}),
    });
    const progress = opts.json ? undefined : createProgress(manifest.models.length, 'warming', process.stderr, 1);
    let report: WarmReport;
    let done = 0;
    try {
      report = await cache.warm(manifest, {
        onProgress: (n, _total, label) => progress?.update((done = n), path.basename(label)),
        ...(progress ? { onCompileProgress: (model: string, p: CompileProgress) => progress.update(done, modelPhaseText(model, p)) } : {}),
      });
    } finally {
      progress?.stop();
      await cache.fleet?.close();
      await cache.dispose();
    }
    if (opts.json) printJson({ dir, ...report, tiers: cache.fleet?.tiers.map((t) => t.name) ?? [] });
    else print(formatWarmReport(report, dir));
    process.exitCode = report.failed > 0 ? EXIT.FAILED : EXIT.OK;
  });
}
