import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { feedBuildDependencies, productionDependencies, resolveDependencies, type Dependencies, type DependencySource } from '../shared/runtime/dependencies.js';
import { websubNotifier } from '../shared/runtime/websub-notifier.js';
import { articleIdOfStreamRecord, previousTimingOfStreamRecord } from '../shared/runtime/stream-records.js';
import { releaseSchedulerFromEnvironment } from '../shared/runtime/release-scheduler.js';
import { mergeReleaseChanges, syncReleases, type ReleaseScheduler } from '../shared/embargo/release-schedule.js';
import { buildFeedsForArticles, type BuildFeedsDeps } from '../shared/usecases/build-feeds.js';
import { changedFeedTopics, type HubNotifier } from '../shared/websub/notify-hubs.js';

export type FeedBuilderDeps = Pick<Dependencies, 'logger'> & {
  build: BuildFeedsDeps;
  /** Tells the configured WebSub hubs about feeds whose bytes changed; absent when no hub is configured. */
  websub?: HubNotifier;
  /**
   * Creates, moves or cancels the release of each changed article scheduled for later (shared/embargo):
   * EventBridge Scheduler in AWS, a timer in the local runtime. Without it no release is scheduled.
   */
  releases?: ReleaseScheduler;
};

/**
 * DynamoDB stream entry point: rebuilds every feed touched by the changed articles.
 * The whole batch is built at once (one rebuild of "latest" for many changes); if that fails,
 * records are retried one by one so that only the failing ones are reported back to Lambda.
 */
export function createFeedBuilderHandler(source: DependencySource<FeedBuilderDeps>) {
  const deps = resolveDependencies(source);
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { build, logger, websub, releases } = deps();
    // After the build of these records, their articles' releases match their current state; a failure
    // fails the records (retried), since an article whose release was never scheduled would stay unpublished.
    const scheduleReleases = async (records: readonly DynamoDBRecord[]) => {
      if (!releases) return;
      const events = records.flatMap((r) => {
        const articleId = articleIdOfStreamRecord(r);
        return articleId ? [{ articleId, previous: previousTimingOfStreamRecord(r) }] : [];
      });
      const now = build.clock.now();
      const current = new Map((await build.articles.getMany([...new Set(events.map((e) => e.articleId))])).map((a) => [a.id, a]));
      const result = await syncReleases(releases, mergeReleaseChanges(events, current, now), now);
      if (result.scheduled.length > 0 || result.cancelled.length > 0) logger.info('Releases scheduled', { ...result });
    };
    // One notification per hub for everything this batch changed; it never throws, so it never fails the batch.
    const notify = async (written: readonly string[]) => {
      if (websub) await websub.notify(changedFeedTopics(written, build.site.feedsBaseUrl));
    };
    const ids = event.Records.flatMap((r) => {
      const id = articleIdOfStreamRecord(r);
      return id ? [id] : [];
    });
    if (ids.length === 0) return { batchItemFailures: [] };
    // Hubs are told as soon as the feeds are written, while sitemaps, the discovery index and partner
    // outputs are still being built; the invocation ends only once the notification did.
    let notified: Promise<void> | undefined;
    try {
      const result = await buildFeedsForArticles({ ...build, feedsPublished: (written) => (notified = notify(written)) }, ids);
      await scheduleReleases(event.Records);
      logger.info('Feeds built', { articles: ids.length, feeds: result.feeds.length, written: result.written.length });
      await notified;
      return { batchItemFailures: [] };
    } catch (error) {
      await notified;
      logger.warn('Batch build failed; retrying record by record', { error: error as Error });
    }
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    const written: string[] = [];
    const response = await processPartialResponse(
      event,
      async (record: DynamoDBRecord) => {
        const id = articleIdOfStreamRecord(record);
        if (!id) return;
        written.push(...(await buildFeedsForArticles(build, [id])).written);
        await scheduleReleases([record]);
      },
      processor,
      // Report every failed record rather than throwing, so Lambda checkpoints at the first failure.
      { throwOnFullBatchFailure: false },
    );
    await notify(written);
    return response;
  };
}

/** The feed builder's dependencies in Lambda (and, with its own release timers, in the local runtime). */
export function productionFeedBuilderDeps(): FeedBuilderDeps {
  const deps = productionDependencies();
  const websub = websubNotifier(deps);
  const releases = releaseSchedulerFromEnvironment(process.env);
  return { logger: deps.logger, build: feedBuildDependencies(deps), ...(websub ? { websub } : {}), ...(releases ? { releases } : {}) };
}

export const handler = createFeedBuilderHandler(productionFeedBuilderDeps);
