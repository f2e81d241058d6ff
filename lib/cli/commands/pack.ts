// `ovcache pack <out.tar.gz> [selectors...]`: write cache entries (all complete ones, or those
// the selectors name, as `ovcache rm` reads them) with their manifests and digests to a bundle.
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { checkCacheFolder } from '../../cache/cache-dir';
import { scanCache } from '../../cache/scan';
import { OvcacheError } from '../../errors';
import { packBundle } from '../../fleet/bundle-pack';
import { formatBytes, formatDuration } from '../../format/units';
import { print, printJson, resolveCacheDir, withCacheOptions } from '../cache-dir-option';
import { matchTargets } from './rm';
import { trustFromFlags } from '../../trust/trust-options';
import { countOf } from '../../format/count';
import { createProgress } from '../progress';

interface PackOptions {
  dir?: string;
  json?: boolean;
  sign?: string;
  trust?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerPack(program: Command): void {
  const command = program
    .command('pack')
    .description('write cache entries, with their manifests and digests, to one .tar.gz bundle')
    .argument('<out>', 'the bundle to write, e.g. models-cache.tar.gz')
    .argument('[selectors...]', 'model names, entry folder names or key prefixes (default: every complete entry)')
    .option(
      '--sign <key.pem>',
      'sign every entry compiled here or verified on arrival with this Ed25519 private key (only with --sign: never from the environment)',
    )
    .option('--trust <pub.pem>', 'with --sign: also re-sign entries that arrived signed by this public key (repeatable)', collect);
  withCacheOptions(command).action(async (out: string, selectors: string[], opts: PackOptions) => {
    const { dir } = resolveCacheDir(opts);
    // A folder others can write into may hold planted blobs: never export (and so vouch for) them.
    checkCacheFolder(dir);
    // Only --sign signs: OVCACHE_SIGNING_KEY in a container's environment must not sign bundles by surprise.
    const flags = opts.sign ? trustFromFlags({ sign: opts.sign, trust: opts.trust }) : undefined;
    if (opts.trust?.length && !opts.sign)
      throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', '--trust applies with --sign: add --sign <key.pem>');
    const signer = flags?.signer;
    const trusted = flags?.trusted;
    const scan = await scanCache(dir, { checkModels: false });
    const complete = scan.entries.filter((e) => e.manifest === 'ok' && e.complete);
    let chosen = complete;
    if (selectors.length > 0) {
      const names = new Set<string>();
      for (const s of selectors) {
        const matched = matchTargets(complete, s);
        if (matched.length === 0) throw new OvcacheError('OVCACHE_ENTRY_NOT_FOUND', `No complete entry matches "${s}" in ${dir}`);
        for (const e of matched) names.add(e.name);
      }
      chosen = complete.filter((e) => names.has(e.name));
    }
    const started = performance.now();
    const progress = opts.json ? undefined : createProgress(chosen.length, 'packing', process.stderr, 1);
    let report;
    try {
      report = await packBundle(dir, chosen, out, {
        signer,
        ...(trusted ? { trusted } : {}),
        onProgress: (done, _total, label) => progress?.update(done, label),
      });
    } finally {
      progress?.stop();
    }
    const ms = performance.now() - started;
    if (opts.json) {
      printJson({ dir, ...report });
      return;
    }
    const skipped = report.skipped.length > 0 ? `; skipped ${report.skipped.map((s) => `${s.name} (${s.reason})`).join(', ')}` : '';
    const signed = signer ? `, signed by key ${signer.keyId.slice(0, 16)}` : '';
    print(
      `Packed ${countOf(report.entries.length, 'entry')} (${formatBytes(report.bytes)}) into ${report.file} (${formatBytes(report.archiveBytes)}) in ${formatDuration(ms)}${signed}${skipped}`,
    );
  });
}
