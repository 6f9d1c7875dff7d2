/** Exit codes of `bulwark` (documented in the README). */
export const ExitCode = {
  OK: 0,
  /** A bug: an unexpected internal error (the message says where). */
  INTERNAL: 1,
  /** Bad command line. */
  USAGE: 2,
  /** Some input was truncated or corrupt: results up to the fault are complete and were written. */
  PARTIAL: 3,
  /** No input could be read at all (missing file, not a capture). */
  NO_INPUT: 4,
  /** `bulwark verify`: a hash, the custody chain or a signature of the evidence package does not hold. */
  TAMPERED: 5,
  /** A second SIGINT/SIGTERM while the first one's flush was running: stopped at once (128 + SIGINT). */
  INTERRUPTED: 130,
} as const;
