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

/**
 * Polls `url` every 50 ms until its body contains `needle`; resolves with the time it first did and how many
 * polls, started and answered before `notBefore`, found it absent.
 */
async function firstSeen(url: string, needle: string, notBefore: number, timeoutMs: number): Promise<{ seenAt: number; absentBefore: number }> {
  const deadline = Date.now() + timeoutMs;
  let absentBefore = 0;
  for (;;) {
    const response = await fetch(url);
    const body = response.ok ? await response.text() : '';
    const answeredAt = Date.now();
    if (body.includes(needle)) return { seenAt: answeredAt, absentBefore };
    if (answeredAt < notBefore) absentBefore++;
    if (answeredAt > deadline) throw new Error(`${needle} did not appear in ${url} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const post = (job: RunningMainJob, id: string, publishedAt: string) =>
  fetch(`${job.apiUrl}/articles`, {
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

    // A few seconds ahead, so that polls before the time are certain even on a loaded machine.
    const releaseAt = Math.ceil((Date.now() + 5_000) / 1000) * 1000;
    const created = await post(job, 'terjadwal-satu', new Date(releaseAt).toISOString());
    expect(created.status).toBe(201);
    const { seenAt, absentBefore } = await firstSeen(latest, 'terjadwal-satu', releaseAt, 30_000);
    expect(absentBefore).toBeGreaterThan(0);
    expect(seenAt).toBeGreaterThanOrEqual(releaseAt);
    console.log(`release delay, publication time → visible in feeds/latest.rss through the edge: ${seenAt - releaseAt} ms`);
    expect(job.output()).toMatch(/embargo: releasing terjadwal-satu/);

    // Pending while the job stops: the next start schedules it again (or releases it if its time passed).
    const secondAt = Math.ceil((Date.now() + 4_000) / 1000) * 1000;
    expect((await post(job, 'terjadwal-dua', new Date(secondAt).toISOString())).status).toBe(201);
    expect(await job.stop()).toBe(0);
    job = await startMainJobProcess(args);
    const latestAgain = `${job.edgeUrl}/feeds/latest.rss`;
    expect(await (await fetch(latestAgain)).text()).toContain('terjadwal-satu');
    const again = await firstSeen(latestAgain, 'terjadwal-dua', secondAt, 30_000);
    console.log(`release across a restart: visible ${again.seenAt - secondAt} ms after the publication time`);
    expect(again.seenAt).toBeGreaterThanOrEqual(secondAt);
  }, 120_000);
});
