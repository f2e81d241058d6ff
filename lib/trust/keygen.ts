// `ovcache keygen <dir>`: a fresh Ed25519 key pair. The folder is made owner-only (0700) and the
// private key written 0600 with O_EXCL, so an existing key is never overwritten.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OvcacheError } from '../errors';
import { keyIdOf } from './keys';

export const PRIVATE_KEY_FILE = 'ovcache-signing.pem';
export const PUBLIC_KEY_FILE = 'ovcache-signing.pub.pem';

export interface KeyPairFiles {
  privateKeyPath: string;
  publicKeyPath: string;
  publicKeyPem: string;
  keyId: string;
}

export function writeKeyPair(dir: string): KeyPairFiles {
  const folder = path.resolve(dir);
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  fs.chmodSync(folder, 0o700);
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const privateKeyPath = path.join(folder, PRIVATE_KEY_FILE);
  const publicKeyPath = path.join(folder, PUBLIC_KEY_FILE);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  for (const p of [privateKeyPath, publicKeyPath])
    if (fs.existsSync(p))
      throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `${p} exists: keygen never overwrites a key; choose another folder`);
  fs.writeFileSync(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(publicKeyPath, publicKeyPem, { mode: 0o644, flag: 'wx' });
  return { privateKeyPath, publicKeyPath, publicKeyPem, keyId: keyIdOf(publicKey) };
}
