// The fleet part of `ovcache doctor --fleet <file>`: the tiers a warm manifest (or a file of
// fleet options) names, and who hands out the compile-once leases, with what is and is not
// proven about them. Reads the file only: never connects to a tier.
import fs from 'node:fs';
import { yaml } from '../../deferred-deps';
import { OvcacheError } from '../../errors';
import { resolveFleetOptions, type TierOptions } from '../../fleet/fleet-options';

export interface DoctorFleet {
  file: string;
  tiers: Array<{ name: string; readOnly: boolean }>;
  /** Who hands out leases; verified: whether ovcache's tests prove two machines never both hold one. */
  leases: { kind: 'redis' | 's3' | 'folder' | 'none'; where: string | null; verified: boolean };
  warnings: string[];
}

const FLEET_FIELDS = ['tiers', 'coordinator', 'publish', 'timeoutMs', 'retryAfterMs', 'leaseTtlMs', 'leaseWaitMs', 'pollMs'];

export const S3_LEASES_UNVERIFIED =
  'S3 leases are UNVERIFIED: no S3 server that enforces conditional writes (If-None-Match / If-Match) runs in ' +
  "ovcache's tests, so that two machines never both take a lease is not proven; on a store that ignores them " +
  "every machine compiles. Use the Redis coordinator: coordinator: { redis: 'redis://host:6379' }.";

function tierName(t: TierOptions): string {
  if ('s3' in t) {
    const prefix = t.s3.prefix ?? '';
    return `s3://${t.s3.bucket}/${prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`}`;
  }
  return `folder:${t.path}`;
}

/** Reads a warm manifest or fleet-options file (YAML or JSON) and says what its fleet would use. */
export function doctorFleetSection(file: string): DoctorFleet {
  let parsed: unknown;
  try {
    parsed = yaml().parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `--fleet ${file}: not a readable YAML or JSON file (${(error as Error).message})`);
  }
  const all = (parsed ?? {}) as Record<string, unknown>;
  const picked = Object.fromEntries(Object.entries(all).filter(([k]) => FLEET_FIELDS.includes(k)));
  const options = resolveFleetOptions({ tiers: [], ...picked }, file);
  const tiers = options.tiers.map((t) => ({ name: tierName(t), readOnly: t.readOnly === true }));
  const writable = options.tiers.find((t) => t.readOnly !== true);
  const warnings: string[] = [];
  let leases: DoctorFleet['leases'];
  if (options.coordinator) {
    leases = {
      kind: 'redis',
      where: `redis:${options.coordinator.redis.replace(/^rediss?:/, '').replace(/\/\/[^@/]*@/, '//')}`,
      verified: true,
    };
  } else if (!writable) {
    leases = { kind: 'none', where: null, verified: true };
  } else if ('s3' in writable) {
    leases = { kind: 's3', where: tierName(writable), verified: false };
    warnings.push(S3_LEASES_UNVERIFIED);
  } else {
    leases = { kind: 'folder', where: tierName(writable), verified: true };
  }
  return { file, tiers, leases, warnings };
}

export function formatDoctorFleet(fleet: DoctorFleet): string {
  const lines = [`Fleet (${fleet.file}):`];
  for (const t of fleet.tiers) lines.push(`  tier    ${t.name}${t.readOnly ? ' (read-only)' : ''}`);
  const what = {
    redis: 'the Redis coordinator (SET NX PX)',
    s3: 'conditional writes on the S3 tier',
    folder: 'a lock folder on the shared folder tier',
    none: 'none (no writable tier: nothing is compiled for the fleet)',
  }[fleet.leases.kind];
  lines.push(`  leases  ${what}${fleet.leases.where ? ` at ${fleet.leases.where}` : ''}`);
  for (const w of fleet.warnings) lines.push(`  warning ${w}`);
  return lines.join('\n');
}
