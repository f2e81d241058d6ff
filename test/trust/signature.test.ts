// Signatures over the canonical statement: a genuine entry verifies; no signature, an untrusted
// key, any change to a covered field, a signature carried to another key's entry or to other
// files, a forged key id, and a key removed from the trusted set are each refused with their reason.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { deriveKey, KEY_FORMAT, type KeyParts } from '../../lib/cache/key';
import { loadSigningKey, loadTrustedKeys, type PublicKeyInfo } from '../../lib/trust/keys';
import { signEntry, verifyEntry, type EntrySignature } from '../../lib/trust/signature';
import { statementBytes, STATEMENT_PREFIX, type StatementFields } from '../../lib/trust/statement';
import { expectCode } from '../cache/helpers';

function partsFor(sha: string): KeyParts {
  return {
    format: KEY_FORMAT,
    model: { name: 'mlp', files: [{ role: 'xml', sha256: sha.repeat(64), size: 10 }] },
    inputs: [{ name: 'x', shape: '[1,16]', elementType: 'f32' }],
    device: { name: 'CPU', fullName: 'A CPU' },
    config: {},
    runtime: { buildNumber: '2025.4.0' },
  };
}

function fieldsFor(sha: string): StatementFields {
  const parts = partsFor(sha);
  const key = deriveKey(parts);
  return {
    key,
    name: `mlp-${key.slice(0, 12)}`,
    parts,
    files: [
      { name: 'b.blob', bytes: 5, sha256: 'c'.repeat(64) },
      { name: 'a.cl_cache', bytes: 7, sha256: 'd'.repeat(64) },
    ],
    sources: [{ kind: 'model' }],
  };
}

const pair = (): { signer: ReturnType<typeof loadSigningKey>; pub: PublicKeyInfo } => {
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  const signer = loadSigningKey(privateKey, 's');
  return { signer, pub: { key: signer.key, keyId: signer.keyId } };
};
const trusting = (...keys: PublicKeyInfo[]): Map<string, PublicKeyInfo> => new Map(keys.map((k) => [k.keyId, k]));

describe('trust signatures', () => {
  const a = pair();
  const b = pair();
  const fields = fieldsFor('a');

  it('the statement is deterministic, versioned and independent of file and object-key order', () => {
    const bytes = statementBytes(fields, a.signer.keyId);
    assert.ok(bytes.toString('utf8').startsWith(STATEMENT_PREFIX));
    const shuffled: StatementFields = {
      sources: fields.sources,
      files: [...fields.files].reverse(),
      parts: { ...fields.parts, runtime: fields.parts.runtime, config: {}, device: { fullName: 'A CPU', name: 'CPU' } },
      name: fields.name,
      key: fields.key,
    };
    assert.deepEqual(statementBytes(shuffled, a.signer.keyId), bytes);
    assert.notDeepEqual(statementBytes(fields, b.signer.keyId), bytes);
  });

  it('accepts a genuine entry signed by a trusted key and names the signer', () => {
    assert.deepEqual(verifyEntry(signEntry(a.signer, fields), fields, trusting(a.pub)), { ok: true, keyId: a.signer.keyId });
  });

  it('refuses an unsigned entry (unsigned) and a malformed signature (bad-signature)', () => {
    assert.equal(refusal(verifyEntry(undefined, fields, trusting(a.pub))), 'unsigned');
    assert.equal(refusal(verifyEntry({ keyId: a.signer.keyId }, fields, trusting(a.pub))), 'bad-signature');
    const sig = signEntry(a.signer, fields);
    assert.equal(refusal(verifyEntry({ ...sig, sig: 'AAAA' }, fields, trusting(a.pub))), 'bad-signature');
  });

  it('refuses an entry signed by a key that is not trusted (untrusted-key)', () => {
    assert.equal(refusal(verifyEntry(signEntry(b.signer, fields), fields, trusting(a.pub))), 'untrusted-key');
  });

  it('refuses any change to a covered field: a digest, a size, a file added, the name, a part, sources, covers, weightless', () => {
    const sig = signEntry(a.signer, fields);
    const other = fieldsFor('b');
    const changed: StatementFields[] = [
      { ...fields, files: [{ ...fields.files[0]!, sha256: 'e'.repeat(64) }, fields.files[1]!] },
      { ...fields, files: [{ ...fields.files[0]!, bytes: 6 }, fields.files[1]!] },
      { ...fields, files: [...fields.files, { name: 'extra', bytes: 1, sha256: 'f'.repeat(64) }] },
      { ...fields, name: 'other-000000000000' },
      { ...fields, parts: { ...fields.parts, runtime: { buildNumber: '2099.1.0' } } },
      { ...fields, parts: { ...fields.parts, device: { name: 'CPU', fullName: 'Another CPU' } } },
      { ...fields, sources: [{ kind: 'path', xml: '/x.xml', mtimeNs: '1', size: 1 }] },
      { ...fields, covers: { kind: 'static' } as unknown as StatementFields['covers'] },
      { ...fields, weightless: { weights: [] } },
      { ...other, files: fields.files }, // a valid signature moved to another key's entry
    ];
    for (const c of changed) assert.equal(refusal(verifyEntry(sig, c, trusting(a.pub))), 'bad-signature', JSON.stringify(c).slice(0, 120));
  });

  it('refuses a signature made by one trusted key but naming another trusted key (the statement binds the signer)', () => {
    const byB = signEntry(b.signer, fields);
    const forged: EntrySignature = { ...byB, keyId: a.signer.keyId };
    assert.equal(refusal(verifyEntry(forged, fields, trusting(a.pub, b.pub))), 'bad-signature');
  });

  it('rotation: with the old and the new key trusted both verify; removing the old key refuses what it signed', () => {
    const old = signEntry(a.signer, fields);
    const fresh = signEntry(b.signer, fields);
    assert.equal(verifyEntry(old, fields, trusting(a.pub, b.pub)).ok, true);
    assert.equal(verifyEntry(fresh, fields, trusting(a.pub, b.pub)).ok, true);
    assert.equal(refusal(verifyEntry(old, fields, trusting(b.pub))), 'untrusted-key');
    assert.equal(verifyEntry(fresh, fields, trusting(b.pub)).ok, true);
  });

  it('refuses a field added after signing, in the key parts or any covered object (bad-signature)', () => {
    const sig = signEntry(a.signer, fields);
    const added: StatementFields[] = [
      { ...fields, parts: { ...fields.parts, device: { ...fields.parts.device, vendor: 'x' } as KeyParts['device'] } },
      { ...fields, parts: { ...fields.parts, extra: 1 } as KeyParts },
      { ...fields, sources: [{ kind: 'model', note: 'x' } as unknown as StatementFields['sources'][number]] },
    ];
    for (const c of added)
      assert.equal(refusal(verifyEntry(sig, c, trusting(a.pub))), 'bad-signature', JSON.stringify(c.parts).slice(0, 120));
  });

  it('refuses an unknown field even when it was signed by a trusted key, and never signs one', async () => {
    const withUnknown: StatementFields = {
      ...fields,
      parts: { ...fields.parts, device: { ...fields.parts.device, vendor: 'x' } as KeyParts['device'] },
    };
    // Signed as a later version (or a hand-made signer) would: over the full statement.
    const sig: EntrySignature = {
      format: 1,
      keyId: a.signer.keyId,
      sig: crypto.sign(null, statementBytes(withUnknown, a.signer.keyId), a.signer.privateKey).toString('base64'),
    };
    const check = verifyEntry(sig, withUnknown, trusting(a.pub));
    assert.equal(refusal(check), 'bad-signature');
    assert.match((check as { detail: string }).detail, /statement\.parts\.device\.vendor is a field this version does not accept/);
    await expectCode(() => signEntry(a.signer, withUnknown), 'OVCACHE_INVALID_ARGUMENT', /Not signed: statement\.parts\.device\.vendor/);
    assert.equal(verifyEntry(signEntry(a.signer, fields), fields, trusting(a.pub)).ok, true, 'the known fields still sign and verify');
  });

  it('a key loaded from PEM verifies what a KeyObject signed', () => {
    const [pub] = loadTrustedKeys(a.signer.key.export({ type: 'spki', format: 'pem' }).toString(), 'k');
    assert.equal(verifyEntry(signEntry(a.signer, fields), fields, trusting(pub!)).ok, true);
  });
});

function refusal(check: ReturnType<typeof verifyEntry>): string {
  return check.ok ? 'accepted' : check.refusal;
}
