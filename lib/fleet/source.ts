// Whether the local folder already holds a usable entry for a request: what a process waiting
// on another machine's compile checks between looks at the tiers.
import { readManifest, type EntryManifest } from '../cache/entry/manifest';
import { isUsable, type EntryRequest } from '../cache/entry/usable';

export async function localEntryUsable(request: EntryRequest, accept: (m: EntryManifest) => boolean = () => true): Promise<boolean> {
  const read = await readManifest(request.entryDir);
  return read.status === 'ok' && accept(read.manifest) && isUsable(read.manifest, request);
}
