// Signed bundles and `ovcache keygen` as a user runs them: the real CLI in a child process on the
// stand-in. `unpack --trust` installs a bundle only when every entry is signed by a trusted key
// and matches what was signed; otherwise the whole bundle is refused with OVCACHE_BUNDLE_UNTRUSTED,
// nothing of it stays in the cache, and the model then compiles locally with the right numbers.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import type { BundleIndex } from '../../lib/fleet/bundle-format';
import type { EntryManifest } from '../../lib/cache/entry/manifest';
import { sha256File } from '../../lib/cache/fingerprint';
import { loadOpenVINO, ModelCache, type OpenVINO } from '../../lib/index';
import { mlpReference, writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const INPUT = Float32Array.from({ length: 16 }, (_v, i) => (i - 7) / 4);
const genuine = (numbers: number[]): boolean => {
  const want = mlpReference(INPUT);
  return numbers.length === want.length && numbers.every((n, i) => Math.abs(n - (want[i] as number)) < 1e-4);
};

describe('trust: signed bundles, keygen', function () {
  this.timeout(120_000);
  let ov: OpenVINO;
  let tmp: string;
  let xml: string;
  let imageXml: string;
  let cacheDir: string;
  let bundle: string;
  const keys: Record<string, { priv: string; pub: string; id: string }> = {};

  function run(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
    return spawnSync(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENVINO_LIB_PATH: STAND_IN, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  function keygen(name: string): { priv: string; pub: string; id: string } {
    const dir = path.join(tmp, 'keys', name);
    const r = run(['keygen', dir, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { privateKeyPath: string; publicKeyPath: string; keyId: string };
    return (keys[name] = { priv: out.privateKeyPath, pub: out.publicKeyPath, id: out.keyId });
  }

  async function compileInto(dir: string, model = xml): Promise<{ hit: boolean; numbers: number[] }> {
    const cache = new ModelCache({ runtime: ov, dir });
    try {
      const r = await cache.compile(model, { device: 'CPU' });
      let numbers: number[] = [];
      if (model === xml) {
        const out = await r.compiled.createInferRequest().infer({ input: INPUT });
        numbers = Array.from(Object.values(out)[0]?.data as Float32Array);
      }
      r.compiled.dispose();
      return { hit: r.hit, numbers };
    } finally {
      await cache.dispose();
    }
  }

  /** Opens the bundle, lets `change` rewrite it, packs it again under the same name. */
  async function tamper(change: (open: string, index: BundleIndex) => Promise<void> | void): Promise<void> {
    const open = path.join(tmp, `open-${crypto.randomBytes(3).toString('hex')}`);
    fs.mkdirSync(open);
    await tar.x({ file: bundle, cwd: open });
    const index = JSON.parse(fs.readFileSync(path.join(open, 'ovcache-bundle.json'), 'utf8')) as BundleIndex;
    await change(open, index);
    fs.writeFileSync(path.join(open, 'ovcache-bundle.json'), JSON.stringify(index));
    await tar.c({ gzip: true, file: bundle, cwd: open }, ['ovcache-bundle.json', 'entries']);
  }

  const mlpEntry = (index: BundleIndex) => index.entries.find((e) => e.model === 'mlp') as BundleIndex['entries'][number];
  const blobOf = (open: string, e: BundleIndex['entries'][number]) => {
    const f = e.files.find((x) => x.name.endsWith('.blob'));
    assert.ok(f);
    const p = path.join(open, 'entries', e.name, f.name);
    fs.chmodSync(p, 0o644);
    return { f, p };
  };

  /** A blob compiled from other weights for the same .xml (the .bin rewritten, then put back). */
  async function blobFromOtherWeights(): Promise<string> {
    const bin = xml.replace(/\.xml$/, '.bin');
    const real = fs.readFileSync(bin);
    const evil = Buffer.from(real);
    for (let i = 0; i + 4 <= evil.length; i += 4) evil.writeFloatLE(evil.readFloatLE(i) * -3 + 0.5, i);
    fs.writeFileSync(bin, evil);
    try {
      const dir = path.join(tmp, 'attacker');
      await compileInto(dir);
      const entries = path.join(dir, 'entries');
      const entry = path.join(entries, fs.readdirSync(entries)[0] as string);
      return path.join(entry, fs.readdirSync(entry).find((f) => f.endsWith('.blob')) as string);
    } finally {
      fs.writeFileSync(bin, real);
    }
  }

  /** unpack --trust refused the bundle whole with `refusal`, left nothing, and the model then compiles with the right numbers. */
  async function expectRefused(refusal: string, trust = [keys.signer?.pub as string]): Promise<void> {
    const target = path.join(tmp, `target-${crypto.randomBytes(3).toString('hex')}`);
    const r = run(['unpack', bundle, '--dir', target, ...trust.flatMap((t) => ['--trust', t])]);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /\[OVCACHE_BUNDLE_UNTRUSTED\] .* is refused whole, nothing installed: /);
    assert.match(r.stderr, new RegExp(`\\(${refusal}: `));
    const entries = path.join(target, 'entries');
    assert.deepEqual(
      fs.existsSync(entries) ? fs.readdirSync(entries) : [],
      [],
      'no entry of the bundle was installed, not even a genuine one',
    );
    assert.ok(!fs.existsSync(path.join(target, 'incoming')), 'nothing staged is left');
    const local = await compileInto(target);
    assert.equal(local.hit, false, 'compiled locally');
    assert.ok(genuine(local.numbers), `with the genuine weights: ${local.numbers.join(', ')}`);
  }

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(async () => {
    tmp = makeTempDir('ovcache-trust-bundle-');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    xml = writeMlp(models).xml;
    imageXml = writeImageModel(models).xml;
    cacheDir = path.join(tmp, 'cache');
    await compileInto(cacheDir);
    await compileInto(cacheDir, imageXml);
    bundle = path.join(tmp, 'models.tar.gz');
    keygen('signer');
  });
  afterEach(() => removeDir(tmp));

  it('keygen writes a 0600 private key in a 0700 folder and prints the public key', () => {
    const dir = path.join(tmp, 'keys', 'printed');
    const r = run(['keygen', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Key id: [0-9a-f]{64}\n\n-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(dir, 'ovcache-signing.pem')).mode & 0o777, 0o600);
    const again = run(['keygen', dir]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /never overwrites a key/);
  });

  it('pack --sign then unpack --trust installs every entry; ls --json and verify --json name the signer', () => {
    const packed = run(['pack', bundle, '--dir', cacheDir, '--sign', keys.signer?.priv as string]);
    assert.equal(packed.status, 0, packed.stderr);
    assert.match(packed.stdout, /signed by key [0-9a-f]{16}/);
    const target = path.join(tmp, 'target');
    const r = run(['unpack', bundle, '--dir', target, '--trust', keys.signer?.pub as string, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { entries: Array<{ status: string; signedBy: string }> };
    assert.deepEqual(
      report.entries.map((e) => [e.status, e.signedBy]),
      [
        ['installed', keys.signer?.id],
        ['installed', keys.signer?.id],
      ],
    );
    const ls = JSON.parse(run(['ls', '--dir', target, '--json']).stdout) as {
      entries: Array<{ origin: { from: string; signedBy: string } }>;
    };
    assert.deepEqual(
      ls.entries.map((e) => e.origin),
      [0, 1].map(() => ({ from: 'bundle:models.tar.gz', signedBy: keys.signer?.id })),
    );
    const verify = JSON.parse(run(['verify', '--dir', target, '--json']).stdout) as { copied: Array<{ signedBy: string }> };
    assert.deepEqual(
      verify.copied.map((c) => c.signedBy),
      [keys.signer?.id, keys.signer?.id],
    );
    const text = run(['verify', '--dir', target]).stdout;
    assert.match(text, /2 entries copied from a tier or bundle, 0 of them unsigned/);
  });

  it('pack signs only with --sign, never with OVCACHE_SIGNING_KEY; OVCACHE_TRUSTED_KEYS checks an unpack', () => {
    assert.equal(run(['pack', bundle, '--dir', cacheDir], { OVCACHE_SIGNING_KEY: keys.signer?.priv as string }).status, 0);
    const unsigned = run(['unpack', bundle, '--dir', path.join(tmp, 't0')], { OVCACHE_TRUSTED_KEYS: keys.signer?.pub as string });
    assert.equal(unsigned.status, 1, 'the environment key did not sign the pack');
    assert.match(unsigned.stderr, /OVCACHE_BUNDLE_UNTRUSTED.*unsigned/);
    assert.equal(run(['pack', bundle, '--dir', cacheDir, '--sign', keys.signer?.priv as string]).status, 0);
    const other = keygen('other');
    const refused = run(['unpack', bundle, '--dir', path.join(tmp, 't1')], { OVCACHE_TRUSTED_KEYS: other.pub });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /OVCACHE_BUNDLE_UNTRUSTED.*untrusted-key/);
    const ok = run(['unpack', bundle, '--dir', path.join(tmp, 't2')], { OVCACHE_TRUSTED_KEYS: `${other.pub},${keys.signer?.pub}` });
    assert.equal(ok.status, 0, ok.stderr);
  });

  it('an unsigned bundle is refused whole (unsigned)', async () => {
    assert.equal(run(['pack', bundle, '--dir', cacheDir]).status, 0);
    await expectRefused('unsigned');
  });

  it('a bundle signed by a key that is not trusted is refused whole (untrusted-key)', async () => {
    const stranger = keygen('stranger');
    assert.equal(run(['pack', bundle, '--dir', cacheDir, '--sign', stranger.priv]).status, 0);
    await expectRefused('untrusted-key');
  });

  it('a blob from other weights with the index digests rewritten is refused whole (bad-signature)', async () => {
    assert.equal(run(['pack', bundle, '--dir', cacheDir, '--sign', keys.signer?.priv as string]).status, 0);
    const evil = await blobFromOtherWeights();
    await tamper(async (open, index) => {
      const e = mlpEntry(index);
      const { f, p } = blobOf(open, e);
      fs.copyFileSync(evil, p);
      f.bytes = fs.statSync(p).size;
      f.sha256 = await sha256File(p);
      const mPath = path.join(open, 'entries', e.name, 'ovcache-entry.json');
      const m = JSON.parse(fs.readFileSync(mPath, 'utf8')) as EntryManifest;
      m.files = m.files.map((x) => (x.name === f.name ? { ...x, bytes: f.bytes } : x));
      fs.writeFileSync(mPath, JSON.stringify(m));
    });
    // Without --trust the substitution is installed and served: the threat.
    const open = path.join(tmp, 'untrusting');
    assert.equal(run(['unpack', bundle, '--dir', open]).status, 0);
    const served = await compileInto(open);
    assert.equal(served.hit, true);
    assert.ok(!genuine(served.numbers), 'without trust the attacker weights are served');
    await expectRefused('bad-signature');
  });

  it('bytes changed inside the bundle with the signed digests kept are refused whole (mismatch)', async () => {
    assert.equal(run(['pack', bundle, '--dir', cacheDir, '--sign', keys.signer?.priv as string]).status, 0);
    await tamper((open, index) => {
      const { p } = blobOf(open, mlpEntry(index));
      const bytes = fs.readFileSync(p);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
      fs.writeFileSync(p, bytes);
    });
    await expectRefused('mismatch');
  });

  it('a manifest field changed in the bundle is refused whole (bad-signature)', async () => {
    assert.equal(run(['pack', bundle, '--dir', cacheDir, '--sign', keys.signer?.priv as string]).status, 0);
    await tamper((open, index) => {
      const mPath = path.join(open, 'entries', mlpEntry(index).name, 'ovcache-entry.json');
      const m = JSON.parse(fs.readFileSync(mPath, 'utf8')) as EntryManifest;
      m.sources = [...m.sources, { kind: 'model' }];
      fs.writeFileSync(mPath, JSON.stringify(m));
    });
    await expectRefused('bad-signature');
  });

  it("a valid signature moved to another key's entry is refused whole (bad-signature)", async () => {
    assert.equal(run(['pack', bundle, '--dir', cacheDir, '--sign', keys.signer?.priv as string]).status, 0);
    await tamper((_open, index) => {
      const mlp = mlpEntry(index);
      const image = index.entries.find((e) => e !== mlp);
      assert.ok(image?.signature);
      mlp.signature = image.signature;
    });
    await expectRefused('bad-signature');
  });

  it('rotation: with the old and the new key trusted both bundles install; dropping the old key refuses its bundle', async () => {
    const next = keygen('next');
    assert.equal(run(['pack', bundle, '--dir', cacheDir, '--sign', keys.signer?.priv as string]).status, 0);
    const both = ['--trust', keys.signer?.pub as string, '--trust', next.pub];
    assert.equal(run(['unpack', bundle, '--dir', path.join(tmp, 'r1'), ...both]).status, 0);
    await expectRefused('untrusted-key', [next.pub]);
    assert.equal(run(['pack', bundle, '--dir', cacheDir, '--sign', next.priv]).status, 0);
    assert.equal(run(['unpack', bundle, '--dir', path.join(tmp, 'r2'), ...both]).status, 0);
    assert.equal(run(['unpack', bundle, '--dir', path.join(tmp, 'r3'), '--trust', next.pub]).status, 0);
  });

  it('warm --sign publishes signed entries; warm --sign new --trust new re-signs what the old key signed (rotation step 3)', () => {
    const shared = path.join(tmp, 'shared');
    const manifest = path.join(tmp, 'warm.yaml');
    fs.writeFileSync(manifest, `tiers: [{ path: ${shared} }]\npublish: sync\nmodels:\n  - model: ${xml}\n`);
    const signedBy = () => {
      const keysDir = path.join(shared, 'entries');
      const key = fs.readdirSync(keysDir)[0] as string;
      return (JSON.parse(fs.readFileSync(path.join(keysDir, key, 'fleet-entry.json'), 'utf8')) as { signature?: { keyId: string } })
        .signature?.keyId;
    };
    const first = run(['warm', manifest, '--dir', path.join(tmp, 'w1'), '--sign', keys.signer?.priv as string]);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(signedBy(), keys.signer?.id);
    const next = keygen('next');
    const second = run(['warm', manifest, '--dir', path.join(tmp, 'w2'), '--sign', next.priv, '--trust', next.pub, '--json']);
    assert.equal(second.status, 0, second.stderr);
    assert.deepEqual(
      (JSON.parse(second.stdout) as { results: Array<{ status: string }> }).results.map((r) => r.status),
      ['compiled'],
      'the old-signed entry was not taken',
    );
    assert.equal(signedBy(), next.id, 'and it was republished signed by the new key');
    const noTiers = path.join(tmp, 'local.yaml');
    fs.writeFileSync(noTiers, `models:\n  - model: ${xml}\n`);
    const r = run(['warm', noTiers, '--dir', path.join(tmp, 'w3'), '--sign', next.priv]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\[OVCACHE_INVALID_ARGUMENT\] --sign and --trust apply to tiers/);
  });

  /** The attacker's bundle: the genuine entry with a blob from other weights, digests consistent, unsigned. */
  async function unsignedEvilBundle(): Promise<void> {
    assert.equal(run(['pack', bundle, '--dir', cacheDir, 'mlp']).status, 0);
    const evil = await blobFromOtherWeights();
    await tamper(async (open, index) => {
      const e = mlpEntry(index);
      const { f, p } = blobOf(open, e);
      fs.copyFileSync(evil, p);
      f.bytes = fs.statSync(p).size;
      f.sha256 = await sha256File(p);
      const mPath = path.join(open, 'entries', e.name, 'ovcache-entry.json');
      const m = JSON.parse(fs.readFileSync(mPath, 'utf8')) as EntryManifest;
      m.files = m.files.map((x) => (x.name === f.name ? { ...x, bytes: f.bytes } : x));
      m.bytes = m.files.reduce((n, x) => n + x.bytes, 0);
      fs.writeFileSync(mPath, JSON.stringify(m));
    });
  }

  interface WarmJson {
    results: Array<{ status: string; published: Array<{ tier: string; outcome: string; signedBy: string | null; reason?: string }> }>;
  }

  it('an entry unpacked unverified is never signed: pack --sign skips it, warm --sign does not use it (compiles the genuine model over it, publishes that signed), the trusting machine gets the genuine model', async () => {
    await unsignedEvilBundle();
    const build = path.join(tmp, 'build');
    assert.equal(run(['unpack', bundle, '--dir', build]).status, 0, 'unpacked without --trust (allowed)');

    const prod = path.join(tmp, 'prod.tar.gz');
    const packed = run(['pack', prod, '--dir', build, '--sign', keys.signer?.priv as string]);
    assert.equal(packed.status, 1, packed.stdout);
    assert.match(packed.stderr, /\[OVCACHE_ENTRY_NOT_FOUND\] .*not signed: copied from bundle:models\.tar\.gz \(unsigned\)/);
    assert.ok(!fs.existsSync(prod), 'no signed bundle was written');

    const shared = path.join(tmp, 'shared');
    const manifest = path.join(tmp, 'warm.yaml');
    fs.writeFileSync(manifest, `tiers: [{ path: ${shared} }]\nmodels:\n  - model: ${xml}\n`);
    const warmed = run(['warm', manifest, '--dir', build, '--sign', keys.signer?.priv as string, '--json']);
    assert.equal(warmed.status, 0, warmed.stderr);
    const result = (JSON.parse(warmed.stdout) as WarmJson).results[0];
    assert.equal(result?.status, 'compiled', 'the unverified entry was not used: compiled here');
    assert.equal(result?.published[0]?.outcome, 'published');
    assert.equal(result?.published[0]?.signedBy, keys.signer?.id);

    const victim = new ModelCache({
      runtime: ov,
      dir: path.join(tmp, 'victim'),
      tiers: [{ path: shared, readOnly: true }],
      trust: { trustedKeys: [keys.signer?.pub as string] },
    });
    try {
      const r = await victim.compile(xml, { device: 'CPU' });
      const out = await r.compiled.createInferRequest().infer({ input: INPUT });
      const numbers = Array.from(Object.values(out)[0]?.data as Float32Array);
      r.compiled.dispose();
      assert.equal(r.tier, `folder:${shared}`, 'the signed genuine compile is served from the tier');
      assert.ok(genuine(numbers), `with the genuine weights: ${numbers.join(', ')}`);
    } finally {
      await victim.fleet?.close();
      await victim.dispose();
    }
  });

  it('a genuine local entry is signed by warm --sign and pack --sign; one from a bundle signed by a trusted key is re-signed', () => {
    const shared = path.join(tmp, 'shared');
    const manifest = path.join(tmp, 'warm.yaml');
    fs.writeFileSync(manifest, `tiers: [{ path: ${shared} }]\nmodels:\n  - model: ${xml}\n`);
    const local = run(['warm', manifest, '--dir', cacheDir, '--sign', keys.signer?.priv as string, '--json']);
    assert.equal(local.status, 0, local.stderr);
    assert.deepEqual(
      (JSON.parse(local.stdout) as WarmJson).results[0]?.published.map((p) => [p.outcome, p.signedBy]),
      [['published', keys.signer?.id]],
    );
    assert.equal(run(['pack', bundle, '--dir', cacheDir, '--sign', keys.signer?.priv as string]).status, 0);
    const arrived = path.join(tmp, 'arrived');
    assert.equal(run(['unpack', bundle, '--dir', arrived, '--trust', keys.signer?.pub as string]).status, 0);
    const next = keygen('next');
    const other = path.join(tmp, 'shared2');
    fs.writeFileSync(manifest, `tiers: [{ path: ${other} }]\nmodels:\n  - model: ${xml}\n`);
    const resigned = run(['warm', manifest, '--dir', arrived, '--sign', next.priv, '--trust', keys.signer?.pub as string, '--json']);
    assert.equal(resigned.status, 0, resigned.stderr);
    assert.deepEqual(
      (JSON.parse(resigned.stdout) as WarmJson).results[0]?.published.map((p) => [p.outcome, p.signedBy]),
      [['published', next.id]],
    );
    const text = run(['warm', manifest, '--dir', arrived, '--sign', next.priv, '--trust', keys.signer?.pub as string]);
    assert.match(text.stdout, new RegExp(`mlp\\.xml CPU -> folder:.*: published, signed by key ${next.id.slice(0, 16)}`));
    const repacked = path.join(tmp, 'repacked.tar.gz');
    const p = run(['pack', repacked, '--dir', arrived, '--sign', next.priv, '--trust', keys.signer?.pub as string, '--json']);
    assert.equal(p.status, 0, p.stderr);
    const report = JSON.parse(p.stdout) as { entries: Array<{ signature?: { keyId: string } }>; skipped: unknown[] };
    assert.deepEqual(
      report.entries.map((e) => e.signature?.keyId),
      [next.id, next.id],
    );
    assert.deepEqual(report.skipped, []);
    const onlyOwn = run(['pack', path.join(tmp, 'own.tar.gz'), '--dir', arrived, '--sign', next.priv, '--json']);
    assert.equal(onlyOwn.status, 1, 'without --trust the other key is not trusted by this signer');
  });

  it('a bad --trust or --sign key is a coded error before anything is read', () => {
    assert.equal(run(['pack', bundle, '--dir', cacheDir]).status, 0);
    const r = run(['unpack', bundle, '--dir', path.join(tmp, 't'), '--trust', keys.signer?.priv as string]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\[OVCACHE_TRUST_KEY_INVALID\] --trust: .* holds a private key given as trusted/);
    assert.ok(!fs.existsSync(path.join(tmp, 't', 'entries')));
    const s = run(['pack', path.join(tmp, 'x.tar.gz'), '--dir', cacheDir, '--sign', keys.signer?.pub as string]);
    assert.equal(s.status, 1);
    assert.match(s.stderr, /\[OVCACHE_TRUST_KEY_INVALID\] --sign: .* holds no private key/);
    assert.ok(!fs.existsSync(path.join(tmp, 'x.tar.gz')));
  });
  it('unpack --trust over an entry unpacked unverified earlier replaces it with the signed one; a "present" row names the signer of the entry in place', async () => {
    assert.equal(run(['pack', bundle, '--dir', cacheDir, '--sign', keys.signer?.priv as string]).status, 0);
    const good = path.join(tmp, 'good.tar.gz');
    fs.copyFileSync(bundle, good);
    const evil = await blobFromOtherWeights();
    await tamper(async (open, index) => {
      const e = mlpEntry(index);
      delete e.signature;
      const { f, p } = blobOf(open, e);
      fs.copyFileSync(evil, p);
      f.bytes = fs.statSync(p).size;
      f.sha256 = await sha256File(p);
      const mPath = path.join(open, 'entries', e.name, 'ovcache-entry.json');
      const m = JSON.parse(fs.readFileSync(mPath, 'utf8')) as EntryManifest;
      m.files = m.files.map((x) => (x.name === f.name ? { ...x, bytes: f.bytes } : x));
      fs.writeFileSync(mPath, JSON.stringify(m));
    });
    const target = path.join(tmp, 'image-cache');
    assert.equal(run(['unpack', bundle, '--dir', target]).status, 0, 'the attacker bundle, unpacked without --trust');
    const r = run(['unpack', good, '--dir', target, '--trust', keys.signer?.pub as string, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const rows = (JSON.parse(r.stdout) as { entries: Array<{ model: string; status: string; signedBy?: string }> }).entries;
    const mlp = rows.find((e) => e.model === 'mlp');
    assert.equal(mlp?.status, 'installed', 'the unsigned entry in place was replaced');
    assert.equal(mlp?.signedBy, keys.signer?.id);
    const served = await compileInto(target);
    assert.equal(served.hit, true);
    assert.ok(genuine(served.numbers), `the genuine weights are served: ${served.numbers.join(', ')}`);
    // Into the folder the entries were compiled in: "present", and no signer (compiled here, not the bundle's key).
    const here = run(['unpack', good, '--dir', cacheDir, '--trust', keys.signer?.pub as string, '--json']);
    assert.equal(here.status, 0, here.stderr);
    for (const row of (JSON.parse(here.stdout) as { entries: Array<{ status: string; signedBy?: string }> }).entries) {
      assert.equal(row.status, 'present');
      assert.equal(row.signedBy, undefined, 'a present row never shows the bundle signer');
    }
  });

  it('an unsigned bundle whose index lists no entry is refused by unpack --trust (nothing in it is signed)', async () => {
    const open = path.join(tmp, 'empty');
    fs.mkdirSync(path.join(open, 'entries'), { recursive: true });
    fs.writeFileSync(
      path.join(open, 'ovcache-bundle.json'),
      JSON.stringify({ format: 1, createdAt: new Date().toISOString(), entries: [] }),
    );
    await tar.c({ gzip: true, file: bundle, cwd: open }, ['ovcache-bundle.json', 'entries']);
    const target = path.join(tmp, 'target-empty');
    const r = run(['unpack', bundle, '--dir', target, '--trust', keys.signer?.pub as string]);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /\[OVCACHE_BUNDLE_UNTRUSTED\] .* is refused whole, nothing installed: its index lists no entry \(unsigned: /);
    assert.equal(run(['unpack', bundle, '--dir', target]).status, 0, 'without --trust an empty bundle installs nothing, as before');
  });
});
