import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { systemClock, type ArticleRepository, type Clock } from '../shared/ports.js';
import { resolveDependencies, type DependencySource } from '../shared/runtime/dependencies.js';
import { DynamoDbArticleRepository } from '../shared/storage/dynamodb-article-repository.js';
import { DynamoDbWordPressSyncState } from '../shared/storage/dynamodb-wordpress-sync-state.js';
import { ingestArticle, withdrawArticle } from '../shared/usecases/ingest-article.js';
import { loadWordPressSyncConfig, wordpressCredentialsLoader, type WordPressCredentials, type WordPressSyncConfig } from '../shared/wordpress/sync-config.js';
import { syncWordPress, type WordPressSyncStateStore, type WordPressSyncSummary } from '../shared/wordpress/sync-wordpress.js';

export interface WordPressSyncHandlerDeps {
  config: Pick<WordPressSyncConfig, 'site' | 'wordpressSyncUrl'>;
  articles: ArticleRepository;
  state: WordPressSyncStateStore;
  clock: Clock;
  logger: Logger;
  /** Application-password credentials; absent means the site is read anonymously. */
  credentials?: () => Promise<WordPressCredentials>;
  fetch?: typeof fetch;
}

/** A run stops taking new pages when less than this is left before the Lambda timeout; the next run resumes. */
export const STOP_BEFORE_TIMEOUT_MS = 60_000;

/**
 * Scheduled entry point (an EventBridge rule, every few minutes): one `warta sync` run against the
 * configured WordPress site, ingesting and withdrawing through the ingest use case itself, with its
 * position in the articles table. A failed run throws (the error alarm sees it) and the next one
 * resumes from the saved position.
 */
export function createWordPressSyncHandler(source: DependencySource<WordPressSyncHandlerDeps>) {
  const deps = resolveDependencies(source);
  return async (_event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<WordPressSyncSummary> => {
    const { config, articles, state, clock, logger, credentials } = deps();
    const useCaseDeps = { articles, clock, site: config.site };
    const login = credentials ? await credentials() : undefined;
    const summary = await syncWordPress(
      {
        fetch: deps().fetch ?? fetch,
        ingest: async (post) => {
          const outcome = await ingestArticle(useCaseDeps, { body: Buffer.from(JSON.stringify(post), 'utf8'), contentType: 'application/json' });
          return outcome.status === 'refused' ? { status: 'refused', problems: outcome.problems } : { status: outcome.status };
        },
        withdraw: async (id) => ((await withdrawArticle(useCaseDeps, id)).status === 'withdrawn' ? { status: 'withdrawn' } : { status: 'unknown' }),
        state,
        clock,
        keepGoing: () => context === undefined || context.getRemainingTimeInMillis() > STOP_BEFORE_TIMEOUT_MS,
      },
      { siteUrl: config.wordpressSyncUrl, ...(login ? { user: login.user, appPassword: login.applicationPassword } : {}) },
    );
    const { refused, ...counts } = summary;
    logger.info('WordPress sync', { ...counts, refused: refused.length });
    for (const r of refused) logger.warn('WordPress post refused', { id: r.id, reasons: r.reasons });
    return summary;
  };
}

export const handler = createWordPressSyncHandler(() => {
  const config = loadWordPressSyncConfig(process.env);
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } });
  return {
    config,
    articles: new DynamoDbArticleRepository(documentClient, config.articlesTableName),
    state: new DynamoDbWordPressSyncState(documentClient, config.articlesTableName),
    clock: systemClock,
    logger: new Logger({ serviceName: 'warta' }),
    ...(config.wordpressSyncSecretArn ? { credentials: wordpressCredentialsLoader(config.wordpressSyncSecretArn) } : {}),
  };
});
