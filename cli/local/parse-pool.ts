import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { SiteConfig } from '../../shared/config/load-config.js';
import type { RawInput } from '../../shared/parsing/parse-input.js';
import type { PreparedArticle } from '../../shared/usecases/ingest-article.js';

/**
 * How long one article may take to parse and sanitize, by default. Real articles take milliseconds (a full
 * WordPress theme page about 50 ms); a 2 MB page of 100,000 paragraphs takes 10 s and more. Set with
 * `WARTA_PARSE_TIME_LIMIT_MS`.
 */
export const DEFAULT_PARSE_TIME_LIMIT_MS = 5000;

export interface ParsePool {
  /** `prepareArticle` in a worker thread; an input over the time limit is refused, naming the limit. */
  prepare(input: RawInput, site: SiteConfig, now: Date): Promise<PreparedArticle>;
  readonly timeLimitMs: number;
  close(): Promise<void>;
}

/**
 * Parses inputs for the local runtime in worker threads (piscina), so that no input, however hostile, holds
 * the event loop that serves the API, the edge and the embedded DynamoDB and S3. Each input gets a time limit:
 * past it the task is aborted, which stops its worker (piscina starts a fresh one for the next task), and the
 * input is refused with a problem that names the limit. In AWS, Lambda's own timeout bounds one invocation,
 * so the functions parse inline.
 */
export function startParsePool(options: { timeLimitMs?: number; maxThreads?: number } = {}): ParsePool {
  const timeLimitMs = options.timeLimitMs ?? DEFAULT_PARSE_TIME_LIMIT_MS;
  const pool = new Piscina({
    filename: new URL('./parse-worker.mjs', import.meta.url).href,
    minThreads: 1,
    // Leave a core to the main thread (API, edge, dynalite, s3rver, builds).
    maxThreads: options.maxThreads ?? Math.max(1, Math.min(4, availableParallelism() - 1)),
    idleTimeout: 60_000,
  });
  return {
    timeLimitMs,
    async prepare(input, site, now) {
      // The clock starts when a worker takes the task (it says so on the channel), so time spent queued behind
      // other articles or while a replaced worker loads never counts against this one.
      const { port1, port2 } = new MessageChannel();
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      port1.once('message', () => {
        timer = setTimeout(() => controller.abort(), timeLimitMs);
      });
      try {
        return (await pool.run({ input, site, now: now.toISOString(), started: port2 }, { signal: controller.signal, transferList: [port2] })) as PreparedArticle;
      } catch (error) {
        if (!controller.signal.aborted || !isAbort(error)) throw error;
        return {
          ok: false,
          problems: [{ field: 'body', message: `took longer than ${timeLimitMs} ms to parse and was stopped; the limit per article is ${timeLimitMs} ms (simplify the markup or split the article)` }],
        };
      } finally {
        clearTimeout(timer);
        port1.close();
      }
    },
    close: () => pool.destroy(),
  };
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError' || /aborted/i.test(error.message));
}
