// A cache's own history in its folder: attachHistory() writes it, readHistory() reads it.
export { attachHistory, type HistoryOptions, type HistoryRecorder } from './attach';
export type { ObservedCache } from './observed-cache';
export { readHistory, bucketIntervals, type History, type HistoryBucket, type ReadHistoryOptions } from './reader';
export {
  HISTORY_DIR,
  HISTORY_FORMAT,
  type HistoryRecord,
  type HistoryRecordBase,
  type IntervalRecord,
  type UsageRecord,
  type EvictRecord,
} from './records';
