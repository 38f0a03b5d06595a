import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isVisibleAt } from '../../shared/embargo/visibility.js';
import { feedPathsForArticle } from '../../shared/feeds/feed-paths.js';

export interface ConsistencyReport {
  /** Stored articles looked at (any status). */
  articles: number;
  /** Published articles missing a listing item of one of their feeds, or their related list. */
  broken: { id: string; problem: string }[];
  /** Published articles scheduled for later than `now` (listed nowhere until their release), soonest first. */
  scheduled: { id: string; publishedAt: string }[];
}

/**
 * Reads the whole table once (a Scan, read to the end: this is a repair tool, never on the publish
 * path) and finds every published article that is missing from one of its feed listings or has no
 * related list. The caller rebuilds those through the stream; the builders read current state, so
 * a false alarm only costs a build. Articles scheduled for later than `now` are not expected anywhere
 * yet and are reported apart, so that their releases can be scheduled; one whose time passed while
 * nothing ran is missing from its listings, so it is rebuilt (released) like any broken article.
 */
export async function checkConsistency(client: DynamoDBDocumentClient, tableName: string, now: Date): Promise<ConsistencyReport> {
  const articles = new Map<string, { status: 'published' | 'withdrawn'; section: string; tags: string[]; authors: { name: string }[]; publishedAt: string; version: number }>();
  const listings = new Map<string, number | undefined>();
  const relatedLists = new Set<string>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({
        TableName: tableName,
        // Articles, listing items and related lists only; the related index, counters and stories are left out.
        FilterExpression: '(begins_with(pk, :article) AND sk = :a) OR begins_with(pk, :list) OR (begins_with(pk, :related) AND sk = :l)',
        ProjectionExpression: 'pk, sk, #status, #section, tags, authors, publishedAt, version, articleId, articleVersion',
        ExpressionAttributeNames: { '#status': 'status', '#section': 'section' },
        ExpressionAttributeValues: { ':article': 'ARTICLE#', ':a': 'A', ':list': 'LIST#', ':related': 'RELATED#', ':l': 'L' },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      const pk = String(item['pk']);
      if (pk.startsWith('ARTICLE#')) {
        articles.set(pk.slice('ARTICLE#'.length), item as never);
      } else if (pk.startsWith('LIST#')) {
        listings.set(`${pk.slice('LIST#'.length)}\u0000${String(item['sk'])}`, typeof item['articleVersion'] === 'number' ? item['articleVersion'] : undefined);
      } else {
        relatedLists.add(pk.slice('RELATED#'.length));
      }
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);

  const broken: ConsistencyReport['broken'] = [];
  const scheduled: ConsistencyReport['scheduled'] = [];
  for (const [id, article] of [...articles].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (article.status !== 'published') continue;
    if (!isVisibleAt(article, now)) {
      scheduled.push({ id, publishedAt: article.publishedAt });
      continue;
    }
    const missing = feedPathsForArticle(article).filter((path) => !listings.has(`${path}\u0000${article.publishedAt}#${id}`));
    // A listing item naming an older version than the stored one: that change was never synced, and a
    // builder holding the older version would render it (docs/storage.md, "Listing versions").
    const behind = feedPathsForArticle(article).filter((path) => {
      const listed = listings.get(`${path}\u0000${article.publishedAt}#${id}`);
      return listed !== undefined && listed < article.version;
    });
    if (missing.length > 0) broken.push({ id, problem: `not listed in ${missing.join(', ')}` });
    else if (behind.length > 0) broken.push({ id, problem: `listed at an older version than stored (${article.version}) in ${behind.join(', ')}` });
    else if (!relatedLists.has(id)) broken.push({ id, problem: 'no related list' });
  }
  scheduled.sort((a, b) => Date.parse(a.publishedAt) - Date.parse(b.publishedAt) || (a.id < b.id ? -1 : 1));
  return { articles: articles.size, broken, scheduled };
}
