import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Parser from 'rss-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { startMainJobProcess, type RunningMainJob } from '../support/main-job-process.js';

describe('the main job on a persistent data folder', () => {
  let dataDir: string;
  let job: RunningMainJob | undefined;
  afterAll(async () => {
    await job?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps articles across a restart and re-ingests nothing that did not change', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'warta-persist-'));
    const args = ['--port', '0', '--data', dataDir, '--quiet-edge', '--no-examples'];
    job = await startMainJobProcess(args);
    const created = await fetch(`${job.apiUrl}/articles?id=tetap-ada&wait=1`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'Artikel yang bertahan setelah mulai ulang\n\nSurabaya (JurnalPagi) – Artikel ini harus tetap ada.\n\nData disimpan di folder data.',
    });
    expect(created.status).toBe(201);
    expect(await job.stop()).toBe(0);

    job = await startMainJobProcess(args);
    const feed = await new Parser().parseString(await (await fetch(`${job.edgeUrl}/feeds/latest.rss`)).text());
    expect(feed.items.map((i) => i.title)).toEqual(['Artikel yang bertahan setelah mulai ulang']);
    const again = await fetch(`${job.apiUrl}/articles?id=tetap-ada`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'Artikel yang bertahan setelah mulai ulang\n\nSurabaya (JurnalPagi) – Artikel ini harus tetap ada.\n\nData disimpan di folder data.',
    });
    expect(((await again.json()) as { status: string; version: number })).toMatchObject({ status: 'unchanged', version: 1 });
  }, 300_000);
});
