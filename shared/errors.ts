/**
 * One small error hierarchy. Expected failures (bad input, stale versions) are values
 * (see `Problem` and `IngestOutcome`); these errors are for what callers cannot handle inline.
 */
export class WartaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Configuration is missing or malformed; raised once at start-up. */
export class ConfigurationError extends WartaError {}

/** A storage adapter failed in a way the caller may retry (throttling, network, 5xx). */
export class StorageError extends WartaError {}

/** A conditional write lost a race with a concurrent writer; retrying the whole use case is safe. */
export class ConcurrentModificationError extends WartaError {}

/** An input was rejected; carries every problem found, each naming its field. */
export class InvalidInputError extends WartaError {
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  }
}

/** One thing wrong with an input: which field, and what is wrong with it. */
export interface Problem {
  field: string;
  message: string;
}

/** Result type for expected failures: callers branch on `ok`, never catch. */
export type Result<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };
