import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SIGNATURE_HEADERS, verifyBodySignature } from '../shared/auth/webhook-signature.js';
import { productionDependencies, resolveDependencies, type Dependencies, type DependencySource } from '../shared/runtime/dependencies.js';
import { webhookSecretLoader } from '../shared/runtime/webhook-secret.js';
import { ingestArticle, withdrawArticle, type IngestDeps, type IngestOutcome } from '../shared/usecases/ingest-article.js';

export type IngestHandlerDeps = Pick<Dependencies, 'articles' | 'clock' | 'logger'> & {
  config: Pick<Dependencies['config'], 'site'>;
  /** Returns the webhook HMAC key; absent means requests are not signed (the local runtime). */
  webhookSecret?: () => Promise<string>;
  /** Parses off the main thread with a time limit (the local runtime); inline when absent. */
  prepareArticle?: IngestDeps['prepare'];
};

/** Seconds a sender is asked to wait after a 503 (RFC 9110 Retry-After): storage trouble is usually brief. */
export const RETRY_AFTER_SECONDS = 2;

/**
 * HTTP API entry point for the CMS: `POST /articles` (JSON, raw text or WordPress HTML; `?id=` names
 * the article when the content does not) and `DELETE /articles/{id}` (withdraw).
 */
export function createIngestHandler(source: DependencySource<IngestHandlerDeps>) {
  const deps = resolveDependencies(source);
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const { articles, clock, logger, config, webhookSecret, prepareArticle } = deps();
    const method = event.requestContext.http.method.toUpperCase();
    const body = event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
    const headers = lowerCaseKeys(event.headers);

    if (webhookSecret) {
      const signature = SIGNATURE_HEADERS.map((h) => headers[h]).find((v) => v !== undefined);
      const verdict = verifyBodySignature(await webhookSecret(), body, signature);
      if (!verdict.ok) {
        logger.warn('Refused unsigned or mis-signed ingest request', { reason: verdict.reason, path: event.rawPath });
        return json(401, { status: 'refused', problems: [{ field: 'signature', message: verdict.reason }] });
      }
    }

    const useCaseDeps: IngestDeps = { articles, clock, site: config.site, ...(prepareArticle ? { prepare: prepareArticle } : {}) };
    // API Gateway's HTTP API hands the path parameter over already decoded: decoding it again would turn
    // `%2568` into `h` and withdraw another article.
    const pathId = event.pathParameters?.['id'];
    let outcome: IngestOutcome;
    try {
      if (method === 'DELETE' && pathId) {
        outcome = await withdrawArticle(useCaseDeps, pathId);
      } else if (method === 'POST') {
        outcome = await ingestArticle(useCaseDeps, {
          body,
          contentType: headers['content-type'],
          idHint: event.queryStringParameters?.['id'] ?? headers['x-article-id'],
        });
      } else {
        return json(405, { status: 'refused', problems: [{ field: 'method', message: `${method} ${event.rawPath} is not supported` }] });
      }
    } catch (error) {
      // Storage trouble is retryable by the sender; the details stay in the log, never in the response.
      logger.error('Ingest failed', { error: error as Error, path: event.rawPath, requestId: event.requestContext.requestId });
      return json(
        503,
        { status: 'error', message: `temporarily unable to store the article; retry in ${RETRY_AFTER_SECONDS} s`, requestId: event.requestContext.requestId },
        { 'retry-after': String(RETRY_AFTER_SECONDS) },
      );
    }
    logger.info('Ingest', { status: outcome.status, articleId: outcome.status === 'refused' ? outcome.articleId : outcome.article.id });
    return json(statusCodeOf(outcome), toResponseBody(outcome));
  };
}

export const handler = createIngestHandler(() => {
  const deps = productionDependencies();
  const arn = deps.config.webhookSecretArn;
  return { ...deps, webhookSecret: arn ? webhookSecretLoader(arn) : undefined };
});

/** What the CMS sees: the outcome, the article's identity and URLs, or every problem. Never an error object. */
export function toResponseBody(outcome: IngestOutcome): Record<string, unknown> {
  if (outcome.status === 'refused') {
    return { status: 'refused', id: outcome.articleId, ...(outcome.detected === undefined ? {} : { detected: outcome.detected }), problems: outcome.problems };
  }
  const { article } = outcome;
  return {
    status: outcome.status,
    id: article.id,
    version: article.version,
    articleStatus: article.status,
    publishedAt: article.publishedAt,
    updatedAt: article.updatedAt,
    format: outcome.format,
    notes: outcome.notes,
    links: outcome.links,
  };
}

function statusCodeOf(outcome: IngestOutcome): number {
  if (outcome.status === 'created') return 201;
  if (outcome.status !== 'refused') return 200;
  if (outcome.problems.some((p) => p.field === 'updatedAt')) return 409;
  if (outcome.problems.some((p) => p.field === 'id' && p.message.startsWith('no article'))) return 404;
  if (outcome.problems.some((p) => p.field === 'body' && p.message.includes('largest accepted'))) return 413;
  return 422;
}

function lowerCaseKeys(headers: Record<string, string | undefined> | undefined): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}
