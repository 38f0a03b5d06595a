import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isVisibleAt } from '../embargo/visibility.js';
import type { Article } from '../model/article.js';
import type { ArchiveListings } from '../usecases/rebuild-all-feeds.js';
import {
  ARTICLE_SORT_KEY,
  desiredListings,
  LISTED_SORT_KEY,
  sameListingKey,
  writeListingItems,
  type ListingRef,
} from './dynamodb-article-repository.js';
import { batchWriteAll, dynamoDbCall } from './dynamodb-errors.js';
import { mapConcurrent } from '../related/concurrency.js';

/** Parallel Scan segments: the archive is read in pages of 1 MB, several at once. */
const SCAN_SEGMENTS = 4;

type ListingFields = Pick<Article, 'id' | 'status' | 'section' | 'tags' | 'authors' | 'publishedAt' | 'version'>;
/** Articles whose listing items are repaired at once. */
const REPAIR_CONCURRENCY = 8;

/**
 * The full rebuild's view of the archive: one parallel Scan of the article and LISTED items (only the
 * fields a listing needs, not the bodies) instead of two GetItem per article, then batched writes for
 * the listings that differ (none, normally).
 */
export class DynamoDbArchiveListings implements ArchiveListings {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async syncAll(now: Date, onArticles?: (articles: number) => void): Promise<{ articles: number; paths: string[] }> {
    const articles = new Map<string, ListingFields>();
    const listed = new Map<string, ListingRef[]>();
    let seen = 0;
    await Promise.all(
      Array.from({ length: SCAN_SEGMENTS }, async (_, segment) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await this.call('Scan articles', () =>
            this.client.send(
              new ScanCommand({
                TableName: this.tableName,
                Segment: segment,
                TotalSegments: SCAN_SEGMENTS,
                FilterExpression: 'begins_with(pk, :article) AND (sk = :a OR sk = :listed)',
                ProjectionExpression: 'pk, sk, id, #status, #section, tags, authors, publishedAt, version, listings',
                ExpressionAttributeNames: { '#status': 'status', '#section': 'section' },
                ExpressionAttributeValues: { ':article': 'ARTICLE#', ':a': ARTICLE_SORT_KEY, ':listed': LISTED_SORT_KEY },
                ConsistentRead: true,
                ExclusiveStartKey: startKey,
              }),
            ),
          );
          for (const item of page.Items ?? []) {
            const id = String(item['pk']).slice('ARTICLE#'.length);
            if (item['sk'] === ARTICLE_SORT_KEY) {
              articles.set(id, item as unknown as ListingFields);
              seen += 1;
            } else {
              listed.set(id, (item['listings'] as ListingRef[] | undefined) ?? []);
            }
          }
          onArticles?.(seen);
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      }),
    );

    const paths = new Set<string>();
    const repairs: { id: string; version: number | undefined; toPut: ListingRef[]; toDelete: ListingRef[]; desired: ListingRef[] }[] = [];
    for (const id of new Set([...articles.keys(), ...listed.keys()])) {
      const article = articles.get(id);
      const before = listed.get(id) ?? [];
      // Articles scheduled for later get their listing items from their release build (shared/embargo).
      const desired: ListingRef[] = article && isVisibleAt(article, now) ? desiredListings(article) : [];
      for (const l of [...before, ...desired]) paths.add(l.path);
      // Items naming another version are written again, as the sync does (listings written before they named one included).
      const toPut = desired.filter((d) => !before.some((l) => sameListingKey(d, l) && l.version === d.version));
      const toDelete = before.filter((l) => !desired.some((d) => sameListingKey(d, l)));
      if (toPut.length > 0 || toDelete.length > 0) repairs.push({ id, version: article?.version, toPut, toDelete, desired });
    }
    // Conditional writes (writeListingItems): the Scan may be older than a change synced meanwhile, whose
    // items must not be put back to an older version. An article refused that way is left to that sync.
    const repaired = await mapConcurrent(repairs, REPAIR_CONCURRENCY, (repair) =>
      writeListingItems(this.client, this.tableName, repair.id, repair.version, repair.toPut, repair.toDelete),
    );
    await this.batchWrite(
      repairs
        .filter((_, i) => repaired[i])
        .map((repair) => ({ PutRequest: { Item: { pk: `ARTICLE#${repair.id}`, sk: LISTED_SORT_KEY, entity: 'listed', listings: repair.desired } } })),
    );
    return { articles: articles.size, paths: [...paths].sort() };
  }

  private batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    return batchWriteAll(this.client, this.tableName, requests, 'listing items');
  }

  private call<T>(what: string, send: () => Promise<T>): Promise<T> {
    return dynamoDbCall(what, this.tableName, send);
  }
}
