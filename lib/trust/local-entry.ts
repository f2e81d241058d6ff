// Whether an entry already in a local cache folder may be used under trusted keys: one compiled
// here (no origin) is this machine's own work; one copied in from a tier or a bundle is used
// only while the key that signed it is trusted (unsigned, or signed by a key no longer trusted:
// not used, and replaced by a verified copy or a local compile).
import type { EntryManifest } from '../cache/entry/manifest';
import type { ResolvedTrust } from './trust-options';

export type LocalTrust = { ok: true } | { ok: false; refusal: 'unsigned' | 'untrusted-key'; detail: string };

export function trustLocalEntry(manifest: Pick<EntryManifest, 'origin'>, trust: ResolvedTrust): LocalTrust {
  const origin = manifest.origin;
  if (origin === undefined) return { ok: true };
  if (origin.signedBy === null) return { ok: false, refusal: 'unsigned', detail: `copied in from ${origin.from} unsigned` };
  if (!trust.trusted.has(origin.signedBy))
    return {
      ok: false,
      refusal: 'untrusted-key',
      detail: `copied in from ${origin.from}, signed by ${origin.signedBy}, a key not trusted now`,
    };
  return { ok: true };
}
