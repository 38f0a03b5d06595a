import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeedBuilderHandler } from '../../../functions/feed-builder.js';
import { createRelatedBuilderHandler } from '../../../functions/related-builder.js';
import { ensureTable } from '../../../cli/local/embedded-stack.js';
import { systemClock } from '../../../shared/ports.js';
import { feedBuildDependencies } from '../../../shared/runtime/dependencies.js';
import { DynamoDbRelatedStore } from '../../../shared/storage/dynamodb-related-store.js';
import { createHubNotifier, type HubNotification } from '../../../shared/websub/notify-hubs.js';
import { startTestStack, type TestStack } from '../../support/local-stack.js';
import { startRecordingHub } from '../../support/recording-hub.js';
import { exampleArticles } from '../../unit/related/fixtures.js';
import { makeArticle } from '../../fixtures/articles.js';
import { FEED_CHECKER as CHECKER, feedCheckerMissing as checkerMissing } from '../../support/feed-checker.js';

const until = async (condition: () => boolean, ms: number): Promise<boolean> => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return condition();
};

/** The two builders that write public feeds tell the WebSub hubs what they changed. */
describe('the builders and WebSub (dynalite + s3rver)', () => {
  let t: TestStack;
  let hub: Awaited<ReturnType<typeof startRecordingHub>>;
  beforeAll(async () => {
    [t, hub] = await Promise.all([startTestStack(), startRecordingHub()]);
  });
  afterAll(async () => {
    await hub?.close();
    await t?.close();
  });

  it('notifies the hubs once per batch of every story feed the related builder changed, and the story feeds advertise the hub', async () => {
    hub.received.length = 0;
    // Three reports of one flood: the related builder groups them into one story with its own feeds.
    const articles = exampleArticles().filter((a) => a.id.includes('banjir'));
    expect(articles.length).toBeGreaterThanOrEqual(3);
    for (const a of articles) await t.deps.articles.save(a, undefined);
    await ensureTable(t.stack.dynamodb, 'warta-story-websub');
    const site = { ...t.deps.config.site, websubHubs: [hub.url] };
    const logged: HubNotification[] = [];
    const handler = createRelatedBuilderHandler({
      logger: new Logger({ serviceName: 'warta-test', logLevel: 'SILENT' }),
      related: {
        articles: t.deps.articles,
        store: new DynamoDbRelatedStore(t.deps.documentClient, 'warta-story-websub'),
        publisher: t.deps.publisher,
        site,
        clock: systemClock,
      },
      websub: createHubNotifier({ hubs: [hub.url], log: (n) => logged.push(n), retry: { baseDelayMs: 1, timeoutMs: 30_000 } }),
    });
    const event: DynamoDBStreamEvent = {
      Records: articles.map((a, i) => ({
        eventID: `e${i}`,
        eventName: 'INSERT',
        dynamodb: { Keys: { pk: { S: `ARTICLE#${a.id}` }, sk: { S: 'A' } }, SequenceNumber: String(i + 1) },
      })),
    };
    expect(await handler(event)).toEqual({ batchItemFailures: [] });

    const storyFeeds = (await t.deps.publisher.list('feeds/story/')).sort();
    expect(storyFeeds.length).toBeGreaterThanOrEqual(3);
    // One request for the whole batch, naming every story feed file written, and nothing else (related
    // lists and story documents are not feeds).
    expect(hub.received).toHaveLength(1);
    const form = hub.received[0] as URLSearchParams;
    expect(form.get('hub.mode')).toBe('publish');
    expect(form.getAll('hub.topic').sort()).toEqual(storyFeeds.map((key) => `${site.feedsBaseUrl}/${key}`));
    expect(form.getAll('hub.url').sort()).toEqual(form.getAll('hub.topic').sort());
    expect(logged.map((n) => n.status)).toEqual(['ok']);

    for (const key of storyFeeds) {
      const body = (await t.readObject(key))?.body ?? '';
      if (key.endsWith('.rss')) expect(body).toContain(`<atom:link href="${hub.url}" rel="hub"/>`);
      if (key.endsWith('.atom')) expect(body).toContain(`<link rel="hub" href="${hub.url}"/>`);
      if (key.endsWith('.json')) expect((JSON.parse(body) as { hubs?: { url: string }[] }).hubs?.map((h) => h.url)).toEqual([hub.url]);
    }

    // The same batch again changes no story feed: no notification.
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(hub.received).toHaveLength(1);

    if (checkerMissing === undefined) {
      const dir = mkdtempSync(join(tmpdir(), 'warta-story-'));
      const pairs = await Promise.all(
        storyFeeds
          .filter((k) => /\.(rss|atom)$/.test(k))
          .map(async (key) => {
            const file = join(dir, key.replace(/\//g, '_'));
            writeFileSync(file, (await t.readObject(key))?.body ?? '');
            return `${file}=${site.feedsBaseUrl}/${key}`;
          }),
      );
      const run = spawnSync('/usr/bin/python3', [CHECKER, ...pairs], { encoding: 'utf8' });
      expect(run.stdout.trim().split('\n').filter((line) => !line.endsWith(': 0 errors, 0 warnings'))).toEqual([]);
    }
  }, 120_000);

  it('tells the hub of the changed feeds before it builds partner outputs, in one notification, and ends only after it', async () => {
    hub.received.length = 0;
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
