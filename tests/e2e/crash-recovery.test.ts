import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../cli/local/embedded-stack.js';
import { readLocalEndpoints } from '../../cli/local/local-endpoints.js';
import { feedPathsForArticle } from '../../shared/feeds/feed-paths.js';
import { startMainJobProcess, type RunningMainJob } from '../support/main-job-process.js';
import { writeSyntheticArchive } from '../support/synthetic-archive.js';

const CLI = fileURLToPath(new URL('../../cli/warta.mjs', import.meta.url));
/**
 * The scenario is a 500-article import (`WARTA_CRASH_ARTICLES=500`); every run of the suite imports
 * 150, since building each stored article's related list costs about 0.1 s of CPU and the suite shares two cores.
 */
const ARTICLES = Number(process.env['WARTA_CRASH_ARTICLES'] ?? 150);
const CRASHES = 3;

/** A seeded PRNG, so a failing run can be repeated: the seed is printed in the test name. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env['WARTA_CRASH_SEED'] ?? Date.now() % 100_000);

interface StoredArticle {
  id: string;
  status: 'published' | 'withdrawn';
  section: string;
  tags: string[];
  authors: { name: string }[];
  publishedAt: string;
}

describe('kill -9 during an import, then restart on the same data folder', () => {
  let dataDir: string;
  let job: RunningMainJob | undefined;
  afterAll(async () => {
    if (job && job.process.exitCode === null) job.process.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it(`ends with every stored article in each of its feeds and with its related list, with no manual step (seed ${SEED})`, async () => {
    const random = prng(SEED);
    dataDir = await mkdtemp(join(tmpdir(), 'warta-crash-'));
    const archive = join(dataDir, 'archive');
    await writeSyntheticArchive(archive, ARTICLES, 7);
    const args = ['--port', '0', '--data', join(dataDir, 'data'), '--quiet-edge', '--no-examples'];

    for (let crash = 1; crash <= CRASHES; crash++) {
      job = await startMainJobProcess(args);
      const importer = spawn(process.execPath, [CLI, 'import', '--data', join(dataDir, 'data'), '--concurrency', '8', archive], { stdio: 'ignore' });
      // At a random point of the import (after 1 to 500 answers), then anywhere in the next 2 s, so some
      // kills hit the import and some the builds that run behind it.
      const answers = 1 + Math.floor(random() * ARTICLES);
      const imported = new Promise((resolve) => importer.once('exit', resolve));
      while ((job.output().match(/ api: /g)?.length ?? 0) < answers && importer.exitCode === null) {
        await Promise.race([imported, new Promise((resolve) => setTimeout(resolve, 20))]);
      }
      await new Promise((resolve) => setTimeout(resolve, random() * 2_000));
      job.process.kill('SIGKILL');
      importer.kill('SIGKILL');
      await new Promise((resolve) => job?.process.once('exit', resolve));
    }

    // The last start: nobody repairs anything by hand; the job must converge on its own.
    job = await startMainJobProcess(args);
    await job.waitForLine(/startup check: (\d+ stored article\(s\), each in its feeds|rebuilt \d+)/, 400_000);
    const endpoints = await readLocalEndpoints(join(dataDir, 'data'));
    if (!endpoints) throw new Error('the job wrote no endpoints');

    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));
    const stored: StoredArticle[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await client.send(
        new ScanCommand({
          TableName: endpoints.table,
          FilterExpression: 'begins_with(pk, :a) AND sk = :s',
          ExpressionAttributeValues: { ':a': 'ARTICLE#', ':s': 'A' },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      stored.push(...((out.Items ?? []) as StoredArticle[]));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    client.destroy();
    expect(stored.length).toBeGreaterThan(0);

    // Every feed shows the newest stored articles that belong to it, newest first, none missing, at least
    // the newest 50 (older ones are in its archive pages). Ties in publication time fall back to the id.
    const members = new Map<string, StoredArticle[]>();
    for (const article of stored) for (const path of feedPathsForArticle(article)) members.set(path, [...(members.get(path) ?? []), article]);
    for (const [path, articles] of members) {
      const key = (a: StoredArticle) => `${a.publishedAt}#${a.id}`;
      const expected = articles.sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0)).map((a) => a.id);
      const response = await fetch(`${job.edgeUrl}/feeds/${path}.json`);
      expect(response.status, `feeds/${path}.json`).toBe(200);
      const feed = (await response.json()) as { items: { id: string }[] };
      const ids = feed.items.map((i) => i.id.split(':article:')[1] ?? i.id);
      expect(ids.length, `feeds/${path}.json`).toBeGreaterThanOrEqual(Math.min(50, expected.length));
      expect(ids, `feeds/${path}.json`).toEqual(expected.slice(0, ids.length));
    }
    // And every stored article has its related list.
    const missing: string[] = [];
    for (const article of stored) {
      const response = await fetch(`${job.edgeUrl}/related/${article.id}.json`);
      await response.arrayBuffer();
      if (response.status !== 200) missing.push(article.id);
    }
    expect(missing).toEqual([]);
    expect(await job.stop()).toBe(0);
  }, 600_000);
});
