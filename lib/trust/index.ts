// Signed entries: Ed25519 keys, the canonical statement, signing and verifying (docs/fleet.md, Trust).
export { keyIdOf, loadSigningKey, loadTrustedKeys, type KeyInput, type PublicKeyInfo, type SigningKeyInfo } from './keys';
export { statementBytes, statementFields, STATEMENT_PREFIX, type SignedFile, type StatementFields } from './statement';
export { signEntry, verifyEntry, type EntrySignature, type TrustCheck, type TrustRefusal } from './signature';
export { resolveTrust, trustFromEnv, SIGNING_KEY_ENV, TRUSTED_KEYS_ENV, type ResolvedTrust, type TrustOptions } from './trust-options';
export { writeKeyPair, type KeyPairFiles } from './keygen';
