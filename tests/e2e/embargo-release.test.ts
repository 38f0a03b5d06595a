import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMainJobProcess, type RunningMainJob } from '../support/main-job-process.js';

/**
 * Scheduled stories through `warta start`: an article POSTed with a publication time a few seconds
 * ahead is absent from feeds/latest.rss until then and appears after it with no other input (the
 * runtime's release timer), also when the job is restarted while the release is pending.
 */

/** Polls `url` every 50 ms until its body contains `needle`; resolves with the time it first did. */
async function firstSeen(url: string, needle: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(url);
    const body = response.ok ? await response.text() : '';
    if (body.includes(needle)) return Date.now();
    if (Date.now() > deadline) throw new Error(`${needle} did not appear in ${url} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const post = (job: RunningMainJob, id: string, publishedAt: string) =>
  fetch(`${job.apiUrl}/articles?wait=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      id,
      title: `Pengumuman terjadwal ${id}`,
      bodyHtml: '<p>Jakarta (JurnalPagi) – Berita ini dijadwalkan terbit beberapa detik lagi.</p>',
      section: 'Nasional',
      publishedAt,
    }),
  });

describe('a scheduled article in the local runtime', () => {
  let dataDir: string;
  let job: RunningMainJob | undefined;
  afterAll(async () => {
    await job?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('appears in feeds/latest.rss after its publication time, by itself, and not before', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'warta-embargo-'));
    const args = ['--port', '0', '--data', dataDir, '--quiet-edge', '--no-examples'];
    job = await startMainJobProcess(args);
    const latest = `${job.edgeUrl}/feeds/latest.rss`;

    const releaseAt = Math.ceil((Date.now() + 3_000) / 1000) * 1000;
    const created = await post(job, 'terjadwal-satu', new Date(releaseAt).toISOString());
    expect(created.status).toBe(201);
    // Built (wait=1) and still out of every feed.
    expect(await (await fetch(latest)).text()).not.toContain('terjadwal-satu');
    const seen = await firstSeen(latest, 'terjadwal-satu', 20_000);
    expect(seen).toBeGreaterThanOrEqual(releaseAt);
    console.log(`release delay, publication time → visible in feeds/latest.rss through the edge: ${seen - releaseAt} ms`);
    expect(job.output()).toMatch(/embargo: releasing terjadwal-satu/);

    // Pending while the job stops: the next start schedules it again (or releases it if its time passed).
    const secondAt = Math.ceil((Date.now() + 4_000) / 1000) * 1000;
    expect((await post(job, 'terjadwal-dua', new Date(secondAt).toISOString())).status).toBe(201);
    expect(await job.stop()).toBe(0);
    job = await startMainJobProcess(args);
    const latestAgain = `${job.edgeUrl}/feeds/latest.rss`;
    expect(await (await fetch(latestAgain)).text()).toContain('terjadwal-satu');
    const seenAfterRestart = await firstSeen(latestAgain, 'terjadwal-dua', 30_000);
    console.log(`release across a restart: visible ${seenAfterRestart - secondAt} ms after the publication time`);
    expect(seenAfterRestart).toBeGreaterThanOrEqual(secondAt);
  }, 120_000);
});
