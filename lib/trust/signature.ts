// Signing and checking one entry's statement. A signature travels beside what it covers (in
// the remote manifest, in a bundle's index) as { format, keyId, sig }; verification never
// trusts the keyId it names: it only picks which trusted key to try, and the statement binds
// the same id, so a signature verifies only with the key that made it.
import crypto from 'node:crypto';
import { OvcacheError } from '../errors';
import type { PublicKeyInfo, SigningKeyInfo } from './keys';
import { statementBytes, type StatementFields } from './statement';
import { unknownStatementField } from './statement-shape';

export const SIGNATURE_FORMAT = 1;

/** A signature as it travels beside the entry it covers (remote manifest, bundle index). */
export interface EntrySignature {
  /** The signature format (1). */
  format: number;
  /** The key id (sha256 of the raw public key) of the signer. */
  keyId: string;
  /** Ed25519 signature of the statement, base64. */
  sig: string;
}

/** Why an entry is refused: no signature, a key not trusted, a signature that does not verify, bytes that differ from it. */
export type TrustRefusal = 'unsigned' | 'untrusted-key' | 'bad-signature' | 'mismatch';

export type TrustCheck = { ok: true; keyId: string } | { ok: false; refusal: TrustRefusal; detail: string };

/** Signs `fields`; a field this version does not know is never signed (statement-shape.ts). */
export function signEntry(signer: SigningKeyInfo, fields: StatementFields): EntrySignature {
  const unknown = unknownStatementField(fields);
  if (unknown)
    throw new OvcacheError(
      'OVCACHE_INVALID_ARGUMENT',
      `Not signed: ${unknown} is a field this version of ovcache does not know; compile the entry with this version`,
    );
  const sig = crypto.sign(null, statementBytes(fields, signer.keyId), signer.privateKey);
  return { format: SIGNATURE_FORMAT, keyId: signer.keyId, sig: sig.toString('base64') };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks `signature` (as found, untrusted) over `fields` against the trusted keys. */
export function verifyEntry(signature: unknown, fields: StatementFields, trusted: ReadonlyMap<string, PublicKeyInfo>): TrustCheck {
  if (signature === undefined || signature === null) return { ok: false, refusal: 'unsigned', detail: 'the entry carries no signature' };
  if (
    !isObject(signature) ||
    signature.format !== SIGNATURE_FORMAT ||
    typeof signature.keyId !== 'string' ||
    typeof signature.sig !== 'string'
  )
    return { ok: false, refusal: 'bad-signature', detail: 'the signature is malformed' };
  const unknown = unknownStatementField(fields);
  if (unknown) return { ok: false, refusal: 'bad-signature', detail: `${unknown} is a field this version does not accept, signed or not` };
  const key = trusted.get(signature.keyId);
  if (!key) return { ok: false, refusal: 'untrusted-key', detail: `signed by key ${signature.keyId.slice(0, 16)}, which is not trusted` };
  const sig = Buffer.from(signature.sig, 'base64');
  let good: boolean;
  try {
    good = sig.length === 64 && crypto.verify(null, statementBytes(fields, key.keyId), key.key, sig);
  } catch {
    good = false; // a signature of the wrong shape for the key
  }
  if (!good) return { ok: false, refusal: 'bad-signature', detail: `the signature of key ${key.keyId.slice(0, 16)} does not verify` };
  return { ok: true, keyId: key.keyId };
}
