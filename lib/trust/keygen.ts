// `ovcache keygen <dir>`: a fresh Ed25519 key pair. A missing folder is created owner-only (0700);
// an existing folder is never chmodded (keygen /tmp must not lock others out of /tmp) and is
// refused when others can write into it or it is another user's (the key loader's rule,
// key-file.ts, so every key keygen writes loads). Existing keys are checked before anything is
// changed, and the private key is written 0600 with O_EXCL, so an existing key is never overwritten.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OvcacheError } from '../errors';
import { keyFolderProblem } from './key-file';
import { keyIdOf } from './keys';

export const PRIVATE_KEY_FILE = 'ovcache-signing.pem';
export const PUBLIC_KEY_FILE = 'ovcache-signing.pub.pem';

export interface KeyPairFiles {
  privateKeyPath: string;
  publicKeyPath: string;
  publicKeyPem: string;
  keyId: string;
}

/** A folder whose keys every loader would refuse (key-file.ts: another owner, group-writable) is refused before a key is written. */
function refuseUnloadableFolder(folder: string): void {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  const real = fs.realpathSync(folder);
  const problem = keyFolderProblem(fs.statSync(real), uid);
  if (problem)
    throw new OvcacheError(
      'OVCACHE_INVALID_ARGUMENT',
      `${real} ${problem.problem}: every loader would refuse a key kept there (others could replace it); give a new folder (keygen creates it 0700)`,
    );
}

export function writeKeyPair(dir: string): KeyPairFiles {
  const folder = path.resolve(dir);
  const privateKeyPath = path.join(folder, PRIVATE_KEY_FILE);
  const publicKeyPath = path.join(folder, PUBLIC_KEY_FILE);
  for (const p of [privateKeyPath, publicKeyPath])
    if (fs.existsSync(p))
      throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `${p} exists: keygen never overwrites a key; choose another folder`);
  const existing = fs.statSync(folder, { throwIfNoEntry: false });
  if (!existing) fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  else if (!existing.isDirectory())
    throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `${folder} is not a folder; give a folder for the keys`);
  else if ((existing.mode & 0o002) !== 0)
    throw new OvcacheError(
      'OVCACHE_INVALID_ARGUMENT',
      `${folder} is writable by others (mode ${(existing.mode & 0o7777).toString(8)}): anyone could replace the keys; give a new folder (keygen creates it 0700)`,
    );
  else refuseUnloadableFolder(folder);
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  fs.writeFileSync(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(publicKeyPath, publicKeyPem, { mode: 0o644, flag: 'wx' });
  return { privateKeyPath, publicKeyPath, publicKeyPem, keyId: keyIdOf(publicKey) };
}
