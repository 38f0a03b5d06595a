import { signBody } from '../../shared/auth/webhook-signature.js';
import type { Problem } from '../../shared/errors.js';
import { DEFAULT_RETRY_POLICY, retryingFetch, type RetryPolicy } from '../../shared/wordpress/retrying-fetch.js';

export type IngestApiOutcome = { status: 'created' | 'updated' | 'unchanged' | 'withdrawn' } | { status: 'refused'; problems: Problem[] };

/** Thrown when the ingest API gives no usable answer (unreachable, 5xx after the retries, not Warta). */
export class IngestApiError extends Error {}

/**
 * The ingest API as `warta import` (WordPress exports) and `warta sync` call it: signed requests
 * (`X-Hub-Signature-256` over the exact body, an empty one for DELETE), repeated on 429/5xx as the
 * API's `Retry-After` asks (it answers 503 with `Retry-After` while storage is briefly unavailable).
 */
export class IngestApiClient {
  private readonly fetch: typeof fetch;

  constructor(
    private readonly endpoint: string,
    private readonly secret: string | undefined,
    options: { fetch?: typeof fetch; retry?: RetryPolicy } = {},
  ) {
    this.fetch = retryingFetch(options.fetch ?? fetch, options.retry ?? DEFAULT_RETRY_POLICY);
  }

  /** `POST /articles` with a JSON body (Warta JSON or a WordPress REST post). */
  async post(json: unknown): Promise<IngestApiOutcome> {
    const { response, answer } = await this.call(`${this.endpoint}/articles`, 'POST', Buffer.from(JSON.stringify(json), 'utf8'));
    if (answer.status === 'refused') return { status: 'refused', problems: answer.problems ?? [] };
    if (!response.ok || !['created', 'updated', 'unchanged', 'withdrawn'].includes(answer.status ?? '')) {
      throw new IngestApiError(`the ingest API answered HTTP ${response.status} ${answer.message ?? ''}`.trim());
    }
    return { status: answer.status as 'created' };
  }

  /** `DELETE /articles/{id}`: `withdrawn`, or `unknown` when Warta holds no such article or already withdrew it. */
  async withdraw(id: string): Promise<{ status: 'withdrawn' | 'unknown' }> {
    const { response, answer } = await this.call(`${this.endpoint}/articles/${encodeURIComponent(id)}`, 'DELETE', undefined);
    if (answer.status === 'withdrawn') return { status: 'withdrawn' };
    if (answer.status === 'unchanged' || response.status === 404) return { status: 'unknown' };
    throw new IngestApiError(`the ingest API answered HTTP ${response.status} to withdrawing ${id}${answer.message ? `: ${answer.message}` : ''}`);
  }

  private async call(url: string, method: string, body: Buffer | undefined) {
    const headers: Record<string, string> = {};
    if (body) headers['content-type'] = 'application/json';
    if (this.secret) headers['x-hub-signature-256'] = signBody(this.secret, body ?? Buffer.alloc(0));
    const response = await this.fetch(url, { method, headers, ...(body ? { body } : {}) });
    const answer = (await response.json().catch(() => ({}))) as { status?: string; problems?: Problem[]; message?: string };
    return { response, answer };
  }
}
