import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, UpdateScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { fc, test } from '@fast-check/vitest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalReleaseTimers } from '../../../cli/local/release-timers.js';
import { EventBridgeReleaseScheduler, releaseScheduleInput, releaseScheduleName } from '../../../shared/embargo/eventbridge-release-scheduler.js';
import { mergeReleaseChanges, releaseInstant, syncReleases, type ReleaseChange, type ReleaseScheduler } from '../../../shared/embargo/release-schedule.js';
import { ID_PATTERN } from '../../../shared/model/article.js';

const NOW = new Date('2024-02-07T05:00:00.000Z');
const clock = { now: () => new Date(NOW) };

/** The release timers the local runtime uses, counting the calls the sync makes on them. */
function countingTimers(release: (id: string, at: Date) => void = () => undefined) {
  const timers = new LocalReleaseTimers(release, clock);
  const calls = { schedule: 0, cancel: 0 };
  const scheduler: ReleaseScheduler = {
    schedule: (id, at) => (calls.schedule++, timers.schedule(id, at)),
    cancel: (id) => (calls.cancel++, timers.cancel(id)),
  };
  return { timers, calls, scheduler };
}

const state = fc.record({
  status: fc.constantFrom('published' as const, 'withdrawn' as const),
  // From a day before now to a day after, to the millisecond.
  publishedAt: fc.integer({ min: -86_400_000, max: 86_400_000 }).map((d) => new Date(NOW.getTime() + d).toISOString()),
});

describe('release schedules follow the article', () => {
  beforeEach(() => vi.useFakeTimers({ now: NOW }));
  afterEach(() => vi.useRealTimers());

  test.prop([fc.array(state, { minLength: 1, maxLength: 8 })])(
    'after every version exactly the articles scheduled for later have one release, at their (rounded up) time',
    async (versions) => {
      const { timers, calls, scheduler } = countingTimers();
      let previous = undefined as ReleaseChange['previous'];
      for (const current of versions) {
        const before = { ...calls };
        await syncReleases(scheduler, [{ articleId: 'a', current, previous }], NOW);
        const later = current.status === 'published' && Date.parse(current.publishedAt) > NOW.getTime();
        expect(timers.pending()).toEqual(later ? new Map([['a', releaseInstant(new Date(current.publishedAt))]]) : new Map());
        // A version that is public, after one that was public too (or none), costs no call at all.
        const wasLater = previous !== undefined && previous !== 'unknown' && previous.status === 'published' && Date.parse(previous.publishedAt) > NOW.getTime();
        if (!later && !wasLater) expect(calls).toEqual(before);
        previous = current;
      }
      timers.close();
    },
  );

  it('releases at the publication time and not a millisecond before; a moved time moves it; a withdrawal cancels it', async () => {
    const released: string[] = [];
    const { timers, scheduler } = countingTimers((id) => released.push(id));
    const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
    await syncReleases(scheduler, [{ articleId: 'pagi', current: { status: 'published', publishedAt: at(3_000) }, previous: undefined }], NOW);
    await syncReleases(scheduler, [{ articleId: 'batal', current: { status: 'published', publishedAt: at(2_000) }, previous: undefined }], NOW);
    // Moved later, then earlier (still ahead), as an editor does.
    const moved = { status: 'published' as const, publishedAt: at(10_000) };
    await syncReleases(scheduler, [{ articleId: 'pagi', current: moved, previous: { status: 'published', publishedAt: at(3_000) } }], NOW);
    await syncReleases(scheduler, [{ articleId: 'pagi', current: { status: 'published', publishedAt: at(5_000) }, previous: moved }], NOW);
    await syncReleases(scheduler, [{ articleId: 'batal', current: { status: 'withdrawn', publishedAt: at(2_000) }, previous: 'unknown' }], NOW);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(released).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toEqual(['pagi']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(released).toEqual(['pagi']);
    expect(timers.pending().size).toBe(0);
  });

  it('re-arms a release further away than a Node timer can wait (about 24.8 days)', async () => {
    const released: string[] = [];
    const timers = new LocalReleaseTimers((id) => released.push(id), { now: () => new Date(Date.now()) });
    const at = new Date(NOW.getTime() + 40 * 86_400_000);
    await timers.schedule('jauh', at);
    await vi.advanceTimersByTimeAsync(40 * 86_400_000 - 1);
    expect(released).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toEqual(['jauh']);
  });

  it('merges a batch of events per article, keeping the previous state that may have left a release', () => {
    const later = { status: 'published' as const, publishedAt: '2024-02-07T06:00:00.000Z' };
    const past = { status: 'published' as const, publishedAt: '2024-02-07T04:00:00.000Z' };
    const merged = mergeReleaseChanges(
      [
        { articleId: 'x', previous: undefined },
        { articleId: 'x', previous: later },
        { articleId: 'x', previous: past },
        { articleId: 'y', previous: past },
        { articleId: 'y', previous: 'unknown' },
      ],
      new Map([['x', past]]),
      NOW,
    );
    expect(merged).toEqual([
      { articleId: 'x', current: past, previous: later },
      { articleId: 'y', current: undefined, previous: 'unknown' },
    ]);
  });
});

describe('EventBridge Scheduler releases', () => {
  const target = { groupName: 'warta-releases', releaseFunctionArn: 'arn:aws:lambda:ap-southeast-3:123456789012:function:release', schedulerRoleArn: 'arn:aws:iam::123456789012:role/release' };

  const articleId = fc.stringMatching(ID_PATTERN);
  test.prop([articleId, articleId])('names every article’s schedule validly, and two articles never alike', (a, b) => {
    expect(releaseScheduleName(a)).toMatch(/^[0-9a-zA-Z_.-]{1,64}$/);
    expect(releaseScheduleName(a) === releaseScheduleName(b)).toBe(a === b);
  });

  it('is a one-time schedule at the second, in UTC, on time, deleted after it ran, invoking the release function with the article id', () => {
    expect(releaseScheduleInput(target, 'pagi', new Date('2024-02-07T06:00:01.000Z'))).toMatchObject({
      Name: 'release-pagi',
      GroupName: 'warta-releases',
      ScheduleExpression: 'at(2024-02-07T06:00:01)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: target.releaseFunctionArn, RoleArn: target.schedulerRoleArn, Input: '{"articleId":"pagi"}' },
    });
  });

  /** A client that records commands and throws the fault injected for a command type. */
  function faultyClient(faults: Map<unknown, Error>) {
    const sent: unknown[] = [];
    const client = { send: async (command: unknown) => (sent.push(command), faults.has((command as object).constructor) ? Promise.reject(faults.get((command as object).constructor)) : {}) };
    return { client: client as unknown as SchedulerClient, sent };
  }

  it('moves a release that already exists, and treats a missing one as cancelled; other errors fail the build', async () => {
    const conflict = new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });
    const missing = new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} });
    const { client, sent } = faultyClient(new Map<unknown, Error>([[CreateScheduleCommand, conflict], [DeleteScheduleCommand, missing]]));
    const scheduler = new EventBridgeReleaseScheduler(client, target);
    await scheduler.schedule('pagi', new Date('2024-02-07T06:00:00Z'));
    await scheduler.cancel('pagi');
    expect(sent.map((c) => (c as object).constructor)).toEqual([CreateScheduleCommand, UpdateScheduleCommand, DeleteScheduleCommand]);
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const failing = new EventBridgeReleaseScheduler(faultyClient(new Map([[CreateScheduleCommand, throttled]])).client, target);
    await expect(failing.schedule('pagi', new Date('2024-02-07T06:00:00Z'))).rejects.toThrow('Rate exceeded');
  });
});
