// May this machine sign ("vouch for") a local entry? Only for what it compiled itself (no
// `origin`) or what it verified on arrival against a key it trusts (its own key counts). An
// entry copied in unverified (a bundle unpacked without --trust, a tier without trust) is never
// signed: signing it would launder someone else's bytes under this machine's key. Every path
// that signs (publish to a tier, warm, pack) asks this one function.
import type { SigningKeyInfo, PublicKeyInfo } from './keys';

/** Where a local entry's files came from (its manifest's `origin`); absent: compiled here. */
export interface EntryOrigin {
  from: string;
  signedBy: string | null;
}

export type VouchDecision = { ok: true } | { ok: false; reason: string };

export function mayVouchFor(
  signer: SigningKeyInfo,
  trusted: ReadonlyMap<string, PublicKeyInfo>,
  origin: EntryOrigin | null | undefined,
): VouchDecision {
  if (!origin) return { ok: true };
  const by = origin.signedBy;
  if (by !== null && (by === signer.keyId || trusted.has(by))) return { ok: true };
  const why = by === null ? 'unsigned' : `signed by key ${by.slice(0, 16)}…, which this signer does not trust`;
  return {
    ok: false,
    reason: `not signed: copied from ${origin.from} (${why}) and never verified here; unpack it with --trust, or remove it and compile it here`,
  };
}
