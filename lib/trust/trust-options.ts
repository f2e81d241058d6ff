// The `trust` option of ModelCache and Fleet, and its environment equivalents for containers:
//   OVCACHE_SIGNING_KEY   a PEM file path or PEM text: the private key this process signs with
//   OVCACHE_TRUSTED_KEYS  comma-separated PEM file paths, or PEM text with one or more public keys
// The option wins over the environment; with neither, nothing is signed or verified.
import type { KeyObject } from 'node:crypto';
import { OvcacheError } from '../errors';
import { expectPlainObject, invalidArgument, rejectUnknownOptions } from '../openvino/validate';
import { loadSigningKey, loadTrustedKeys, type PublicKeyInfo, type SigningKeyInfo } from './keys';

/** The `trust` option of ModelCache and Fleet (docs/fleet.md, Trust). */
export interface TrustOptions {
  /** Signs every entry this process publishes or packs: an Ed25519 private key (PEM text, a PEM file path or a KeyObject). */
  signingKey?: string | KeyObject;
  /** Entries from a tier or a bundle are accepted only when signed by one of these public keys. */
  trustedKeys: Array<string | KeyObject>;
}

/** Trust with its keys loaded. */
export interface ResolvedTrust {
  /** Signs what is published or packed; undefined: nothing is signed. */
  signer: SigningKeyInfo | undefined;
  /** By key id; never empty. */
  trusted: ReadonlyMap<string, PublicKeyInfo>;
}

export const SIGNING_KEY_ENV = 'OVCACHE_SIGNING_KEY';
export const TRUSTED_KEYS_ENV = 'OVCACHE_TRUSTED_KEYS';

function trustedMap(list: PublicKeyInfo[]): Map<string, PublicKeyInfo> {
  return new Map(list.map((k) => [k.keyId, k]));
}

/** Trust from command-line keys (--sign, --trust): the trusted keys, else the signer's own. */
export function trustFromFlags(flags: { sign?: string | undefined; trust?: string[] | undefined }): ResolvedTrust | undefined {
  if (!flags.sign && !flags.trust?.length) return undefined;
  const signer = flags.sign ? loadSigningKey(flags.sign, '--sign') : undefined;
  const trusted = flags.trust?.length
    ? flags.trust.flatMap((k) => loadTrustedKeys(k, '--trust'))
    : signer
      ? [{ key: signer.key, keyId: signer.keyId }]
      : [];
  return { signer, trusted: trustedMap(trusted) };
}

export function resolveTrustOptions(value: unknown, where = 'trust'): ResolvedTrust {
  const o = expectPlainObject(value, where);
  rejectUnknownOptions(o, ['signingKey', 'trustedKeys'], where);
  if (!Array.isArray(o.trustedKeys) || o.trustedKeys.length === 0)
    throw invalidArgument('a non-empty list of public keys (PEM text, file paths or KeyObjects)', `${where}.trustedKeys`, o.trustedKeys);
  const trusted = (o.trustedKeys as unknown[]).flatMap((k, i) => loadTrustedKeys(k as string | KeyObject, `${where}.trustedKeys[${i}]`));
  const signer = o.signingKey === undefined ? undefined : loadSigningKey(o.signingKey as string | KeyObject, `${where}.signingKey`);
  return { signer, trusted: trustedMap(trusted) };
}

/** Trust from the environment: undefined when neither variable is set. A signer alone trusts its own key. */
export function trustFromEnv(env: NodeJS.ProcessEnv = process.env): ResolvedTrust | undefined {
  const signing = env.OVCACHE_SIGNING_KEY;
  const trustedText = env.OVCACHE_TRUSTED_KEYS;
  if (!signing && !trustedText) return undefined;
  const signer = signing ? loadSigningKey(signing, SIGNING_KEY_ENV) : undefined;
  let trusted: PublicKeyInfo[] = [];
  if (trustedText) {
    const items = trustedText.includes('-----BEGIN ')
      ? [trustedText]
      : trustedText
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
    if (items.length === 0) throw new OvcacheError('OVCACHE_TRUST_KEY_INVALID', `${TRUSTED_KEYS_ENV}: no key file named`);
    trusted = items.flatMap((item) => loadTrustedKeys(item, TRUSTED_KEYS_ENV));
  } else if (signer) {
    trusted = [{ key: signer.key, keyId: signer.keyId }];
  }
  return { signer, trusted: trustedMap(trusted) };
}

/** The option when given, else the environment's. */
export function resolveTrust(value: unknown, env: NodeJS.ProcessEnv = process.env, where = 'trust'): ResolvedTrust | undefined {
  return value === undefined ? trustFromEnv(env) : resolveTrustOptions(value, where);
}
