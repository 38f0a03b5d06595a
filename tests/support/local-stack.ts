import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { startEmbeddedStack, type EmbeddedStack } from '../../cli/local/embedded-stack.js';
import { RuntimeConfigSchema } from '../../shared/config/load-config.js';
import type { Clock } from '../../shared/ports.js';
import { buildDependencies, type Dependencies } from '../../shared/runtime/dependencies.js';
import { DynamoDbFeedArchive } from '../../shared/storage/dynamodb-feed-archive.js';
import { DynamoDbSitemapStore } from '../../shared/storage/dynamodb-sitemap-store.js';
import type { BuildFeedsDeps } from '../../shared/usecases/build-feeds.js';

export const TEST_TABLE = 'warta-test';
export const TEST_FEED_BUCKET = 'warta-test-feeds';
export const TEST_INBOX_BUCKET = 'warta-test-inbox';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface TestStack {
  stack: EmbeddedStack;
  deps: Dependencies;
  clock: ManualClock;
  buildDeps: BuildFeedsDeps;
  /** Body and headers of one object in the feed bucket, or undefined. */
  readObject(key: string): Promise<{ body: string; contentType?: string; cacheControl?: string } | undefined>;
  close(): Promise<void>;
}

/** Real dynalite and s3rver on loopback, with the adapters wired as in Lambda. */
export async function startTestStack(overrides: { feedItemLimit?: number } = {}): Promise<TestStack> {
  const stack = await startEmbeddedStack({ memory: true, tableName: TEST_TABLE, buckets: [TEST_FEED_BUCKET, TEST_INBOX_BUCKET] });
  const config = RuntimeConfigSchema.parse({
    articlesTableName: TEST_TABLE,
    feedBucketName: TEST_FEED_BUCKET,
    inboxBucketName: TEST_INBOX_BUCKET,
    s3ForcePathStyle: 'true',
    site: {
      siteUrl: 'https://jurnalpagi.example',
      siteTitle: 'JurnalPagi',
      siteDescription: 'Berita terkini dari JurnalPagi',
      feedsBaseUrl: 'https://feeds.jurnalpagi.example',
      feedItemLimit: overrides.feedItemLimit ?? 50,
    },
  });
  const clock = new ManualClock(new Date('2024-02-07T05:00:00Z'));
  const deps = buildDependencies(config, {
    dynamodb: stack.dynamodb,
    s3: stack.s3,
    clock,
    logger: new Logger({ serviceName: 'warta-test', logLevel: (process.env['TEST_LOG_LEVEL'] ?? 'SILENT') as 'SILENT' }),
  });
  const buildDeps: BuildFeedsDeps = {
    articles: deps.articles,
    revisions: deps.feedRevisions,
    publisher: deps.publisher,
    site: config.site,
    clock,
    archives: new DynamoDbFeedArchive(deps.documentClient, config.articlesTableName),
    sitemaps: { store: new DynamoDbSitemapStore(deps.documentClient, config.articlesTableName), clock },
  };
  return {
    stack,
    deps,
    clock,
    buildDeps,
    async readObject(key) {
      try {
        const out = await stack.s3.send(new GetObjectCommand({ Bucket: TEST_FEED_BUCKET, Key: key }));
        return {
          body: (await out.Body?.transformToString('utf-8')) ?? '',
          contentType: out.ContentType,
          cacheControl: out.CacheControl,
        };
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    close: () => stack.close(),
  };
}

/** A JSON article input in Warta's own format, as a CMS integration would POST it. */
export function jsonArticle(fields: Record<string, unknown>): { body: string; contentType: string } {
  return {
    body: JSON.stringify({
      title: 'Banjir rob rendam pesisir utara Jakarta',
      bodyHtml: '<p>Banjir rob kembali merendam kawasan pesisir utara Jakarta pada Rabu pagi.</p><p>Warga diminta waspada.</p>',
      section: 'Nusantara',
      tags: ['Banjir', 'Jakarta'],
      authors: [{ name: 'Rina Kartika' }],
      publishedAt: '2024-02-07T01:00:00+07:00',
      ...fields,
    }),
    contentType: 'application/json',
  };
}
