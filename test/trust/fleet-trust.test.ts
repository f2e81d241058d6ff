// Signed fleet entries on a folder tier and an S3 tier (issue 22). An attacker with write access
// to the tier rewrites what it holds through the Tier interface itself (the same bytes a bucket
// or share writer could put there). Without trust the substituted blob is served (the threat);
// with trusted keys each substitution is refused with its reason, nothing of it stays in the
// local cache, the model is compiled locally with the right numbers and republished signed.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readManifest } from '../../lib/cache/entry/manifest';
import { createTier, Fleet, type TierEvent } from '../../lib/fleet/fleet';
import type { TierOptions } from '../../lib/fleet/fleet-options';
import type { RemoteManifest } from '../../lib/fleet/remote-manifest';
import type { Tier } from '../../lib/fleet/tier';
import { sha256File } from '../../lib/cache/fingerprint';
import { loadOpenVINO, ModelCache, type Core, type OpenVINO } from '../../lib/index';
import { keyIdOf } from '../../lib/trust/keys';
import type { TrustOptions } from '../../lib/trust/trust-options';
import { mlpReference, writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { startS3, type S3Server } from '../fleet/servers';
import { expectCode } from '../cache/helpers';

const INPUT = Float32Array.from({ length: 16 }, (_v, i) => (i - 7) / 4);
const EXPECTED = Array.from(mlpReference(INPUT));
/** The reference MLP's numbers, within float rounding. */
const genuine = (numbers: number[]): boolean =>
  numbers.length === EXPECTED.length && numbers.every((n, i) => Math.abs(n - (EXPECTED[i] as number)) < 1e-4);

interface Pair {
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  id: string;
}
const pair = (): Pair => {
  const k = crypto.generateKeyPairSync('ed25519');
  return { ...k, id: keyIdOf(k.publicKey) };
};

for (const kind of ['folder', 's3'] as const) {
  describe(`trust: signed entries on a ${kind} tier`, function () {
    this.timeout(120_000);
    let ov: OpenVINO;
    let core: Core;
    let tmp: string;
    let xml: string;
    let imageXml: string;
    let s3: S3Server | undefined;
    let tierOptions: TierOptions;
    let tier: Tier;
    const caches: ModelCache[] = [];
    const abort = new AbortController().signal;
    const signer = pair();
    const other = pair();

    before(async () => {
      ov = await loadOpenVINO({ libraryPath: STAND_IN });
    });
    beforeEach(async () => {
      tmp = makeTempDir('ovcache-trust-');
      const models = path.join(tmp, 'models');
      fs.mkdirSync(models);
      xml = writeMlp(models).xml;
      imageXml = writeImageModel(models).xml;
      core = ov.createCore();
      if (kind === 's3') {
        s3 = await startS3(path.join(tmp, 's3'));
        tierOptions = s3.tier();
      } else tierOptions = { path: path.join(tmp, 'shared') };
      tier = createTier(tierOptions);
    });
    afterEach(async () => {
      for (const c of caches.splice(0)) {
        await c.fleet?.close();
        await c.dispose();
      }
      await tier.close();
      core.dispose();
      await s3?.stop();
      s3 = undefined;
      removeDir(tmp);
    });

    /** A machine: its own local folder, the shared tier, publishing before compile() returns. */
    function machine(name: string, trust?: TrustOptions): { cache: ModelCache; events: TierEvent[] } {
      const cache = new ModelCache({
        core,
        dir: path.join(tmp, `machine-${name}`),
        tiers: [tierOptions],
        publish: 'sync',
        ...(trust ? { trust } : {}),
      });
      caches.push(cache);
      const events: TierEvent[] = [];
      cache.fleet?.on('tier', (e) => events.push(e));
      return { cache, events };
    }

    async function run(cache: ModelCache, model = xml) {
      const r = await cache.compile(model, { device: 'CPU' });
      let numbers: number[] = [];
      if (model === xml) {
        const out = await r.compiled.createInferRequest().infer({ input: INPUT });
        numbers = Array.from(Object.values(out)[0]?.data as Float32Array);
      }
      r.compiled.dispose();
      return { r, numbers };
    }

    async function remoteOf(key: string): Promise<RemoteManifest> {
      const text = await tier.getManifest(key, abort);
      assert.ok(text, 'the tier has the entry');
      return JSON.parse(text) as RemoteManifest;
    }
    const putRemote = (m: RemoteManifest) => tier.putManifest(m.key, `${JSON.stringify(m, null, 2)}\n`, abort);

    /** A blob compiled from other weights (the .bin rewritten, the .xml untouched), then the genuine weights put back: the attacker's model. */
    async function blobFromOtherWeights(): Promise<string> {
      const bin = xml.replace(/\.xml$/, '.bin');
      const genuine = fs.readFileSync(bin);
      const evil = Buffer.from(genuine);
      for (let i = 0; i + 4 <= evil.length; i += 4) evil.writeFloatLE(evil.readFloatLE(i) * -3 + 0.5, i);
      fs.writeFileSync(bin, evil);
      const attacker = new ModelCache({ core, dir: path.join(tmp, 'attacker') });
      try {
        const r = await attacker.compile(xml, { device: 'CPU' });
        r.compiled.dispose();
        const blob = fs.readdirSync(r.entryDir as string).find((f) => f.endsWith('.blob'));
        assert.ok(blob);
        const copy = path.join(tmp, 'evil.blob');
        fs.copyFileSync(path.join(r.entryDir as string, blob), copy);
        return copy;
      } finally {
        await attacker.dispose();
        fs.writeFileSync(bin, genuine);
      }
    }

    /** Puts `blob` in place of the entry's blob under a fresh upload and rewrites the manifest's digests to match. */
    async function substitute(key: string, blob: string, keepSignatureOf?: RemoteManifest): Promise<void> {
      const m = await remoteOf(key);
      const target = m.files.find((f) => f.name.endsWith('.blob'));
      assert.ok(target);
      const uploadId = crypto.randomBytes(16).toString('hex');
      for (const f of m.files) {
        const from = f === target ? blob : path.join(tmp, 'tmp-copy');
        if (f !== target) await tier.download(key, m.uploadId, f.name, from, abort);
        await tier.upload(key, uploadId, f.name, from, abort);
      }
      const bytes = fs.statSync(blob).size;
      target.bytes = bytes;
      target.sha256 = await sha256File(blob);
      m.entry.files = m.entry.files.map((f) => (f.name === target.name ? { ...f, bytes } : f));
      m.entry.bytes = m.entry.files.reduce((n, f) => n + f.bytes, 0);
      m.uploadId = uploadId;
      if (keepSignatureOf?.signature) m.signature = keepSignatureOf.signature;
      await putRemote(m);
    }

    const trusting = (...keys: Pair[]): TrustOptions => ({ trustedKeys: keys.map((k) => k.publicKey) });
    const signingAs = (k: Pair, ...trusted: Pair[]): TrustOptions => ({
      signingKey: k.privateKey,
      trustedKeys: [k, ...trusted].map((t) => t.publicKey),
    });

    /** The fresh machine refused with `refusal`, kept nothing of the tier's entry, compiled locally with the right numbers, and published signed. */
    async function expectRefusedThenRepublished(refusal: string, key: string): Promise<void> {
      const b = machine('b', signingAs(other, signer));
      const { r, numbers } = await run(b.cache);
      const refused = b.events.find((e) => e.op === 'get' && e.outcome === 'refused');
      assert.equal(refused?.refusal, refusal, `refused as ${refusal}: ${refused?.reason}`);
      assert.ok(refused?.reason?.startsWith(`${refusal}:`));
      assert.deepEqual([r.hit, r.tier ?? null], [false, null], 'compiled locally');
      assert.ok(genuine(numbers), `with the genuine weights: ${numbers.join(', ')}`);
      const local = await readManifest(r.entryDir as string);
      assert.equal(
        local.status === 'ok' ? local.manifest.origin : 'missing',
        undefined,
        'the local entry is the local compile, not the tier copy',
      );
      assert.ok(!fs.existsSync(path.join(tmp, 'machine-b', 'incoming')), 'nothing of the refused copy is staged');
      const republished = await remoteOf(key);
      assert.equal(republished.signature?.keyId, other.id, 'republished, signed by the machine that compiled it');
      assert.ok((b.cache.fleet?.stats().refused ?? 0) >= 1, 'counted');
    }

    it('without trust a blob compiled from other weights, digests rewritten, is served: the threat trust closes', async () => {
      const a = machine('a');
      const { r } = await run(a.cache);
      await substitute(r.key as string, await blobFromOtherWeights());
      const b = machine('b');
      const served = await run(b.cache);
      assert.equal(served.r.tier, tier.name, `served from the tier ${JSON.stringify(b.events)}`);
      assert.ok(!genuine(served.numbers), `with the attacker weights: ${served.numbers.join(', ')}`);
    });

    it('a genuine signed entry is served to a machine that trusts the signer, which records who signed it', async () => {
      const a = machine('a', signingAs(signer));
      const first = await run(a.cache);
      assert.equal((await remoteOf(first.r.key as string)).signature?.keyId, signer.id);
      const b = machine('b', trusting(signer));
      const { r, numbers } = await run(b.cache);
      assert.deepEqual([r.hit, r.tier], [true, tier.name]);
      assert.ok(genuine(numbers));
      const hit = b.events.find((e) => e.op === 'get' && e.outcome === 'hit');
      assert.equal(hit?.signedBy, signer.id);
      const local = await readManifest(r.entryDir as string);
      assert.deepEqual(local.status === 'ok' ? local.manifest.origin : undefined, { from: tier.name, signedBy: signer.id });
    });

    it('an unsigned entry is refused (unsigned)', async () => {
      const { r } = await run(machine('a').cache);
      await expectRefusedThenRepublished('unsigned', r.key as string);
    });

    it('an entry signed by a key that is not trusted is refused (untrusted-key)', async () => {
      const stranger = pair();
      const { r } = await run(machine('a', signingAs(stranger)).cache);
      await expectRefusedThenRepublished('untrusted-key', r.key as string);
    });

    it('a blob from other weights with the digests rewritten, signature kept, is refused (bad-signature)', async () => {
      const { r } = await run(machine('a', signingAs(signer)).cache);
      await substitute(r.key as string, await blobFromOtherWeights());
      await expectRefusedThenRepublished('bad-signature', r.key as string);
    });

    it('a blob rewritten in place with the signed digests left alone is refused (mismatch)', async () => {
      const { r } = await run(machine('a', signingAs(signer)).cache);
      const m = await remoteOf(r.key as string);
      const blob = m.files.find((f) => f.name.endsWith('.blob'));
      assert.ok(blob);
      const evil = await blobFromOtherWeights();
      // Same size, other bytes: the attacker's blob cut or padded to the signed size.
      const bytes = Buffer.alloc(blob.bytes);
      fs.readFileSync(evil).copy(bytes);
      fs.writeFileSync(evil, bytes);
      await tier.upload(m.key, m.uploadId, blob.name, evil, abort);
      await expectRefusedThenRepublished('mismatch', r.key as string);
    });

    it('a manifest field changed (sources, covers) under a kept signature is refused (bad-signature)', async () => {
      const { r } = await run(machine('a', signingAs(signer)).cache);
      const m = await remoteOf(r.key as string);
      m.entry.sources = [...m.entry.sources, { kind: 'model' }];
      await putRemote(m);
      await expectRefusedThenRepublished('bad-signature', r.key as string);
    });

    it("a valid signature moved to another key's entry is refused (bad-signature)", async () => {
      const a = machine('a', signingAs(signer));
      const { r } = await run(a.cache);
      const image = await run(a.cache, imageXml);
      const donor = await remoteOf(image.r.key as string);
      await substitute(r.key as string, await blobFromOtherWeights(), donor);
      await expectRefusedThenRepublished('bad-signature', r.key as string);
    });

    it('rotation: old and new keys trusted serve both; dropping the old key refuses what it signed', async () => {
      const next = pair();
      const mlp = await run(machine('a', signingAs(signer)).cache);
      const image = await run(machine('c', signingAs(next)).cache, imageXml);
      const both = machine('b', trusting(signer, next));
      assert.equal((await run(both.cache)).r.tier, tier.name);
      assert.equal((await run(both.cache, imageXml)).r.tier, tier.name);
      const onlyNext = machine('d', trusting(next));
      const { r, numbers } = await run(onlyNext.cache);
      assert.equal(r.tier ?? null, null);
      assert.ok(genuine(numbers));
      assert.equal(onlyNext.events.find((e) => e.outcome === 'refused')?.refusal, 'untrusted-key');
      assert.equal((await run(onlyNext.cache, imageXml)).r.tier, tier.name, 'the new key still serves');
      assert.ok(mlp.r.key && image.r.key);
    });

    it('a key removed from trustedKeys: what it signed already in the local folder is refused (untrusted-key) and compiled over; the next call hits the local compile', async () => {
      const next = pair();
      await run(machine('a', signingAs(signer)).cache);
      const dir = path.join(tmp, 'machine-reader');
      const before = machine('reader', trusting(signer, next));
      assert.equal((await run(before.cache)).r.tier, tier.name, 'copied down while the old key was trusted');
      await before.cache.fleet?.close();
      await before.cache.dispose();
      caches.splice(caches.indexOf(before.cache), 1);
      const entries = path.join(dir, 'entries');
      const entryDir = path.join(entries, fs.readdirSync(entries)[0] as string);
      const copied = await readManifest(entryDir);
      assert.equal(copied.status === 'ok' ? copied.manifest.origin?.signedBy : null, signer.id);
      // The old key leaked and is removed: a new process on the same folder trusts only the new one.
      const after = machine('reader', trusting(next));
      const { r, numbers } = await run(after.cache);
      assert.equal(r.hit, false, 'not served from the entry the removed key signed');
      assert.ok(genuine(numbers));
      const local = after.events.find((e) => e.tier === `local:${dir}`);
      assert.equal(local?.outcome, 'refused', JSON.stringify(after.events));
      assert.equal(local?.refusal, 'untrusted-key');
      assert.match(local?.reason ?? '', new RegExp(`signed by ${signer.id}, a key not trusted now`));
      const m = await readManifest(entryDir);
      assert.ok(m.status === 'ok' && m.manifest.origin === undefined, 'the entry is now compiled here');
      const again = await run(after.cache);
      assert.equal(again.r.hit, true, 'the local compile serves the next call');
      assert.equal(after.events.filter((e) => e.tier === `local:${dir}`).length, 1, 'one refusal reported');
    });

    it('an entry copied down unverified is refused once trust is set, and the signed copy from the tier replaces it', async () => {
      await run(machine('a', signingAs(signer)).cache);
      const dir = path.join(tmp, 'machine-reader');
      const unverified = machine('reader');
      assert.equal((await run(unverified.cache)).r.tier, tier.name, 'copied down without trust');
      await unverified.cache.fleet?.close();
      await unverified.cache.dispose();
      caches.splice(caches.indexOf(unverified.cache), 1);
      const trusted = machine('reader', trusting(signer));
      const { r, numbers } = await run(trusted.cache);
      assert.equal(r.tier, tier.name, 'the verified copy from the tier is installed over the unverified one');
      assert.ok(genuine(numbers));
      const local = trusted.events.find((e) => e.tier === `local:${dir}`);
      assert.equal(local?.refusal, 'unsigned', JSON.stringify(trusted.events));
      const entries = path.join(dir, 'entries');
      const m = await readManifest(path.join(entries, fs.readdirSync(entries)[0] as string));
      assert.equal(m.status === 'ok' ? m.manifest.origin?.signedBy : null, signer.id);
    });
  });
}

describe('trust: the option on ModelCache and Fleet', () => {
  let ov: OpenVINO;
  let tmp: string;
  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
    tmp = makeTempDir('ovcache-trust-options-');
  });
  after(() => removeDir(tmp));
  const k = crypto.generateKeyPairSync('ed25519');

  it('is checked at construction: a private key as trusted, a missing key file, trust without tiers, trust beside a Fleet', async () => {
    const dir = path.join(tmp, 'cache');
    const tiers = [{ path: path.join(tmp, 'shared') }];
    await expectCode(
      () => new ModelCache({ runtime: ov, dir, tiers, trust: { trustedKeys: [k.privateKey] } }),
      'OVCACHE_TRUST_KEY_INVALID',
      /options\.trust\.trustedKeys\[0\]: a private key given as trusted/,
    );
    await expectCode(
      () => new ModelCache({ runtime: ov, dir, tiers, trust: { signingKey: path.join(tmp, 'none.pem'), trustedKeys: [k.publicKey] } }),
      'OVCACHE_TRUST_KEY_INVALID',
      /options\.trust\.signingKey: cannot read the key file/,
    );
    await expectCode(
      () => new ModelCache({ runtime: ov, dir, trust: { trustedKeys: [k.publicKey] } }),
      'OVCACHE_INVALID_ARGUMENT',
      /options\.tiers/,
    );
    const fleet = new Fleet({ tiers, trust: { trustedKeys: [k.publicKey] } });
    assert.deepEqual([...(fleet.trust?.trusted.keys() ?? [])], [keyIdOf(k.publicKey)]);
    await expectCode(
      () => new ModelCache({ runtime: ov, dir, fleet, trust: { trustedKeys: [k.publicKey] } }),
      'OVCACHE_INVALID_ARGUMENT',
      /not both/,
    );
    await fleet.close();
  });

  it('without the option a Fleet takes OVCACHE_TRUSTED_KEYS from the environment, and nothing without it', async () => {
    const pub = path.join(tmp, 'k.pub.pem');
    fs.writeFileSync(pub, k.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const saved = process.env.OVCACHE_TRUSTED_KEYS;
    try {
      process.env.OVCACHE_TRUSTED_KEYS = pub;
      const withEnv = new Fleet({ tiers: [{ path: path.join(tmp, 'shared') }] });
      assert.deepEqual([...(withEnv.trust?.trusted.keys() ?? [])], [keyIdOf(k.publicKey)]);
      await withEnv.close();
      delete process.env.OVCACHE_TRUSTED_KEYS;
      const without = new Fleet({ tiers: [{ path: path.join(tmp, 'shared') }] });
      assert.equal(without.trust, undefined);
      await without.close();
    } finally {
      if (saved === undefined) delete process.env.OVCACHE_TRUSTED_KEYS;
      else process.env.OVCACHE_TRUSTED_KEYS = saved;
    }
  });
});
