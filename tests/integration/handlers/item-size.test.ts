import { PutObjectCommand } from '@aws-sdk/client-s3';
import { fc } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApiServer, type LocalApiServer } from '../../../cli/local/api-server.js';
import { createInboxHandler } from '../../../functions/inbox.js';
import { createIngestHandler } from '../../../functions/ingest.js';
import { MAX_ITEM_BYTES } from '../../../shared/storage/dynamodb-item-size.js';
import { httpApiEvent } from '../../support/api-gateway-event.js';
import { jsonArticle, startTestStack, TEST_INBOX_BUCKET, type TestStack } from '../../support/local-stack.js';

/**
 * An article whose item would exceed DynamoDB's 400 KB can never be stored: it is answered 422 naming the
 * largest field(s), never 503 "retry later". Through the Lambda handlers and the local API, on dynalite
 * (which enforces the same limit), so an item the check lets through is one the table really takes.
 */
describe('an article item over DynamoDB’s 400 KB is refused, naming the largest fields', () => {
  let t: TestStack;
  let api: LocalApiServer;
  beforeAll(async () => {
    t = await startTestStack();
    api = await startLocalApiServer({ host: '127.0.0.1', port: 0, handler: createIngestHandler(t.deps) });
  });
  afterAll(async () => {
    await api?.close();
    await t?.close();
  });

  const copyright600k = (id: string) => jsonArticle({ id, copyright: `© JurnalPagi ${'x'.repeat(600 * 1024)}` });

  it('Lambda ingest: a 600 KB copyright is 422 naming copyright and the limit, and nothing is stored', async () => {
    const handler = createIngestHandler(t.deps);
    const { body, contentType } = copyright600k('hak-cipta-besar');
    const reply = await handler(httpApiEvent('POST', '/articles', body, { 'content-type': contentType }));
    expect(reply.statusCode).toBe(422);
    expect(JSON.parse(reply.body ?? '')).toEqual({
      status: 'refused',
      id: 'hak-cipta-besar',
      problems: [{ field: 'copyright', message: expect.stringMatching(/^is 60\d KB; an article item may be at most 400 KB in all \(this one is 60\d KB/) }],
    });
    expect(await t.deps.articles.get('hak-cipta-besar')).toBeUndefined();
  });

  it('local API: the same answer over HTTP, and an update that grows too large leaves the stored version alone', async () => {
    const first = jsonArticle({ id: 'gambar-banyak', updatedAt: '2024-02-07T01:00:00Z' });
    const post = (body: string) =>
      fetch(`${api.url}/articles`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (r) => ({ status: r.status, body: (await r.json()) as { problems: { field: string; message: string }[] } }));
    expect((await post(first.body)).status).toBe(201);
    // 50 images with 9 KB URLs: each field is fine on its own, the item is not.
    const images = Array.from({ length: 50 }, (_, i) => ({ url: `https://img.jurnalpagi.example/${i}/${'a'.repeat(9 * 1024)}.jpg` }));
    const grown = jsonArticle({ id: 'gambar-banyak', images, updatedAt: '2024-02-07T02:00:00Z' });
    const reply = await post(grown.body);
    expect(reply.status).toBe(422);
    expect(reply.body.problems).toEqual([{ field: 'images', message: expect.stringMatching(/^is 45\d KB; an article item may be at most 400 KB/) }]);
    expect((await t.deps.articles.get('gambar-banyak'))?.updatedAt).toBe('2024-02-07T01:00:00.000Z');
    const tooLarge = await post(copyright600k('hak-cipta-lagi').body);
    expect(tooLarge.status).toBe(422);
    expect(tooLarge.body.problems[0]?.field).toBe('copyright');
  });

  it('names every field that must shrink when no single one is enough', async () => {
    const handler = createIngestHandler(t.deps);
    const images = Array.from({ length: 50 }, (_, i) => ({ url: `https://img.jurnalpagi.example/${i}/${'b'.repeat(5 * 1024)}.jpg` }));
    const relatedHeadlines = Array.from({ length: 50 }, (_, i) => ({ text: `Baca juga ${i} ${'d'.repeat(4800)}` }));
    const { body, contentType } = jsonArticle({ id: 'dua-besar', images, relatedHeadlines, copyright: 'c'.repeat(260 * 1024) });
    const reply = await handler(httpApiEvent('POST', '/articles', body, { 'content-type': contentType }));
    expect(reply.statusCode).toBe(422);
    expect(JSON.parse(reply.body ?? '').problems.map((p: { field: string }) => p.field)).toEqual(['copyright', 'images']);
  });

  it('Lambda inbox: an oversized file is reported refused with the field, not thrown as a storage failure', async () => {
    const { body } = copyright600k('berkas-besar');
    await t.stack.s3.send(new PutObjectCommand({ Bucket: TEST_INBOX_BUCKET, Key: 'berkas-besar.json', Body: body }));
    const handler = createInboxHandler(t.deps);
    const [result] = await handler({
      Records: [{ s3: { bucket: { name: TEST_INBOX_BUCKET }, object: { key: 'berkas-besar.json' } } }],
    } as unknown as Parameters<typeof handler>[0]);
    expect(result?.outcome).toMatchObject({ status: 'refused', problems: [{ field: 'copyright', message: expect.stringContaining('at most 400 KB') }] });
  });

  it('around the limit, every article is either stored (and reads back whole) or refused 422; never 503', async () => {
    const handler = createIngestHandler(t.deps);
    let n = 0;
    const seen = new Set<number | undefined>();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -3000, max: 3000 }), fc.constantFrom('x', 'é', '北'), async (offset, char) => {
        const id = `batas-${n++}`;
        const length = Math.max(1, Math.floor((MAX_ITEM_BYTES - 1200 + offset) / Buffer.byteLength(char)));
        const { body, contentType } = jsonArticle({ id, copyright: char.repeat(length) });
        const reply = await handler(httpApiEvent('POST', '/articles', body, { 'content-type': contentType }));
        expect([201, 422]).toContain(reply.statusCode);
        seen.add(reply.statusCode);
        if (reply.statusCode === 201) expect((await t.deps.articles.get(id))?.copyright).toHaveLength(length);
        else expect(await t.deps.articles.get(id)).toBeUndefined();
      }),
      { numRuns: 25, examples: [[-3000, 'x'], [3000, 'x']] },
    );
    expect(seen).toEqual(new Set([201, 422]));
  });
});
