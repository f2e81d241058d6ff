// The probing half of the search: looks at each candidate path once, records and logs every
// probe, and answers the library file a path holds. Never opens the library.
import fs from 'node:fs';
import path from 'node:path';
import { logger } from '../log';
import { libraryFileName, libraryNamePattern, matchLibraryName, rankLibraryNames } from './library-names';
import type { Probe } from './probe';

const log = logger('finder');

/** A place to look. 'path' accepts a file or a folder (explicit settings); 'folder' only a folder. */
export interface Candidate {
  source: string;
  path: string;
  kind: 'path' | 'folder';
}

/** Probes candidates, each path once, recording and logging every probe. */
export class ProbeSearch {
  readonly probes: Probe[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly platform: NodeJS.Platform) {}

  record(probe: Probe): void {
    this.probes.push(probe);
    log('%s %s: %s%s', probe.source, probe.path, probe.outcome, probe.detail ? ` (${probe.detail})` : '');
  }

  /** The library file's absolute path, or undefined. */
  probe(candidate: Candidate): string | undefined {
    const resolved = path.resolve(candidate.path);
    const key = this.platform === 'win32' ? resolved.toLowerCase() : resolved;
    if (this.seen.has(key)) {
      log('%s %s: already probed', candidate.source, resolved);
      return undefined;
    }
    this.seen.add(key);
    if (candidate.kind === 'folder') return this.probeFolder(candidate.source, resolved);

    const stat = statOrError(resolved);
    if (stat instanceof Error) return this.recordStatError(candidate.source, resolved, stat, 'no such file or folder');
    if (stat.isDirectory()) return this.probeFolder(candidate.source, resolved);
    if (!stat.isFile()) {
      this.record({ source: candidate.source, path: resolved, outcome: 'not-a-library', detail: 'not a regular file' });
      return undefined;
    }
    const named = matchLibraryName(path.basename(resolved), this.platform) !== null;
    this.record({
      source: candidate.source,
      path: resolved,
      outcome: 'found',
      ...(named ? {} : { detail: `accepted as given; not named ${libraryFileName(this.platform)}` }),
    });
    return resolved;
  }

  private probeFolder(source: string, dir: string): string | undefined {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') this.record({ source, path: dir, outcome: 'missing', detail: 'no such folder' });
      else if (code === 'ENOTDIR') this.record({ source, path: dir, outcome: 'missing', detail: 'not a folder' });
      else this.record({ source, path: dir, outcome: 'unreadable', detail: errorText(error) });
      return undefined;
    }
    const ranked = rankLibraryNames(names, this.platform);
    if (ranked.length === 0) {
      this.record({ source, path: dir, outcome: 'missing', detail: `no ${libraryNamePattern(this.platform)} in it` });
      return undefined;
    }
    const rejected: string[] = [];
    let unreadable = false;
    for (const { fileName } of ranked) {
      const file = path.join(dir, fileName);
      const stat = statOrError(file);
      if (!(stat instanceof Error) && stat.isFile()) {
        const skipped = rejected.length > 0 ? `; skipped ${rejected.join(', ')}` : '';
        this.record({ source, path: dir, outcome: 'found', detail: `${fileName}${skipped}` });
        return file;
      }
      if (stat instanceof Error && isPermissionError(stat)) unreadable = true;
      rejected.push(`${fileName} (${stat instanceof Error ? rejectionReason(file, stat) : 'not a regular file'})`);
    }
    this.record({ source, path: dir, outcome: unreadable ? 'unreadable' : 'not-a-library', detail: rejected.join(', ') });
    return undefined;
  }

  private recordStatError(source: string, file: string, error: NodeJS.ErrnoException, missingText: string): undefined {
    if (isPermissionError(error)) this.record({ source, path: file, outcome: 'unreadable', detail: errorText(error) });
    else if (error.code === 'ENOENT' && isSymlink(file))
      this.record({ source, path: file, outcome: 'not-a-library', detail: 'dangling symlink' });
    else if (error.code === 'ENOENT' || error.code === 'ENOTDIR')
      this.record({ source, path: file, outcome: 'missing', detail: missingText });
    else this.record({ source, path: file, outcome: 'unreadable', detail: errorText(error) });
    return undefined;
  }
}

function rejectionReason(file: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT' && isSymlink(file)) return 'dangling symlink';
  return errorText(error);
}

function statOrError(file: string): fs.Stats | NodeJS.ErrnoException {
  try {
    return fs.statSync(file);
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

export function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function isPermissionError(error: NodeJS.ErrnoException): boolean {
  return error.code === 'EACCES' || error.code === 'EPERM';
}

function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ?? e.message;
}
