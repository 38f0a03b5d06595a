import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMainJobProcess, type RunningMainJob } from '../support/main-job-process.js';

const LIMIT_MS = 1500;

/**
 * A WordPress page of 120,000 short paragraphs (2 MB, nothing nested deep): parsing and sanitizing it inline
 * takes about 10 s, far past the limit, on any machine this suite runs on.
 */
const heavyPage = `<!DOCTYPE html><html><head><title>Halaman berat</title></head><body><article>${'<p>kata kata.</p>'.repeat(120_000)}</article></body></html>`;
const article = (id: string, title: string) =>
  JSON.stringify({ id, title, bodyHtml: `<p>${title}. Isi berita yang cukup panjang untuk dibaca.</p>`, publishedAt: '2024-02-07T09:00:00Z' });

/**
 * `warta start` parses every input in a worker thread with a time limit per article: a page past the limit is
 * refused naming the limit (API: 422; inbox: moved aside with a reason), its worker is replaced, and meanwhile
 * the job keeps answering everything else.
 */
describe('parsing off the event loop, with a time limit per article', () => {
  let job: RunningMainJob;
  let dataDir: string;
  let inbox: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'warta-parse-'));
    inbox = join(dataDir, 'inbox');
    job = await startMainJobProcess(['--memory', '--port', '0', '--no-examples', '--data', dataDir, '--inbox', inbox, '--quiet-edge'], {
      env: { WARTA_PARSE_TIME_LIMIT_MS: String(LIMIT_MS) },
    });
  }, 300_000);

  afterAll(async () => {
    await job?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('API: answers other requests while a heavy page is parsed, refuses the page 422 naming the limit, then parses again', async () => {
    let heavyAnswered = false;
    const heavy = fetch(`${job.apiUrl}/articles`, { method: 'POST', headers: { 'content-type': 'text/html' }, body: heavyPage }).then(async (r) => {
      heavyAnswered = true;
      return { status: r.status, body: (await r.json()) as { problems: { field: string; message: string }[] } };
    });
    // Cheap requests that go through the ingest handler and the embedded DynamoDB on the job's event loop.
    const cheapWhileHeavy: number[] = [];
    while (!heavyAnswered) {
      const reply = await fetch(`${job.apiUrl}/articles/tidak-ada`, { method: 'DELETE' });
      await reply.body?.cancel();
      if (!heavyAnswered) cheapWhileHeavy.push(reply.status);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Inline parsing held the loop for the whole parse: none of these was answered before the page.
    expect(cheapWhileHeavy.length).toBeGreaterThanOrEqual(3);
    expect(new Set(cheapWhileHeavy)).toEqual(new Set([404]));
    const refused = await heavy;
    expect(refused.status).toBe(422);
    expect(refused.body.problems).toEqual([{ field: 'body', message: expect.stringContaining(`the limit per article is ${LIMIT_MS} ms`) }]);
    // The stopped worker was replaced: the next article parses.
    const good = await fetch(`${job.apiUrl}/articles?wait=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: article('sesudah-berat', 'Berita sesudah halaman berat') });
    expect(good.status).toBe(201);
  }, 120_000);

  it('inbox: a page past the limit is moved aside with a reason naming the limit, and the next file is published', async () => {
    await writeFile(join(inbox, 'berat.html'), heavyPage);
    await job.waitForLine(/inbox: berat\.html → refused: /, 60_000);
    const reason = await readFile(join(inbox, '.refused', 'berat.html.reason.txt'), 'utf8');
    expect(reason).toMatch(new RegExp(`^file: berat\\.html\\nrefused: .+\\nreason: body: took longer than ${LIMIT_MS} ms to parse and was stopped; the limit per article is ${LIMIT_MS} ms`));
    expect(await readdir(inbox)).not.toContain('berat.html');
    await writeFile(join(inbox, 'ringan.json'), article('ringan', 'Berita ringan sesudah berkas berat'));
    await job.waitForLine(/inbox: ringan\.json → created/, 60_000);
    expect(await (await fetch(`${job.edgeUrl}/feeds/latest.rss`)).text()).toContain('Berita ringan sesudah berkas berat');
  }, 120_000);
});
