import fetchBuilder from 'fetch-retry';

/**
 * `fetch` that repeats a request the server asked to have repeated: 429 (too many requests), 502, 503
 * and 504, waiting what its `Retry-After` says (seconds or an HTTP date, RFC 9110 §10.2.3), else 1 s,
 * 2 s, 4 s … doubling. Bounded twice: at most `retries` repeats, and a server that asks for a longer
 * wait than `maxDelayMs` gets its answer returned at once (a scheduled run comes back later anyway;
 * a CLI user sees the answer instead of a silent long wait). The retrying itself is fetch-retry's;
 * only the policy (which answers, how long) is ours.
 *
 * Every request Warta repeats is safe to repeat: ingest is idempotent (the same article is
 * `unchanged`), a withdrawal of a withdrawn article is `unchanged`, and REST reads change nothing.
 */

export interface RetryPolicy {
  /** Repeats after the first attempt. */
  retries: number;
  /** Wait before the first repeat when the server names none; doubles for each further repeat. */
  baseDelayMs: number;
  /** The longest wait honoured. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 1_000, maxDelayMs: 30_000 };

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Milliseconds a `Retry-After` value asks for, or undefined when it is absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`); Date.parse alone would read "-1" or "1.5" as dates.
  if (!/^[A-Za-z]{3},? .* GMT$/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait before repeat number `attempt + 1`, or undefined when the answer is not to be repeated. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, status: number, retryAfter: string | null | undefined, now: number): number | undefined {
  if (!RETRYABLE_STATUSES.has(status) || attempt >= policy.retries) return undefined;
  const asked = retryAfterMs(retryAfter, now);
  if (asked !== undefined) return asked > policy.maxDelayMs ? undefined : asked;
  return Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
}

export function retryingFetch(fetcher: typeof fetch, policy: RetryPolicy = DEFAULT_RETRY_POLICY): typeof fetch {
  const delayOf = (attempt: number, response: Response | null) =>
    response ? retryDelayMs(policy, attempt, response.status, response.headers.get('retry-after'), Date.now()) : undefined;
  const wrapped = fetchBuilder(fetcher, {
    retries: policy.retries,
    retryOn: async (attempt, _error, response) => {
      if (delayOf(attempt, response) === undefined) return false;
      // The answer is dropped: its body is read to the end so the connection can be reused.
      await response?.arrayBuffer().catch(() => undefined);
      return true;
    },
    retryDelay: (attempt, _error, response) => delayOf(attempt, response) ?? 0,
  });
  return wrapped as typeof fetch;
}
