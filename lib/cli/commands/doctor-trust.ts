// The trust part of `ovcache doctor`: which keys OVCACHE_SIGNING_KEY and OVCACHE_TRUSTED_KEYS
// load (key ids), or, for each that does not load, its coded error (doctor then exits nonzero).
import { loadSigningKey } from '../../trust/keys';
import { SIGNING_KEY_ENV, TRUSTED_KEYS_ENV, trustFromEnv } from '../../trust/trust-options';

export interface DoctorTrust {
  /** False when neither variable is set: whoever can write a tier or hand over a bundle is trusted. */
  configured: boolean;
  /** The signing key's id, or null. */
  signer: string | null;
  /** The ids of the keys accepted (with only a signing key: its own). */
  trusted: string[];
  errors: Array<{ variable: string; code: string; message: string }>;
}

function coded(variable: string, error: unknown): DoctorTrust['errors'][number] {
  const e = error as { code?: string; message?: string };
  return { variable, code: e.code ?? 'UNKNOWN', message: e.message ?? String(error) };
}

export function doctorTrustSection(env: NodeJS.ProcessEnv = process.env): DoctorTrust {
  const report: DoctorTrust = { configured: Boolean(env[SIGNING_KEY_ENV] || env[TRUSTED_KEYS_ENV]), signer: null, trusted: [], errors: [] };
  const signing = env[SIGNING_KEY_ENV];
  if (signing) {
    try {
      report.signer = loadSigningKey(signing, SIGNING_KEY_ENV).keyId;
    } catch (error) {
      report.errors.push(coded(SIGNING_KEY_ENV, error));
    }
  }
  if (env[TRUSTED_KEYS_ENV]) {
    try {
      report.trusted = [...(trustFromEnv({ [TRUSTED_KEYS_ENV]: env[TRUSTED_KEYS_ENV] })?.trusted.keys() ?? [])];
    } catch (error) {
      report.errors.push(coded(TRUSTED_KEYS_ENV, error));
    }
  } else if (report.signer) report.trusted = [report.signer];
  return report;
}

export function formatDoctorTrust(trust: DoctorTrust): string {
  const lines = ['Trust:'];
  if (!trust.configured) {
    lines.push(`  none (${SIGNING_KEY_ENV} and ${TRUSTED_KEYS_ENV} unset): tier entries and bundles are used unverified`);
    return lines.join('\n');
  }
  lines.push(`  signs with  ${trust.signer ?? '-'}`);
  lines.push(`  trusts      ${trust.trusted.length > 0 ? trust.trusted.join(', ') : '-'}`);
  for (const e of trust.errors) lines.push(`  ERROR ${e.variable}: [${e.code}] ${e.message}`);
  return lines.join('\n');
}
