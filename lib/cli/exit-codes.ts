/** Exit codes of the ovcache command (docs/cli.md). */
export const EXIT = {
  OK: 0,
  /** The operation failed: no runtime, a broken cache, an error from OpenVINO. */
  FAILED: 1,
  /** Bad usage: unknown command or option, bad argument. */
  USAGE: 2,
} as const;
