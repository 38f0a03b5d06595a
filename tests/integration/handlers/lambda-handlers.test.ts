import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../cli/local/embedded-stack.js';
import { createFeedBuilderHandler } from '../../../functions/feed-builder.js';
import { createInboxHandler } from '../../../functions/inbox.js';
import { createIngestHandler } from '../../../functions/ingest.js';
import { signBody } from '../../../shared/auth/webhook-signature.js';
import { S3ObjectPublisher } from '../../../shared/storage/s3-object-publisher.js';
import { httpApiEvent as httpEvent } from '../../support/api-gateway-event.js';
import { jsonArticle, startTestStack, TEST_FEED_BUCKET, TEST_INBOX_BUCKET, type TestStack } from '../../support/local-stack.js';

const SECRET = 'rahasia-webhook-untuk-uji-coba-123';

function streamEvent(ids: string[]): DynamoDBStreamEvent {
  return {
    Records: ids.map((id, i) => ({
      eventID: `e${i}`,
      eventName: 'MODIFY',
      eventSource: 'aws:dynamodb',
      dynamodb: { Keys: { pk: { S: `ARTICLE#${id}` }, sk: { S: 'A' } }, SequenceNumber: String(100 + i) },
    })),
  };
}

describe('Lambda handlers on the embedded stack', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  });
  afterAll(async () => {
    await t.close();
  });

  it('ingest: refuses a request without a valid HMAC signature and accepts a signed one', async () => {
    const handler = createIngestHandler({ ...t.deps, webhookSecret: async () => SECRET });
    const { body, contentType } = jsonArticle({ id: 'ditandatangani' });

    const unsigned = await handler(httpEvent('POST', '/articles', body, { 'content-type': contentType }));
    expect(unsigned.statusCode).toBe(401);
    expect(JSON.parse(unsigned.body ?? '')).toMatchObject({ status: 'refused', problems: [{ field: 'signature' }] });

    const wrong = await handler(httpEvent('POST', '/articles', body, { 'content-type': contentType, 'X-Hub-Signature-256': signBody('lain', body) }));
    expect(wrong.statusCode).toBe(401);
    expect(await t.deps.articles.get('ditandatangani')).toBeUndefined();

    const signed = await handler(httpEvent('POST', '/articles', body, { 'content-type': contentType, 'X-Hub-Signature-256': signBody(SECRET, body) }));
    expect(signed.statusCode).toBe(201);
    expect(JSON.parse(signed.body ?? '')).toMatchObject({
      status: 'created',
      id: 'ditandatangani',
      version: 1,
      links: { article: expect.stringMatching(/^https:\/\/jurnalpagi\.example\/berita\/ditandatangani\//), feeds: expect.arrayContaining(['https://feeds.jurnalpagi.example/feeds/latest.rss']) },
    });
  });

  it('ingest: answers created, unchanged, refused and withdrawn with status codes a CMS can act on', async () => {
    const handler = createIngestHandler(t.deps);
    const raw = 'Harga cabai naik menjelang Ramadan\n\nMedan (JurnalPagi) – Harga cabai merah di pasar tradisional Medan naik tajam.\n\nPedagang menyebut pasokan dari Karo berkurang.';
    const created = await handler(httpEvent('POST', '/articles', raw, { 'content-type': 'text/plain', 'x-article-id': 'cabai-medan' }));
    expect(created.statusCode).toBe(201);
    expect(JSON.parse(created.body ?? '').notes[0]).toMatch(/ingest time/);
    const again = await handler(httpEvent('POST', '/articles', raw, { 'content-type': 'text/plain', 'x-article-id': 'cabai-medan' }));
    expect([again.statusCode, JSON.parse(again.body ?? '').status]).toEqual([200, 'unchanged']);
    const invalid = await handler(httpEvent('POST', '/articles', '{"title": 5}', { 'content-type': 'application/json' }));
    expect(invalid.statusCode).toBe(422);
    const problems = JSON.parse(invalid.body ?? '').problems as { field: string }[];
    expect(problems.map((p) => p.field).sort()).toEqual(['bodyHtml', 'title']);
    const withdrawn = await handler(httpEvent('DELETE', '/articles/cabai-medan', ''));
    expect([withdrawn.statusCode, JSON.parse(withdrawn.body ?? '').status]).toEqual([200, 'withdrawn']);
    const missing = await handler(httpEvent('DELETE', '/articles/tidak-ada', ''));
    expect(missing.statusCode).toBe(404);
  });

  it('inbox: ingests a dropped file named by its key, and reports a refused file without throwing', async () => {
    const handler = createInboxHandler(t.deps);
    const put = (key: string, body: string) => t.stack.s3.send(new PutObjectCommand({ Bucket: TEST_INBOX_BUCKET, Key: key, Body: body }));
    await put('gempa garut.txt', 'Gempa magnitudo 5,1 guncang Garut\n\nGarut (JurnalPagi) – Gempa bumi mengguncang Garut, Jawa Barat, Minggu dini hari.\n\nBMKG menyatakan gempa tidak berpotensi tsunami.');
    await put('kosong.json', '{"title": "Tanpa isi"}');
    const record = (key: string) => ({ s3: { bucket: { name: TEST_INBOX_BUCKET }, object: { key: encodeURIComponent(key).replace(/%20/g, '+') } } });
    const results = await handler({ Records: [record('gempa garut.txt'), record('kosong.json')] } as never);
    expect(results.map((r) => [r.key, r.outcome.status])).toEqual([
      ['gempa garut.txt', 'created'],
      ['kosong.json', 'refused'],
    ]);
  });

  it('feed builder: reports the failing records when S3 fails, and a retry after recovery publishes everything', async () => {
    let failPuts = true;
    const faultyS3 = new S3Client({ endpoint: t.stack.s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
    faultyS3.middlewareStack.add(
      (next, context) => async (args) => {
        if (failPuts && context.commandName === 'PutObjectCommand') throw Object.assign(new Error('injected S3 outage'), { name: 'ServiceUnavailable' });
        return next(args);
      },
      { step: 'initialize', name: 'injectFaults' },
    );
    const handler = createFeedBuilderHandler({
      logger: t.deps.logger,
      build: { ...t.buildDeps, publisher: new S3ObjectPublisher(faultyS3, TEST_FEED_BUCKET) },
    });
    const event = streamEvent(['ditandatangani']);
    const failed = await handler(event);
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
    expect(await t.readObject('feeds/author/rina-kartika.rss')).toBeUndefined();

    failPuts = false;
    const retried = await handler(event);
    expect(retried.batchItemFailures).toEqual([]);
    expect((await t.readObject('feeds/author/rina-kartika.rss'))?.body).toContain('ditandatangani');
  });

  it('feed builder: ignores stream records about items other than articles', async () => {
    const handler = createFeedBuilderHandler({ logger: t.deps.logger, build: t.buildDeps });
    const event: DynamoDBStreamEvent = {
      Records: [{ eventID: 'x', dynamodb: { Keys: { pk: { S: 'LIST#latest' }, sk: { S: '2024#a' } }, SequenceNumber: '1' } }],
    };
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
  });
});

describe('ingest handler when storage fails', () => {
  it('answers 503 with a request id and no error details, so the CMS retries', async () => {
    const t = await startTestStack();
    try {
      const failing = {
        ...t.deps,
        articles: { ...t.deps.articles, get: async () => Promise.reject(new Error('ProvisionedThroughputExceededException: secret table detail')) },
      };
      const handler = createIngestHandler(failing);
      const { body, contentType } = jsonArticle({ id: 'gagal-simpan' });
      const response = await handler(httpEvent('POST', '/articles', body, { 'content-type': contentType }));
      expect(response.statusCode).toBe(503);
      expect(response.headers?.['retry-after']).toMatch(/^\d+$/);
      expect(response.body).not.toMatch(/Provisioned|secret table/);
      expect(JSON.parse(response.body ?? '')).toMatchObject({ status: 'error', requestId: 'r1' });
    } finally {
      await t.close();
    }
  });
});
