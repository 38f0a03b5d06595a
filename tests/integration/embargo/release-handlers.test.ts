import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalReleaseTimers } from '../../../cli/local/release-timers.js';
import { createEmbargoReleaseHandler } from '../../../functions/embargo-release.js';
import { createFeedBuilderHandler } from '../../../functions/feed-builder.js';
import { feedBuildDependencies } from '../../../shared/runtime/dependencies.js';
import { ingestArticle } from '../../../shared/usecases/ingest-article.js';
import { jsonArticle, startTestStack, type TestStack } from '../../support/local-stack.js';

/**
 * The two Lambda entry points of scheduled stories on dynalite and s3rver: the feed builder creates,
 * moves and cancels an article's release from its stream records (here on the local runtime's release
 * timers, the in-memory side of the scheduler port; EventBridge Scheduler has no local emulator), and the
 * release function, invoked by the schedule, publishes the article.
 */

const T = '2024-02-07T12:00:00.000Z';
const at = (deltaMs: number) => new Date(Date.parse(T) + deltaMs).toISOString();
const logger = new Logger({ serviceName: 'warta-test', logLevel: 'SILENT' });

/** A stream record as DynamoDB sends it with NEW_AND_OLD_IMAGES (only the fields the builder reads). */
function record(id: string, eventName: 'INSERT' | 'MODIFY', old?: { status: string; publishedAt: string }): DynamoDBRecord {
  return {
    eventName,
    dynamodb: {
      Keys: { pk: { S: `ARTICLE#${id}` }, sk: { S: 'A' } },
      ...(old ? { OldImage: { pk: { S: `ARTICLE#${id}` }, sk: { S: 'A' }, status: { S: old.status }, publishedAt: { S: old.publishedAt } } } : {}),
    },
  };
}

describe('release scheduling and the release function', () => {
  let t: TestStack;
  let timers: LocalReleaseTimers;
  const released: string[] = [];
  beforeAll(async () => {
    t = await startTestStack();
    t.clock.set(at(-3_600_000));
    timers = new LocalReleaseTimers((id) => released.push(id), t.clock);
  }, 60_000);
  afterAll(async () => {
    timers?.close();
    await t?.close();
  });

  const ingest = async (fields: Record<string, unknown>) => {
    t.clock.advance(1_000);
    const outcome = await ingestArticle({ articles: t.deps.articles, clock: t.clock, site: t.deps.config.site }, jsonArticle(fields));
    expect(outcome.status).not.toBe('refused');
  };
  const feedBuilder = () => createFeedBuilderHandler({ logger, build: feedBuildDependencies(t.deps), releases: timers });

  it('creates the release with the article, moves it with its publication time and cancels it when its time moves into the past', async () => {
    await ingest({ id: 'rilis', publishedAt: T });
    expect(await feedBuilder()(({ Records: [record('rilis', 'INSERT')] }))).toEqual({ batchItemFailures: [] });
    expect(timers.pending()).toEqual(new Map([['rilis', new Date(T)]]));

    await ingest({ id: 'rilis', publishedAt: at(1_800_500) });
    await feedBuilder()({ Records: [record('rilis', 'MODIFY', { status: 'published', publishedAt: T })] });
    expect(timers.pending()).toEqual(new Map([['rilis', new Date(at(1_801_000))]]));

    // Moved into the past: the build of that change publishes it, and the release goes.
    await ingest({ id: 'rilis', publishedAt: at(-7_200_000) });
    await feedBuilder()({ Records: [record('rilis', 'MODIFY', { status: 'published', publishedAt: at(1_800_500) })] });
    expect(timers.pending().size).toBe(0);
    expect((await t.readObject('feeds/latest.rss'))?.body).toContain('/rilis/');
  }, 60_000);

  it('the release function waits out a schedule that fires early, then publishes the article in every feed', async () => {
    await ingest({ id: 'tepat-waktu', publishedAt: T, title: 'Pengumuman kabinet pukul dua belas' });
    await feedBuilder()({ Records: [record('tepat-waktu', 'INSERT')] });
    expect(timers.pending().get('tepat-waktu')).toEqual(new Date(T));
    expect((await t.readObject('feeds/latest.rss'))?.body).not.toContain('tepat-waktu');

    t.clock.set(at(-400));
    const waited: number[] = [];
    const release = createEmbargoReleaseHandler({
      logger,
      build: feedBuildDependencies(t.deps),
      related: { articles: t.deps.articles, store: t.deps.related, publisher: t.deps.publisher, site: t.deps.config.site, clock: t.clock },
      sleep: async (ms) => {
        waited.push(ms);
        t.clock.advance(ms);
      },
    });
    const result = await release({ articleId: 'tepat-waktu' });
    expect(waited).toEqual([400]);
    expect(result.released).toBe(true);
    expect(result.written).toEqual(expect.arrayContaining(['feeds/latest.rss', 'feeds/section/nusantara.atom', 'related/tepat-waktu.json', 'sitemaps/news.xml']));
    expect((await t.readObject('feeds/latest.rss'))?.body).toContain('/tepat-waktu/');
    await expect(release({ articleId: '../etc' } as never)).rejects.toThrow(/articleId must be an article id/);
  }, 60_000);
});
