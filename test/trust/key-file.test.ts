// Key files (trust.signingKey / trustedKeys paths, OVCACHE_SIGNING_KEY, OVCACHE_TRUSTED_KEYS,
// --sign, --trust) are read only when no one else can change them, and a signing key only when
// no one else can read it, checked on the file the path resolves to: a Kubernetes Secret mount
// (root-owned symlinks key.pem -> ..data/key.pem -> ..<timestamp>/key.pem, defaultMode 0644)
// is accepted with a warning; the same modes outside such a mount are refused.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeKeyPair } from '../../lib/trust/keygen';
import { loadSigningKey, loadTrustedKeys } from '../../lib/trust/keys';
import { trustFromEnv } from '../../lib/trust/trust-options';
import { expectCode } from '../cache/helpers';

const pair = crypto.generateKeyPairSync('ed25519');
const PRIVATE_PEM = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC_PEM = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const isRoot = process.getuid?.() === 0;

/** Warnings emitted while `work` runs (process.emitWarning delivers them on a later tick). */
async function warningsDuring(work: () => void): Promise<string[]> {
  const seen: string[] = [];
  const listener = (w: Error) => seen.push(w.message);
  process.on('warning', listener);
  try {
    work();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

describe('trust: key file modes', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovcache-keyfile-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function keyFile(name: string, text: string, mode: number, folder = dir): string {
    const file = path.join(folder, name);
    fs.writeFileSync(file, text);
    fs.chmodSync(file, mode);
    return file;
  }

  /** The kubelet's AtomicWriter layout: <mount>/name -> ..data/name, ..data -> ..<timestamp>/, all root-owned. */
  function kubernetesSecret(name: string, text: string, mode: number): string {
    const mount = path.join(dir, 'secret');
    const stamped = path.join(mount, '..2026_12_07_03_00_00.123456789');
    fs.mkdirSync(stamped, { recursive: true });
    fs.chmodSync(mount, 0o1777); // what a Secret volume's mount folder shows
    fs.chmodSync(stamped, 0o755);
    keyFile(name, text, mode, stamped);
    fs.symlinkSync(path.basename(stamped), path.join(mount, '..data'));
    fs.symlinkSync(path.join('..data', name), path.join(mount, name));
    return path.join(mount, name);
  }

  it('loads a 0600 signing key and a 0644 public key from folders only their owner can write', () => {
    assert.equal(loadSigningKey(keyFile('k.pem', PRIVATE_PEM, 0o600), 's').keyId.length, 64);
    assert.equal(loadSigningKey(keyFile('k4.pem', PRIVATE_PEM, 0o400), 's').keyId.length, 64);
    assert.equal(loadTrustedKeys(keyFile('p.pem', PUBLIC_PEM, 0o644), 't').length, 1);
  });

  it('refuses a signing key file readable by group or others (OVCACHE_TRUST_KEY_INVALID, says chmod 600)', async () => {
    for (const mode of [0o644, 0o640, 0o604]) {
      const file = keyFile(`k${mode.toString(8)}.pem`, PRIVATE_PEM, mode);
      await expectCode(() => loadSigningKey(file, 'trust.signingKey'), 'OVCACHE_TRUST_KEY_INVALID', /readable by others .*chmod 600/);
    }
  });

  it('refuses a signing key or a trusted public key writable by group or others', async () => {
    for (const mode of [0o620, 0o602]) {
      const file = keyFile(`k${mode.toString(8)}.pem`, PRIVATE_PEM, mode);
      await expectCode(() => loadSigningKey(file, 's'), 'OVCACHE_TRUST_KEY_INVALID', /writable by others .*signs as this machine/);
    }
    for (const mode of [0o664, 0o646]) {
      const file = keyFile(`p${mode.toString(8)}.pem`, PUBLIC_PEM, mode);
      await expectCode(
        () => loadTrustedKeys(file, 't'),
        'OVCACHE_TRUST_KEY_INVALID',
        /writable by others .*decides what this machine trusts/,
      );
    }
  });

  it('refuses a key whose folder others can write (not sticky); a sticky folder like /tmp is accepted', async () => {
    const open = path.join(dir, 'open');
    fs.mkdirSync(open);
    const priv = keyFile('k.pem', PRIVATE_PEM, 0o600, open);
    const pub = keyFile('p.pem', PUBLIC_PEM, 0o644, open);
    fs.chmodSync(open, 0o777);
    await expectCode(() => loadSigningKey(priv, 's'), 'OVCACHE_TRUST_KEY_INVALID', /folder .* is writable by others .*chmod go-w/);
    await expectCode(() => loadTrustedKeys(pub, 't'), 'OVCACHE_TRUST_KEY_INVALID', /folder .* is writable by others/);
    fs.chmodSync(open, 0o1777);
    assert.equal(loadSigningKey(priv, 's').keyId.length, 64);
    assert.equal(loadTrustedKeys(pub, 't').length, 1);
  });

  it('refuses a key file owned by another user', async function () {
    if (!isRoot) this.skip(); // chown to another user needs root
    const file = keyFile('p.pem', PUBLIC_PEM, 0o644);
    fs.chownSync(file, 65534, 65534);
    await expectCode(() => loadTrustedKeys(file, 't'), 'OVCACHE_TRUST_KEY_INVALID', /owned by uid 65534, neither this user/);
  });

  it('checks the file a symlink resolves to: a link to a group-writable key is refused', async () => {
    const target = keyFile('real.pem', PUBLIC_PEM, 0o664);
    fs.symlinkSync(target, path.join(dir, 'link.pem'));
    await expectCode(
      () => loadTrustedKeys(path.join(dir, 'link.pem'), 't'),
      'OVCACHE_TRUST_KEY_INVALID',
      /link\.pem \(-> .*real\.pem\) is writable/,
    );
  });

  it('Kubernetes Secret mount: a root-owned 0644 signing key through ..data is accepted with a warning; 0440 (fsGroup) and 0400 without one', async function () {
    if (!isRoot) this.skip(); // the rule accepts a world-readable key only when root owns it, as the kubelet writes it
    const readable = kubernetesSecret('signing.pem', PRIVATE_PEM, 0o644);
    const warned = await warningsDuring(() => assert.equal(loadSigningKey(readable, 's').keyId.length, 64));
    assert.equal(warned.length, 1);
    assert.match(warned[0] as string, /readable by every user of the container .*defaultMode to 0440 with the pod's fsGroup/);
    for (const mode of [0o440, 0o400]) {
      fs.rmSync(path.join(dir, 'secret'), { recursive: true });
      const strict = kubernetesSecret('signing.pem', PRIVATE_PEM, mode);
      assert.deepEqual(await warningsDuring(() => loadSigningKey(strict, 's')), [], mode.toString(8));
    }
  });

  it('Kubernetes-like paths do not excuse the same modes elsewhere: a 0644 signing key through a plain symlink, or a writable one in a Secret mount, is refused', async () => {
    const plain = keyFile('signing.pem', PRIVATE_PEM, 0o644);
    fs.symlinkSync(plain, path.join(dir, 'via-link.pem'));
    await expectCode(() => loadSigningKey(path.join(dir, 'via-link.pem'), 's'), 'OVCACHE_TRUST_KEY_INVALID', /readable by others/);
    const writable = kubernetesSecret('signing.pem', PRIVATE_PEM, 0o666);
    await expectCode(() => loadSigningKey(writable, 's'), 'OVCACHE_TRUST_KEY_INVALID', /writable by others/);
  });

  it('applies to OVCACHE_SIGNING_KEY and OVCACHE_TRUSTED_KEYS paths too', async () => {
    const priv = keyFile('k.pem', PRIVATE_PEM, 0o644);
    await expectCode(
      () => trustFromEnv({ OVCACHE_SIGNING_KEY: priv }),
      'OVCACHE_TRUST_KEY_INVALID',
      /OVCACHE_SIGNING_KEY: .*readable by others/,
    );
    const pub = keyFile('p.pem', PUBLIC_PEM, 0o666);
    await expectCode(
      () => trustFromEnv({ OVCACHE_TRUSTED_KEYS: pub }),
      'OVCACHE_TRUST_KEY_INVALID',
      /OVCACHE_TRUSTED_KEYS: .*writable by others/,
    );
    fs.chmodSync(priv, 0o600);
    fs.chmodSync(pub, 0o644);
    assert.equal(trustFromEnv({ OVCACHE_SIGNING_KEY: priv, OVCACHE_TRUSTED_KEYS: pub })?.trusted.size, 1);
  });
  it("keygen refuses the folders whose keys every loader refuses (group-writable 0775, another user's), and what it writes loads", async function () {
    const group = path.join(dir, 'group');
    fs.mkdirSync(group);
    fs.chmodSync(group, 0o775);
    await expectCode(
      () => writeKeyPair(group),
      'OVCACHE_INVALID_ARGUMENT',
      /is writable by others \(mode 0775\): every loader would refuse a key kept there/,
    );
    assert.deepEqual(fs.readdirSync(group), [], 'no key written');
    const fresh = writeKeyPair(path.join(dir, 'fresh'));
    assert.equal(loadSigningKey(fresh.privateKeyPath, '--sign').keyId, fresh.keyId);
    if (!isRoot) return; // chown needs root
    const other = path.join(dir, 'other');
    fs.mkdirSync(other, { mode: 0o755 });
    fs.chownSync(other, 65534, 65534);
    await expectCode(
      () => writeKeyPair(other),
      'OVCACHE_INVALID_ARGUMENT',
      /is owned by uid 65534, neither this user .* nor root: every loader would refuse/,
    );
    assert.deepEqual(fs.readdirSync(other), [], 'no key written');
  });
});
