// Reads a key file only when no one else can change it, and a private key only when no one else
// can read it. The path may run through symlinks (a Kubernetes Secret mount: key.pem ->
// ..data/key.pem -> ..2026_12_07_…/key.pem, all root-owned); what is checked is the file they
// resolve to, opened O_NOFOLLOW and fstat'ed on the fd it is read from, and the folder holding it:
//   owner     this process's user or root (a file another user owns, they can rewrite)
//   writable  by the owner only, file and folder (a group/other-writable folder lets them rename
//             another file over it; a sticky one, like /tmp, does not)
//   readable  a private key: by the owner only (0600/0400), except in a Kubernetes Secret mount
//             (the kubelet's ..data layout, root-owned): group-readable there is the fsGroup
//             pattern (defaultMode 0440) and accepted; world-readable (the default 0644) is
//             accepted with a process warning that names the fix. A public key: by anyone.
import fs from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { OvcacheError } from '../errors';

export type KeyKind = 'private' | 'public';

const STICKY = 0o1000;

const octal = (mode: number): string => `0${(mode & 0o7777).toString(8)}`;

function refuse(name: string, what: string): OvcacheError {
  return new OvcacheError('OVCACHE_TRUST_KEY_INVALID', `${name}: ${what}`);
}

/** True when `file` sits in a kubelet AtomicWriter folder: <mount>/..<timestamp>/file with <mount>/..data -> it. */
export function inKubernetesSecretMount(file: string): boolean {
  const folder = path.dirname(file);
  if (!path.basename(folder).startsWith('..')) return false;
  try {
    const data = path.join(path.dirname(folder), '..data');
    return fs.lstatSync(data).isSymbolicLink() && fs.realpathSync(data) === folder;
  } catch {
    return false;
  }
}

/** The problem with who may change (or, for a private key, read) `stat`, or undefined. */
function ownerProblem(stat: Stats, uid: number): string | undefined {
  if (stat.uid !== uid && stat.uid !== 0) return `is owned by uid ${stat.uid}, neither this user (${uid}) nor root`;
  return undefined;
}

/** The PEM text of the key file `file`, read from the fd that was checked; refused (coded) when others can change it. */
export function readKeyFile(file: string, kind: KeyKind, name: string): string {
  const real = fs.realpathSync(file);
  const shown = real === path.resolve(file) ? file : `${file} (-> ${real})`;
  const fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw refuse(name, `${shown} is not a regular file`);
    const uid = process.getuid?.();
    if (uid !== undefined) checkWriters(shown, real, stat, uid, kind, name);
    const text = fs.readFileSync(fd, 'utf8');
    // Readers matter only for a secret: a public key given to sign is refused for what it is (keys.ts).
    if (uid !== undefined && kind === 'private' && /PRIVATE KEY-----/.test(text)) checkReaders(shown, real, stat, name);
    return text;
  } finally {
    fs.closeSync(fd);
  }
}

function checkWriters(shown: string, real: string, stat: Stats, uid: number, kind: KeyKind, name: string): void {
  const what =
    kind === 'private' ? 'whoever can change it signs as this machine' : 'whoever can change it decides what this machine trusts';
  const owner = ownerProblem(stat, uid);
  if (owner) throw refuse(name, `the key file ${shown} ${owner}: ${what}. Give a key file you own.`);
  if (stat.mode & 0o022)
    throw refuse(name, `the key file ${shown} is writable by others (mode ${octal(stat.mode)}): ${what}. chmod go-w ${real}`);
  const folder = path.dirname(real);
  const dir = keyFolderProblem(fs.statSync(folder), uid);
  if (dir?.fix === 'own')
    throw refuse(name, `the folder ${folder} of the key file ${shown} ${dir.problem}: ${what}. Keep the key in a folder you own.`);
  if (dir)
    throw refuse(
      name,
      `the folder ${folder} of the key file ${shown} ${dir.problem}, who could put another file in its place: ${what}. chmod go-w ${folder}`,
    );
}

/**
 * Why a key kept in a folder with this stat would be refused (the loader's rule, and so keygen's):
 * owned by neither this user nor root, or writable by group or others without the sticky bit.
 */
export function keyFolderProblem(dir: Stats, uid: number): { problem: string; fix: 'own' | 'chmod' } | undefined {
  const owner = ownerProblem(dir, uid);
  if (owner) return { problem: owner, fix: 'own' };
  if (dir.mode & 0o022 && !(dir.mode & STICKY)) return { problem: `is writable by others (mode ${octal(dir.mode)})`, fix: 'chmod' };
  return undefined;
}

function checkReaders(shown: string, real: string, stat: Stats, name: string): void {
  if (stat.mode & 0o044) {
    if (stat.uid === 0 && inKubernetesSecretMount(real)) {
      if (stat.mode & 0o004)
        process.emitWarning(
          `${name}: the signing key ${shown} is readable by every user of the container (mode ${octal(stat.mode)}); set the Secret volume's defaultMode to 0440 with the pod's fsGroup (0400 when the process runs as root)`,
          { type: 'OvcacheWarning', code: 'SIGNING_KEY_READABLE' },
        );
      return;
    }
    throw refuse(
      name,
      `the signing key file ${shown} is readable by others (mode ${octal(stat.mode)}): chmod 600 ${real} (ovcache keygen writes it 0600)`,
    );
  }
}
