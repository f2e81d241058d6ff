// Ed25519 keys for signed entries, read through node:crypto only. A key is given as PEM text,
// a path to a PEM file, or a KeyObject. A signing key must be private; a trusted key must be
// public: a private key given as trusted is refused (it would put the signer's secret in every
// pod). The key id is the sha256 of the raw 32-byte public key: what a signature names.
import crypto, { type KeyObject } from 'node:crypto';
import { OvcacheError } from '../errors';
import { readKeyFile, type KeyKind } from './key-file';

/** PEM text, a path to a PEM file, or a KeyObject. */
export type KeyInput = string | KeyObject;

/** A trusted Ed25519 public key and its id. */
export interface PublicKeyInfo {
  /** The public key. */
  key: KeyObject;
  /** sha256 hex of the raw public key. */
  keyId: string;
}

/** The key a process signs with: the private key, its public half and the public half's id. */
export interface SigningKeyInfo extends PublicKeyInfo {
  /** The Ed25519 private key. */
  privateKey: KeyObject;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

function keyError(name: string, what: string): OvcacheError {
  return new OvcacheError('OVCACHE_TRUST_KEY_INVALID', `${name}: ${what}`);
}

/** The PEM text of `input`: itself when it holds a PEM block, else the file it names (key-file.ts: refused when others can change it). */
function pemText(input: string, name: string, kind: KeyKind): { text: string; from: string } {
  if (input.includes('-----BEGIN ')) return { text: input, from: 'PEM text' };
  let text: string;
  try {
    text = readKeyFile(input, kind, name);
  } catch (error) {
    if (error instanceof OvcacheError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw keyError(name, `cannot read the key file ${input} (${code}); give a PEM file path or PEM text`);
  }
  if (!text.includes('-----BEGIN ')) throw keyError(name, `${input} is not a PEM key file (no "-----BEGIN" line)`);
  return { text, from: input };
}

/** The sha256 hex of the raw 32-byte Ed25519 public key. */
export function keyIdOf(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw keyError('key', 'not an Ed25519 key');
  return crypto.createHash('sha256').update(Buffer.from(jwk.x, 'base64url')).digest('hex');
}

function expectEd25519(key: KeyObject, name: string, from: string): void {
  if (key.asymmetricKeyType !== 'ed25519')
    throw keyError(name, `${from} is a ${key.asymmetricKeyType ?? key.type} key; ovcache signs with Ed25519 (ovcache keygen <dir>)`);
}

function publicInfo(key: KeyObject): PublicKeyInfo {
  return { key, keyId: keyIdOf(key) };
}

/** Every public key in `input` (a PEM text or file may hold several, for rotation). */
export function loadTrustedKeys(input: KeyInput, name: string): PublicKeyInfo[] {
  if (typeof input !== 'string') {
    if (!(input instanceof crypto.KeyObject)) throw keyError(name, 'expected PEM text, a PEM file path or a KeyObject');
    if (input.type !== 'public')
      throw keyError(name, `a ${input.type} key given as trusted; give the public key (ovcache keygen prints it)`);
    expectEd25519(input, name, 'the KeyObject');
    return [publicInfo(input)];
  }
  if (input.length === 0) throw keyError(name, 'empty; give PEM text or a PEM file path');
  const { text, from } = pemText(input, name, 'public');
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw keyError(name, `${from} holds no complete PEM block`);
  return blocks.map((block) => {
    if (/PRIVATE KEY-----/.test(block))
      throw keyError(name, `${from} holds a private key given as trusted; give the public key (ovcache keygen prints it)`);
    let key: KeyObject;
    try {
      key = crypto.createPublicKey(block);
    } catch (error) {
      throw keyError(name, `${from} is not a public key (${(error as Error).message})`);
    }
    expectEd25519(key, name, from);
    return publicInfo(key);
  });
}

/** The private key a process signs with, and its public half's id. */
export function loadSigningKey(input: KeyInput, name: string): SigningKeyInfo {
  let privateKey: KeyObject;
  let from = 'the KeyObject';
  if (typeof input !== 'string') {
    if (!(input instanceof crypto.KeyObject)) throw keyError(name, 'expected PEM text, a PEM file path or a KeyObject');
    if (input.type !== 'private') throw keyError(name, `a ${input.type} key cannot sign; give the private key`);
    privateKey = input;
  } else {
    if (input.length === 0) throw keyError(name, 'empty; give PEM text or a PEM file path');
    const pem = pemText(input, name, 'private');
    from = pem.from;
    if (!/PRIVATE KEY-----/.test(pem.text)) throw keyError(name, `${from} holds no private key; a public key cannot sign`);
    try {
      privateKey = crypto.createPrivateKey(pem.text);
    } catch (error) {
      throw keyError(name, `${from} is not a private key (${(error as Error).message})`);
    }
  }
  expectEd25519(privateKey, name, from);
  return { privateKey, ...publicInfo(crypto.createPublicKey(privateKey)) };
}
