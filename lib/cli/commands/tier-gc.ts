// `ovcache tier-gc <tier>`: removes from a fleet tier the files of publishes no manifest names
// (killed publishers, keys published again), once they are older than --older-than.
import { Option, type Command } from 'commander';
import { isOvcacheError, OvcacheError } from '../../errors';
import { createTier } from '../../fleet/fleet';
import type { TierOptions } from '../../fleet/fleet-options';
import { collectTierGarbage, DEFAULT_GC_AGE_MS } from '../../fleet/tier-gc';
import { formatBytes, formatDurationTyped } from '../../format/units';
import { formatTable } from '../../format/table';
import { durationArgument, print, printJson } from '../cache-dir-option';
import { EXIT } from '../exit-codes';
import { countOf } from '../../format/count';

interface TierGcOptions {
  endpoint?: string;
  region?: string;
  olderThan?: number;
  dryRun?: boolean;
  json?: boolean;
  shared?: string;
}

function usage(message: string): OvcacheError {
  return new OvcacheError('OVCACHE_INVALID_ARGUMENT', `${message} (expected a folder path or s3://bucket/prefix)`);
}

/** An S3 bucket name as S3 allows it: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * A folder path, or s3://bucket/prefix (credentials from the AWS SDK's usual chain). Anything
 * shaped like a URL is parsed as one: s3:// without a bucket, another scheme, or a query is a
 * usage error, never a folder named "s3:".
 */
export function tierFromArgument(spec: string, opts: { endpoint?: string; region?: string }): TierOptions {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(spec)?.[1];
  // One letter is a Windows drive (C:\cache), not a scheme.
  if (scheme === undefined || (scheme.length === 1 && process.platform === 'win32')) {
    if (opts.endpoint !== undefined) throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', '--endpoint is for s3:// tiers only');
    return { path: spec };
  }
  if (scheme.toLowerCase() !== 's3') throw usage(`Unsupported tier "${spec}": ${scheme}: is not a tier scheme`);
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw usage(`"${spec}" is not a URL`);
  }
  if (!spec.slice(scheme.length + 1).startsWith('//')) throw usage(`"${spec}" is not an s3:// URL`);
  const bucket = url.hostname;
  if (bucket === '') throw usage(`"${spec}" names no bucket`);
  if (!BUCKET.test(bucket)) throw usage(`"${bucket}" in "${spec}" is not an S3 bucket name`);
  if (url.username || url.password || url.port || url.search || url.hash)
    throw usage(`"${spec}" has parts an s3:// tier does not take (user, port, query or fragment)`);
  const prefix = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  return {
    s3: {
      bucket,
      ...(prefix ? { prefix } : {}),
      ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
      ...(opts.region !== undefined ? { region: opts.region } : {}),
    },
  };
}

export function registerTierGc(program: Command): void {
  program
    .command('tier-gc <tier>')
    .description('remove from a fleet tier (a folder or s3://bucket/prefix) the files of publishes that no manifest names')
    .option('--endpoint <url>', 'S3-compatible endpoint (MinIO, Ceph, R2); credentials come from the AWS SDK chain')
    .option('--region <region>', 'S3 region (default AWS_REGION, else us-east-1)')
    .addOption(
      new Option('--older-than <duration>', 'leave what is younger alone')
        .argParser(durationArgument('--older-than'))
        .default(DEFAULT_GC_AGE_MS, formatDurationTyped(DEFAULT_GC_AGE_MS)),
    )
    .option('--shared <mode>', "a folder tier made with shared: 'group' (group-writable, 2775): accept it when this user is in its group")
    .option('--dry-run', 'show what would be removed, remove nothing')
    .option('--json', 'machine-readable output')
    .action(async (spec: string, opts: TierGcOptions) => {
      let tierOptions: TierOptions;
      try {
        tierOptions = tierFromArgument(spec, opts);
        if (opts.shared !== undefined) {
          if (opts.shared !== 'group') throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `--shared takes "group", not "${opts.shared}"`);
          if (!('path' in tierOptions)) throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', '--shared is for folder tiers only');
          tierOptions = { ...tierOptions, shared: 'group' };
        }
      } catch (error) {
        if (!isOvcacheError(error, 'OVCACHE_INVALID_ARGUMENT')) throw error;
        process.stderr.write(`ovcache tier-gc: [${error.code}] ${error.message}\n`);
        process.exitCode = EXIT.USAGE;
        return;
      }
      // A dry run opens the tier read-only: nothing can be written or removed.
      const tier = createTier({ ...tierOptions, readOnly: Boolean(opts.dryRun) });
      try {
        await tier.health(AbortSignal.timeout(30_000)).catch((error: Error) => {
          // A folder others can write into is reachable, and refused as what it is.
          if (isOvcacheError(error, 'OVCACHE_CACHE_DIR_INSECURE')) {
            if (opts.shared === undefined && /writable by its group|owned by another user/.test(error.message))
              throw new OvcacheError('OVCACHE_CACHE_DIR_INSECURE', `${error.message} For tier-gc, that is --shared group.`, {
                cause: error,
              });
            throw error;
          }
          throw new OvcacheError('OVCACHE_TIER_UNAVAILABLE', `${tier.name} cannot be reached: ${error.message}`, { cause: error });
        });
        const report = await collectTierGarbage(tier, {
          dryRun: Boolean(opts.dryRun),
          ...(opts.olderThan !== undefined ? { olderThanMs: opts.olderThan } : {}),
        });
        if (opts.json) {
          printJson(report);
          return;
        }
        const lines: string[] = [];
        if (report.removed.length > 0) {
          lines.push(
            formatTable(
              ['KEY', 'UPLOAD', 'WHY', 'FILES', 'SIZE'],
              report.removed.map((g) => [g.key.slice(0, 12), g.uploadId, g.why, String(g.files), formatBytes(g.bytes)]),
              { align: ['left', 'left', 'left', 'right', 'right'] },
            ),
            '',
          );
        }
        const verb = report.dryRun ? 'Would remove' : 'Removed';
        lines.push(
          `${verb} ${countOf(report.removed.length, 'unreferenced upload')}, ${formatBytes(report.bytesFreed)}, from ${report.tier}; ` +
            `${countOf(report.entries, 'entry')} (${formatBytes(report.entryBytes)}) ${report.entries === 1 ? 'stays' : 'stay'}.`,
        );
        if (report.young.length > 0)
          lines.push(
            `Left ${report.young.length} younger than ${formatDurationTyped(opts.olderThan ?? DEFAULT_GC_AGE_MS)} (a publish may be in progress).`,
          );
        print(lines.join('\n'));
        process.exitCode = EXIT.OK;
      } finally {
        await tier.close();
      }
    });
}
