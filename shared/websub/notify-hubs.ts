/**
 * WebSub publishing (https://www.w3.org/TR/websub/): after a build changed public feeds, tell each
 * configured hub which topics (feed self URLs) have new content, so subscribers such as Google News
 * fetch them now instead of at their next poll. The spec leaves the publisher→hub call to the hub;
 * every common hub (Google's pubsubhubbub.appspot.com, Superfeedr, Switchboard, websub.rocks)
 * accepts a form-encoded POST with `hub.mode=publish` and the topic as `hub.url` (Google) or
 * `hub.topic` (the spec's name), repeated for several topics, so both names are sent.
 *
 * Hand-written because no maintained npm package publishes to WebSub hubs; it is one form POST.
 */

/** What happened to one hub's notification; one log line each. */
export interface HubNotification {
  hub: string;
  /** The topics (feed self URLs) in this notification. */
  feeds: string[];
  /** `ok`: the hub answered 2xx. `failed`: no 2xx after every attempt. `skipped`: the hub is cooling down after a failure. */
  status: 'ok' | 'failed' | 'skipped';
  /** The last HTTP status the hub answered, if it answered. */
  httpStatus?: number;
  attempts: number;
  /** Why the last attempt failed (network error, timeout, status). */
  error?: string;
  ms: number;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubled before each later one. */
  baseDelayMs: number;
  /** Time limit of one request. */
  timeoutMs: number;
  /** After a hub failed every attempt, later builds skip it for this long, so a hub outage never slows the stream. */
  coolDownMs: number;
}

/** At most about 0.5 + 1 s of waiting plus three 3-second requests: a few seconds per build when a hub is down, once. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 500, timeoutMs: 3_000, coolDownMs: 60_000 };

export interface HubNotifierDeps {
  hubs: readonly string[];
  /** Receives one entry per hub per build. */
  log: (notification: HubNotification) => void;
  /** Counts outcomes, e.g. as CloudWatch metrics. */
  count?: (outcome: HubNotification['status'], n: number) => void;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  retry?: Partial<RetryPolicy>;
}

export interface HubNotifier {
  /** Notifies every hub of `topics` (one request per hub); never throws. */
  notify(topics: readonly string[]): Promise<HubNotification[]>;
}

/** The form body of a publish notification for these topics. */
export function publishBody(topics: readonly string[]): URLSearchParams {
  const body = new URLSearchParams({ 'hub.mode': 'publish' });
  for (const topic of topics) {
    body.append('hub.url', topic);
    body.append('hub.topic', topic);
  }
  return body;
}

/** A 429 or 5xx, or no answer at all, may pass; any other refusal will not, so it is not retried. */
const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * A notifier that keeps its cool-down state between builds (one per execution environment or
 * local runtime). Failures are logged and counted, never thrown: a hub is a courtesy to
 * subscribers, who still poll.
 */
export function createHubNotifier(deps: HubNotifierDeps): HubNotifier {
  const policy = { ...DEFAULT_RETRY_POLICY, ...deps.retry };
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = deps.now ?? Date.now;
  const coolingUntil = new Map<string, number>();

  const notifyOne = async (hub: string, feeds: string[]): Promise<HubNotification> => {
    const started = now();
    const until = coolingUntil.get(hub);
    if (until !== undefined && started < until) {
      return { hub, feeds, status: 'skipped', attempts: 0, error: 'hub failed recently; cooling down', ms: 0 };
    }
    let httpStatus: number | undefined;
    let error: string | undefined;
    let attempts = 0;
    for (let attempt = 1; attempt <= policy.attempts; attempt++) {
      if (attempt > 1) await sleep(policy.baseDelayMs * 2 ** (attempt - 2));
      attempts = attempt;
      try {
        const response = await doFetch(hub, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: publishBody(feeds).toString(),
          signal: AbortSignal.timeout(policy.timeoutMs),
        });
        httpStatus = response.status;
        await response.body?.cancel().catch(() => undefined);
        if (response.ok) {
          coolingUntil.delete(hub);
          return { hub, feeds, status: 'ok', httpStatus, attempts, ms: now() - started };
        }
        error = `hub answered ${response.status}`;
        if (!retryable(response.status)) break;
      } catch (caught) {
        httpStatus = undefined;
        error = (caught as Error).name === 'TimeoutError' ? `no answer within ${policy.timeoutMs} ms` : (caught as Error).message;
      }
    }
    coolingUntil.set(hub, now() + policy.coolDownMs);
    return { hub, feeds, status: 'failed', ...(httpStatus !== undefined ? { httpStatus } : {}), attempts, ...(error ? { error } : {}), ms: now() - started };
  };

  return {
    async notify(topics) {
      const feeds = [...new Set(topics)].sort();
      if (feeds.length === 0 || deps.hubs.length === 0) return [];
      const results = await Promise.all(deps.hubs.map((hub) => notifyOne(hub, feeds)));
      for (const result of results) deps.log(result);
      if (deps.count) {
        for (const status of ['ok', 'failed', 'skipped'] as const) {
          const n = results.filter((r) => r.status === status).length;
          if (n > 0) deps.count(status, n);
        }
      }
      return results;
    },
  };
}

/**
 * The topics of the public feed files among written object keys: `feeds/<path>.rss|.atom|.json`,
 * as the feeds' self links spell them. Partner files and other outputs are not WebSub topics.
 */
export function changedFeedTopics(writtenKeys: readonly string[], feedsBaseUrl: string): string[] {
  return writtenKeys.filter((key) => /^feeds\/.+\.(rss|atom|json)$/.test(key)).map((key) => `${feedsBaseUrl}/${key}`);
}
