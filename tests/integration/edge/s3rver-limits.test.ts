import { copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgeServer, type EdgeServer } from '../../../cli/local/edge-server.js';
import { mapConcurrent } from '../../../shared/related/concurrency.js';
import { startS3, type S3Fixture } from './s3rver-fixture.js';

/**
 * The local S3 (s3rver, patched in patches/) past its stock limits: listings beyond 1,000 keys under one
 * prefix (its DES continuation token is refused by Node 20's OpenSSL), and keys too long for a file name.
 */
const OBJECTS = 5000;

describe('s3rver under Warta', () => {
  let fixture: S3Fixture;
  let edge: EdgeServer;
  const keys: string[] = [];

  beforeAll(async () => {
    fixture = await startS3();
    for (let i = 0; i < OBJECTS; i++) keys.push(`feeds/tag/t-${String(i).padStart(5, '0')}.rss`);
    // The first 50 objects go through the S3 API; the rest are copies of the files s3rver wrote for the
    // first one (same layout, other names): 5,000 PUTs would take a minute on a loaded machine and test
    // nothing the listing does not.
    await mapConcurrent(keys.slice(0, 50), 8, (key) =>
      fixture.s3.send(new PutObjectCommand({ Bucket: fixture.bucket, Key: key, Body: '<rss/>', ContentType: 'application/rss+xml' })),
    );
    const folder = join(fixture.directory, fixture.bucket, 'feeds', 'tag');
    const template = (await readdir(folder)).filter((name) => name.startsWith('t-00000.rss._S3rver_'));
    expect(template.length).toBeGreaterThanOrEqual(2);
    await mapConcurrent(keys.slice(50), 16, async (key) => {
      const name = key.split('/').pop() ?? '';
      for (const file of template) await copyFile(join(folder, file), join(folder, file.replace('t-00000.rss', name)));
    });
    edge = await startEdgeServer({ s3: fixture.s3, bucket: fixture.bucket, host: '127.0.0.1', port: 0, trustedKeys: () => new Map() });
  }, 120_000);

  afterAll(async () => {
    await edge?.close();
    await fixture?.stop();
  });

  it(`pages through ${OBJECTS} objects under one prefix with ListObjectsV2, every key exactly once, in order`, async () => {
    for (const maxKeys of [1000, 999]) {
      const listed: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await fixture.s3.send(
          new ListObjectsV2Command({ Bucket: fixture.bucket, Prefix: 'feeds/tag/', MaxKeys: maxKeys, ContinuationToken: token }),
        );
        pages++;
        for (const item of page.Contents ?? []) listed.push(item.Key ?? '');
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
        if (page.IsTruncated) expect(token).toBeTruthy();
      } while (token);
      expect(listed).toEqual(keys);
      expect(pages).toBe(Math.ceil(OBJECTS / maxKeys));
    }
  });

  it('refuses a continuation token it did not issue with 400, not a server error', async () => {
    for (const token of ['AAAA', 'not a token', Buffer.alloc(48, 7).toString('base64')]) {
      const error = await fixture.s3
        .send(new ListObjectsV2Command({ Bucket: fixture.bucket, Prefix: 'feeds/', ContinuationToken: token }))
        .then(() => undefined, (e: unknown) => e as { name?: string; $metadata?: { httpStatusCode?: number } });
      expect(error?.$metadata?.httpStatusCode).toBe(400);
      expect(error?.name).toBe('InvalidArgument');
    }
  });

  it(`lists all ${OBJECTS} feeds on the edge index`, async () => {
    const response = await fetch(`${edge.url}/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html.match(/<li><a href="\/feeds\/tag\/t-\d{5}\.rss">/g)).toHaveLength(OBJECTS);
  });

  it('fails a write of a key too long for a file name with an error (the process survives), and reads it as missing', async () => {
    const client = new S3Client({
      endpoint: fixture.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      maxAttempts: 1,
    });
    for (const length of [241, 255, 300]) {
      const key = `inbox/${'x'.repeat(length)}.txt`;
      const put = await client.send(new PutObjectCommand({ Bucket: fixture.bucket, Key: key, Body: 'isi' })).then(
        () => 'stored',
        (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
      );
      expect(put).toBe(500);
      const get = await client.send(new GetObjectCommand({ Bucket: fixture.bucket, Key: key })).then(
        () => 'found',
        (e: { name?: string }) => e.name,
      );
      expect(get).toBe('NoSuchKey');
    }
    // Still serving.
    const ok = await client.send(new GetObjectCommand({ Bucket: fixture.bucket, Key: keys[0] }));
    expect(await ok.Body?.transformToString()).toBe('<rss/>');
    client.destroy();
  });
  it('serves whole versions only while an object is rewritten: readers never see a half-written file', async () => {
    // Versions of different lengths, each a complete JSON document, as the feed builders write them.
    const versions = Array.from({ length: 6 }, (_, v) =>
      JSON.stringify({ version: v, items: Array.from({ length: 200 + v * 150 }, (_, i) => `entry ${v}-${i}`) }),
    );
    const key = 'feeds/rewritten.json';
    await fixture.s3.send(new PutObjectCommand({ Bucket: fixture.bucket, Key: key, Body: versions[0], ContentType: 'application/feed+json' }));
    let writing = true;
    const writer = (async () => {
      for (let round = 0; round < 40; round++) {
        const body = versions[round % versions.length] ?? '';
        await fixture.s3.send(new PutObjectCommand({ Bucket: fixture.bucket, Key: key, Body: body, ContentType: 'application/feed+json' }));
      }
      writing = false;
    })();
    const seen: string[] = [];
    const reader = async () => {
      while (writing) {
        const got = await fixture.s3.send(new GetObjectCommand({ Bucket: fixture.bucket, Key: key }));
        seen.push((await got.Body?.transformToString()) ?? '');
      }
    };
    await Promise.all([writer, reader(), reader(), reader()]);
    expect(seen.length).toBeGreaterThan(0);
    const whole = new Set(versions);
    expect(seen.filter((body) => !whole.has(body)).map((body) => body.slice(0, 80))).toEqual([]);
    // No temporary file is left behind or listed.
    const listed = await fixture.s3.send(new ListObjectsV2Command({ Bucket: fixture.bucket, Prefix: 'feeds/rewritten' }));
    expect((listed.Contents ?? []).map((item) => item.Key)).toEqual([key]);
  }, 120_000);
});
