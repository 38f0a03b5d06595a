import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeedBuilderHandler } from '../../../functions/feed-builder.js';
import { feedBuildDependencies } from '../../../shared/runtime/dependencies.js';
import { createHubNotifier } from '../../../shared/websub/notify-hubs.js';
import { makeArticle } from '../../fixtures/articles.js';
import { startTestStack, type TestStack } from '../../support/local-stack.js';
import { startRecordingHub } from '../../support/recording-hub.js';

const until = async (condition: () => boolean, ms: number): Promise<boolean> => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return condition();
};

describe('feed builder and WebSub (dynalite + s3rver)', () => {
  let t: TestStack;
  let hub: Awaited<ReturnType<typeof startRecordingHub>>;
  beforeAll(async () => {
    [t, hub] = await Promise.all([startTestStack(), startRecordingHub()]);
  });
  afterAll(async () => {
    await hub?.close();
    await t?.close();
  });

  it('tells the hub of the changed feeds before it builds partner outputs, in one notification, and ends only after it', async () => {
    const article = makeArticle({ id: 'websub-early', publishedAt: '2024-02-07T04:00:00.000Z', updatedAt: '2024-02-07T04:00:00.000Z' });
    await t.deps.articles.save(article, undefined);
    const build = feedBuildDependencies(t.deps);
    let hubHeardBeforePartners: boolean | undefined;
    const handler = createFeedBuilderHandler({
      logger: new Logger({ serviceName: 'warta-test', logLevel: 'SILENT' }),
      build: {
        ...build,
        // The last step of a build: by then the hub must have heard (it is told while this step runs).
        partnerOutputs: async (ids) => {
          hubHeardBeforePartners = await until(() => hub.received.length > 0, 10_000);
          return build.partnerOutputs ? build.partnerOutputs(ids) : { written: [], deleted: [] };
        },
      },
      websub: createHubNotifier({ hubs: [hub.url], log: () => undefined, retry: { baseDelayMs: 1, timeoutMs: 30_000 } }),
    });
    const event: DynamoDBStreamEvent = {
      Records: [{ eventID: 'e1', eventName: 'INSERT', dynamodb: { Keys: { pk: { S: `ARTICLE#${article.id}` }, sk: { S: 'A' } }, SequenceNumber: '1' } }],
    };
    expect(await handler(event)).toEqual({ batchItemFailures: [] });

    expect(hubHeardBeforePartners).toBe(true);
    expect(hub.received).toHaveLength(1);
    const topics = (hub.received[0] as URLSearchParams).getAll('hub.topic');
    const base = t.deps.config.site.feedsBaseUrl;
    // Every format of every feed the article is in, and nothing that is not a feed (sitemaps, index, archive pages).
    expect(topics).toEqual(expect.arrayContaining(['rss', 'atom', 'json'].map((f) => `${base}/feeds/latest.${f}`)));
    for (const topic of topics) expect(topic).toMatch(new RegExp(`^${base}/feeds/[^?#]+\\.(rss|atom|json)$`));
    expect(topics.some((topic) => /sitemap|index\.html|opml|archive/.test(topic))).toBe(false);
  }, 60_000);
});
