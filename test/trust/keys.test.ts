// Trust keys: PEM text, PEM files and KeyObjects load; every wrong key is a coded error that
// says what is wrong (not a key, not Ed25519, a private key given as trusted, a public key to sign).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyIdOf, loadSigningKey, loadTrustedKeys } from '../../lib/trust/keys';
import { writeKeyPair } from '../../lib/trust/keygen';
import { resolveTrust, trustFromEnv } from '../../lib/trust/trust-options';
import { expectCode } from '../cache/helpers';

const pem = (k: crypto.KeyObject, type: 'spki' | 'pkcs8'): string => k.export({ type, format: 'pem' }).toString();

describe('trust keys', () => {
  let dir: string;
  const a = crypto.generateKeyPairSync('ed25519');
  const b = crypto.generateKeyPairSync('ed25519');
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovcache-trust-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads the same key from PEM text, a PEM file and a KeyObject, with one key id', () => {
    const file = path.join(dir, 'a.pub.pem');
    fs.writeFileSync(file, pem(a.publicKey, 'spki'));
    const ids = [pem(a.publicKey, 'spki'), file, a.publicKey].map((k) => loadTrustedKeys(k, 'k')[0]?.keyId);
    assert.deepEqual(ids, [keyIdOf(a.publicKey), keyIdOf(a.publicKey), keyIdOf(a.publicKey)]);
    assert.match(ids[0] ?? '', /^[0-9a-f]{64}$/);
    assert.notEqual(keyIdOf(a.publicKey), keyIdOf(b.publicKey));
    assert.equal(loadSigningKey(pem(a.privateKey, 'pkcs8'), 's').keyId, keyIdOf(a.publicKey));
  });

  it('reads every public key of one PEM text (rotation: old and new key in one file)', () => {
    const both = loadTrustedKeys(`${pem(a.publicKey, 'spki')}\n${pem(b.publicKey, 'spki')}`, 'k');
    assert.deepEqual(
      both.map((k) => k.keyId),
      [keyIdOf(a.publicKey), keyIdOf(b.publicKey)],
    );
  });

  it('refuses a private key given as trusted, as PEM and as a KeyObject', async () => {
    await expectCode(
      () => loadTrustedKeys(pem(a.privateKey, 'pkcs8'), 'trust.trustedKeys[0]'),
      'OVCACHE_TRUST_KEY_INVALID',
      /private key given as trusted/,
    );
    await expectCode(
      () => loadTrustedKeys(a.privateKey, 'trust.trustedKeys[0]'),
      'OVCACHE_TRUST_KEY_INVALID',
      /private key given as trusted/,
    );
  });

  it('refuses a public key as the signing key', async () => {
    await expectCode(
      () => loadSigningKey(pem(a.publicKey, 'spki'), 'trust.signingKey'),
      'OVCACHE_TRUST_KEY_INVALID',
      /public key cannot sign/,
    );
    await expectCode(() => loadSigningKey(a.publicKey, 'trust.signingKey'), 'OVCACHE_TRUST_KEY_INVALID', /cannot sign/);
  });

  it('refuses a file that is not a key, a missing file, garbage PEM and a non-Ed25519 key', async () => {
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'hello');
    await expectCode(() => loadTrustedKeys(text, 'k'), 'OVCACHE_TRUST_KEY_INVALID', /is not a PEM key file/);
    await expectCode(
      () => loadTrustedKeys(path.join(dir, 'missing.pem'), 'k'),
      'OVCACHE_TRUST_KEY_INVALID',
      /cannot read the key file .*ENOENT/,
    );
    await expectCode(
      () => loadTrustedKeys('-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n', 'k'),
      'OVCACHE_TRUST_KEY_INVALID',
      /is not a public key/,
    );
    const rsa = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expectCode(
      () => loadTrustedKeys(pem(rsa.publicKey, 'spki'), 'k'),
      'OVCACHE_TRUST_KEY_INVALID',
      /is a ec key; ovcache signs with Ed25519/,
    );
    await expectCode(() => loadSigningKey(pem(rsa.privateKey, 'pkcs8'), 's'), 'OVCACHE_TRUST_KEY_INVALID', /Ed25519/);
    await expectCode(() => loadTrustedKeys(42 as unknown as string, 'k'), 'OVCACHE_TRUST_KEY_INVALID', /expected PEM text/);
  });

  it('resolves the option, rejecting an empty trusted list and unknown fields', async () => {
    const t = resolveTrust({ signingKey: a.privateKey, trustedKeys: [a.publicKey, pem(b.publicKey, 'spki')] }, {});
    assert.equal(t?.signer?.keyId, keyIdOf(a.publicKey));
    assert.deepEqual([...(t?.trusted.keys() ?? [])], [keyIdOf(a.publicKey), keyIdOf(b.publicKey)]);
    await expectCode(() => resolveTrust({ trustedKeys: [] }, {}), 'OVCACHE_INVALID_ARGUMENT', /trust\.trustedKeys/);
    await expectCode(() => resolveTrust({ trustedkeys: [a.publicKey] }, {}), 'OVCACHE_UNKNOWN_OPTION', /did you mean "trustedKeys"/);
    assert.equal(resolveTrust(undefined, {}), undefined);
  });

  it('reads OVCACHE_SIGNING_KEY and OVCACHE_TRUSTED_KEYS (comma-separated paths or PEM text); a signer alone trusts itself', () => {
    const pa = path.join(dir, 'a.pem');
    const pb = path.join(dir, 'b.pem');
    fs.writeFileSync(pa, pem(a.publicKey, 'spki'));
    fs.writeFileSync(pb, pem(b.publicKey, 'spki'));
    const fromPaths = trustFromEnv({ OVCACHE_TRUSTED_KEYS: `${pa}, ${pb}` });
    assert.deepEqual([...(fromPaths?.trusted.keys() ?? [])], [keyIdOf(a.publicKey), keyIdOf(b.publicKey)]);
    assert.equal(fromPaths?.signer, undefined);
    const fromPem = trustFromEnv({ OVCACHE_TRUSTED_KEYS: pem(b.publicKey, 'spki') });
    assert.deepEqual([...(fromPem?.trusted.keys() ?? [])], [keyIdOf(b.publicKey)]);
    const signerOnly = trustFromEnv({ OVCACHE_SIGNING_KEY: pem(a.privateKey, 'pkcs8') });
    assert.deepEqual([...(signerOnly?.trusted.keys() ?? [])], [keyIdOf(a.publicKey)]);
    assert.equal(trustFromEnv({}), undefined);
  });

  it('keygen writes a 0600 private key in a 0700 folder, never overwrites, and the pair signs and verifies', async () => {
    const out = path.join(dir, 'keys');
    const files = writeKeyPair(out);
    assert.equal(fs.statSync(out).mode & 0o777, 0o700);
    assert.equal(fs.statSync(files.privateKeyPath).mode & 0o777, 0o600);
    const signer = loadSigningKey(files.privateKeyPath, 's');
    const [pub] = loadTrustedKeys(files.publicKeyPath, 'k');
    assert.equal(signer.keyId, files.keyId);
    assert.equal(pub?.keyId, files.keyId);
    const before = fs.readFileSync(files.privateKeyPath, 'utf8');
    await expectCode(() => writeKeyPair(out), 'OVCACHE_INVALID_ARGUMENT', /never overwrites/);
    assert.equal(fs.readFileSync(files.privateKeyPath, 'utf8'), before);
  });

  it('keygen never chmods an existing folder: a 1777 shared folder is refused and stays 1777; a 0755 one keeps its mode', async () => {
    const shared = path.join(dir, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o1777);
    await expectCode(() => writeKeyPair(shared), 'OVCACHE_INVALID_ARGUMENT', /writable by others/);
    assert.equal(fs.statSync(shared).mode & 0o7777, 0o1777);
    assert.deepEqual(fs.readdirSync(shared), []);
    const own = path.join(dir, 'own');
    fs.mkdirSync(own);
    fs.chmodSync(own, 0o755);
    const files = writeKeyPair(own);
    assert.equal(fs.statSync(own).mode & 0o7777, 0o755);
    await expectCode(() => writeKeyPair(own), 'OVCACHE_INVALID_ARGUMENT', /never overwrites/);
    assert.equal(fs.statSync(own).mode & 0o7777, 0o755);
    assert.equal(fs.statSync(files.privateKeyPath).mode & 0o777, 0o600);
  });
});
