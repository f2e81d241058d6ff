// What one cell of the fault matrix records: a part of the outside world, a fault, what a
// caller saw (healthy, then under the fault, in the same run) and what was lost.

export const PARTS = ['redis-coordinator', 'redis-results', 's3-tier', 'folder-tier', 'cache-volume'] as const;
export const FAULTS = ['killed', 'frozen', 'slow', 'full', 'denied'] as const;
export type Part = (typeof PARTS)[number];
export type Fault = (typeof FAULTS)[number];

export const PART_NAMES: Record<Part, string> = {
  'redis-coordinator': 'Redis as coordinator',
  'redis-results': 'Redis as the result tier',
  's3-tier': 'S3 tier (s3rver)',
  'folder-tier': 'shared-folder tier',
  'cache-volume': 'cache volume',
};

export const FAULT_NAMES: Record<Fault, string> = {
  killed: 'killed (SIGKILL)',
  frozen: 'frozen (SIGSTOP)',
  slow: 'slow (delaying proxy)',
  full: 'full',
  denied: 'permission denied',
};

/** One operation a caller makes: what it got back and how long it took (null: it hung). */
export interface Measured {
  op: string;
  outcome: string;
  ms: number | null;
}

export interface CaseResult {
  part: Part;
  fault: Fault;
  status: 'measured' | 'n/a' | 'hung' | 'failed';
  /** n/a: why the pair makes no sense here; failed: the error of the case itself. */
  reason?: string;
  /** How the fault was made. */
  how?: string;
  healthy: Measured[];
  faulted: Measured[];
  /** 'nothing', or what was lost (entries or results that existed before the fault). */
  lost?: string;
  notes: string[];
}
