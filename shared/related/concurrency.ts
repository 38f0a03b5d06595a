/**
 * Bounded concurrency for independent storage calls: a builder issues many small requests whose
 * latency, not their CPU, dominates an update, so running them side by side cuts wall time, while a
 * bound keeps sockets and provisioned throughput from being flooded.
 */

/**
 * Runs at most `max` functions at a time; the others wait in call order. Background work (counter
 * updates nothing waits for soon) takes at most half the slots and only slots no foreground call
 * is waiting for, so a long queue of it never delays the reads an update is blocked on.
 */
export class Limiter {
  private active = 0;
  private activeBackground = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly waitingBackground: (() => void)[] = [];
  private readonly maxBackground: number;

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`Limiter needs a positive integer, got ${max}`);
    this.maxBackground = Math.max(1, Math.floor(max / 2));
  }

  async run<T>(fn: () => Promise<T>, options: { background?: boolean } = {}): Promise<T> {
    const background = options.background === true;
    if (this.active < this.max && (!background || (this.activeBackground < this.maxBackground && this.waiting.length === 0))) {
      this.active++;
      if (background) this.activeBackground++;
    } else {
      await new Promise<void>((resolve) => (background ? this.waitingBackground : this.waiting).push(resolve));
    }
    try {
      return await fn();
    } finally {
      this.release(background);
    }
  }

  /** Frees a slot and hands it to the next foreground waiter, else to a background one if allowed. */
  private release(background: boolean): void {
    this.active--;
    if (background) this.activeBackground--;
    const next = this.waiting.shift();
    if (next) {
      this.active++;
      next();
      return;
    }
    if (this.waitingBackground.length > 0 && this.activeBackground < this.maxBackground) {
      this.active++;
      this.activeBackground++;
      (this.waitingBackground.shift() as () => void)();
    }
  }
}

/**
 * `fn` over every value with at most `max` calls in flight; results in input order. Every call is
 * awaited before a failure is reported, so no rejection is left unobserved and no call outlives it.
 */
export async function mapConcurrent<T, R>(values: readonly T[], max: number, fn: (value: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(values.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < values.length && !failure) {
      const i = next++;
      try {
        results[i] = await fn(values[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(max, values.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

/**
 * Like `Promise.all`, but a failure is rethrown only after every promise settled: a use case that
 * fails never leaves a write of its own still in flight, and no second rejection goes unobserved.
 */
export async function settleAll<T extends readonly unknown[]>(promises: readonly [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T> {
  const settled = await Promise.allSettled(promises);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
