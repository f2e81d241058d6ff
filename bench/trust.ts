// What signed entries cost (issue 22): for one 64 MB entry on a shared-folder tier, the time to
// sign its statement on publish and to verify it on copy-down, as a fraction of the copy-down
// in the same run. The sha256 of every file is computed with or without trust (publish digests,
// copy-down checks), so trust adds only the statement and one Ed25519 sign / verify. A local
// folder is the fastest tier there is, so the fraction is the largest here. Prints a table,
// writes bench/results/trust.json.
//   node dist/bench/trust.js [--mb 64] [--rounds 7]
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ModelCache } from '../lib/model-cache';
import { summarize, type Summary } from '../lib/bench/stats';
import { FolderTier } from '../lib/fleet/folder-tier';
import type { RemoteManifest } from '../lib/fleet/remote-manifest';
import type { Tier } from '../lib/fleet/tier';
import { publishEntry, pullEntry } from '../lib/fleet/transfer';
import { formatTable } from '../lib/format/table';
import { loadSigningKey } from '../lib/trust/keys';
import { signEntry, verifyEntry } from '../lib/trust/signature';
import { statementFields } from '../lib/trust/statement';
import type { ResolvedTrust } from '../lib/trust/trust-options';
import { writeWeightsModel } from '../scripts/make-fixtures';
import { openStandInBench } from './stand-in-bench';

const ROOT = path.resolve(__dirname, '..', '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

/** The entry's size: the stand-in's blob holds the weights and more, so the model gets a share of it (checked below). */
const MB = Number(arg('mb', '64'));
const ROUNDS = Number(arg('rounds', '7'));
/** Blob bytes per weight byte in the stand-in (measured: 64 MiB of weights gave a 224 MiB entry). */
const BLOB_PER_WEIGHT_BYTE = 3.5;
const ms = (s: Summary) => `${s.median.toFixed(3)} (${s.min.toFixed(3)}..${s.max.toFixed(3)})`;

async function main(): Promise<void> {
  const { work, core, results } = await openStandInBench('trust');
  const signal = new AbortController().signal;
  try {
    const { xml } = writeWeightsModel(path.join(work, 'model'), Math.round((MB * 1024 * 1024) / BLOB_PER_WEIGHT_BYTE), 'big');
    const cache = new ModelCache({ core, dir: path.join(work, 'publisher'), weightless: false });
    const compiled = await cache.compile(xml, { device: 'CPU' });
    compiled.compiled.dispose();
    await cache.dispose();
    const entryDir = compiled.entryDir as string;
    const key = compiled.key as string;
    const entryBytes = fs.readdirSync(entryDir).reduce((n, f) => n + fs.statSync(path.join(entryDir, f)).size, 0);

    const signer = loadSigningKey(crypto.generateKeyPairSync('ed25519').privateKey, 'bench');
    const trust: ResolvedTrust = { signer, trusted: new Map([[signer.keyId, { key: signer.key, keyId: signer.keyId }]]) };
    const sample: Record<string, number[]> = { publishMs: [], signMs: [], copyDownMs: [], verifyMs: [], copyDownUntrustedMs: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const tier: Tier = new FolderTier({ path: path.join(work, `tier-${r}`) });
      let t = performance.now();
      await publishEntry(tier, entryDir, 600_000, trust);
      sample.publishMs?.push(performance.now() - t);
      const remote = JSON.parse((await tier.getManifest(key, signal)) as string) as RemoteManifest;
      // The two steps trust adds, timed alone on the entry just published.
      const fields = statementFields(remote.name, remote.entry, remote.files);
      t = performance.now();
      signEntry(signer, statementFields(remote.name, remote.entry, remote.files));
      sample.signMs?.push(performance.now() - t);
      t = performance.now();
      const check = verifyEntry(remote.signature, fields, trust.trusted);
      sample.verifyMs?.push(performance.now() - t);
      if (!check.ok) throw new Error(`the bench's own entry did not verify: ${check.detail}`);
      // The copy-down it is compared with: the same entry into a fresh folder, with trust.
      t = performance.now();
      const pulled = await pullEntry(tier, { key, cacheDir: path.join(work, `down-${r}`), trust }, 600_000);
      sample.copyDownMs?.push(performance.now() - t);
      if (pulled.status !== 'installed') throw new Error(`copy-down ${pulled.status}`);
      t = performance.now();
      await pullEntry(tier, { key, cacheDir: path.join(work, `plain-${r}`) }, 600_000);
      sample.copyDownUntrustedMs?.push(performance.now() - t);
      for (const d of [`tier-${r}`, `down-${r}`, `plain-${r}`]) fs.rmSync(path.join(work, d), { recursive: true, force: true });
    }
    const s = Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, summarize(v)])) as Record<string, Summary>;
    const fractions = (sample.copyDownMs ?? []).map((c, i) => ((sample.signMs?.[i] ?? 0) + (sample.verifyMs?.[i] ?? 0)) / c);
    const fraction = summarize(fractions);
    results.setup = { entryBytes, rounds: ROUNDS, tier: 'folder (local disk)' };
    results.ms = s;
    results.signPlusVerifyOverCopyDown = fraction;
    const rows = [
      ['publish (digest, copy, sign, manifest)', ms(s.publishMs as Summary)],
      ['  sign the statement', ms(s.signMs as Summary)],
      ['copy-down with trust (copy, digest, verify, install)', ms(s.copyDownMs as Summary)],
      ['  verify the signature', ms(s.verifyMs as Summary)],
      ['copy-down without trust', ms(s.copyDownUntrustedMs as Summary)],
      [
        '(sign + verify) / copy-down',
        `${(fraction.median * 100).toFixed(4)} % (${(fraction.min * 100).toFixed(4)}..${(fraction.max * 100).toFixed(4)})`,
      ],
    ];
    console.log(
      `Signed entries, one ${(entryBytes / 1048576).toFixed(1)} MiB entry on a folder tier, ${ROUNDS} rounds: ms median (min..max)`,
    );
    console.log(formatTable(['STEP', 'MS'], rows));
    const outDir = path.join(ROOT, 'bench', 'results');
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'trust.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
