// One member of a group (run as that uid by the test) opens a shared: 'group' results store that
// another member may have made, stores a value under its own uid and reads back every member's.
// Prints one RESULT:<json> line: what it read, the codes of any error, the database files' modes.
import fs from 'node:fs';
import path from 'node:path';
import { ResultCache } from '../../lib/index';

export interface GroupMemberJob {
  dir: string;
  /** The uids whose values to read back (this one's included). */
  members: number[];
}

export interface GroupMemberResult {
  read: Array<unknown>;
  errors: string[];
  modes: Record<string, string>;
}

async function main(): Promise<void> {
  process.umask(0o022); // a usual service umask: the store must not depend on a friendlier one
  const job = JSON.parse(process.argv[2] ?? '{}') as GroupMemberJob;
  const result: GroupMemberResult = { read: [], errors: [], modes: {} };
  const uid = process.getuid?.() ?? -1;
  try {
    const cache = new ResultCache({ dir: job.dir, shared: 'group' });
    cache.on('error', (e) => result.errors.push((e.error as Error & { code?: string }).code ?? e.error.message));
    await cache.set(cache.keyFor({ model: 'm', params: { uid } }), { meta: { uid } });
    for (const member of job.members)
      result.read.push((await cache.get(cache.keyFor({ model: 'm', params: { uid: member } })))?.meta ?? null);
    await cache.close();
  } catch (error) {
    result.errors.push(`${(error as Error & { code?: string }).code ?? ''}: ${(error as Error).message}`);
  }
  for (const name of ['results.mdb', 'results.mdb-lock']) {
    const st = fs.statSync(path.join(job.dir, name), { throwIfNoEntry: false });
    if (st) result.modes[name] = (st.mode & 0o777).toString(8);
  }
  process.stdout.write(`RESULT:${JSON.stringify(result)}\n`);
}

void main();
