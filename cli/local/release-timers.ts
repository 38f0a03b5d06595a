import type { ReleaseScheduler } from '../../shared/embargo/release-schedule.js';
import type { Clock } from '../../shared/ports.js';

/** setTimeout holds at most 2^31−1 ms (about 24.8 days); a later release re-arms when that much has passed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Releases of scheduled articles in the local runtime (the AWS counterpart is one EventBridge Scheduler
 * schedule per article): one timer per article, calling `release(articleId)` at its time. In memory only:
 * the main job schedules again, at start, every article still scheduled for later, and an article whose
 * time passed while nothing ran is found unlisted by the startup check and built (cli/local/main-job.ts).
 */
export class LocalReleaseTimers implements ReleaseScheduler {
  private readonly timers = new Map<string, { at: Date; timer: NodeJS.Timeout }>();
  private closed = false;

  constructor(
    private readonly release: (articleId: string, at: Date) => void,
    private readonly clock: Clock,
  ) {}

  async schedule(articleId: string, at: Date): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.timers.get(articleId)?.timer);
    this.arm(articleId, at);
  }

  async cancel(articleId: string): Promise<void> {
    clearTimeout(this.timers.get(articleId)?.timer);
    this.timers.delete(articleId);
  }

  /** Pending releases, article id to time, soonest first. */
  pending(): Map<string, Date> {
    return new Map([...this.timers].map(([id, t]) => [id, t.at] as const).sort(([, a], [, b]) => a.getTime() - b.getTime()));
  }

  close(): void {
    this.closed = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private arm(articleId: string, at: Date): void {
    const delay = Math.max(0, at.getTime() - this.clock.now().getTime());
    const timer = setTimeout(
      () => {
        if (delay > MAX_TIMER_MS) {
          this.arm(articleId, at);
          return;
        }
        this.timers.delete(articleId);
        this.release(articleId, at);
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    // A pending release never keeps the process alive on its own.
    timer.unref();
    this.timers.set(articleId, { at, timer });
  }
}
