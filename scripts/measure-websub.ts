/**
 * Measures what docs/feeds.md and docs/deploy.md state about WebSub: the time from dropping an article
 * file into the inbox to (a) the publish notification reaching a hub and (b) a subscriber receiving
 * the new feed content from the local hub.
 *
 *   npx tsx scripts/measure-websub.ts [--drops N]
 *
 * Starts `warta start --websub --memory --no-examples` as a user would, subscribes a subscriber on
 * 127.0.0.1 to feeds/latest.rss at the local hub, also points the builder at a recording hub
 * (`--websub-hub`), then drops N articles one at a time (each after the previous was delivered) and
 * prints each time, the median and the range, with the machine's load average.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startMainJobProcess } from '../tests/support/main-job-process.js';

const { values } = parseArgs({ options: { drops: { type: 'string', default: '7' } } });
const drops = Number(values.drops);

/** Calls `onRequest` with the arrival time and body of every POST (hub or subscriber callback); answers GET challenges. */
async function listen(onRequest: (at: number, body: string) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(url.searchParams.get('hub.challenge') ?? '');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      onRequest(performance.now(), Buffer.concat(chunks).toString('utf8'));
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const waiting = new Map<string, (at: number) => void>();
const notified = new Map<string, number>();
const hub = await listen((at, body) => {
  // The recording hub gets the topics only; the first notification after a drop is the one for it.
  if (new URLSearchParams(body).getAll('hub.topic').some((t) => t.endsWith('/feeds/latest.rss'))) {
    for (const id of waiting.keys()) if (!notified.has(id)) notified.set(id, at);
  }
});
const subscriber = await listen((at, body) => {
  for (const [id, resolve] of waiting) if (body.includes(`Judul ukur ${id} `)) resolve(at);
});

const dataDir = await mkdtemp(join(tmpdir(), 'warta-measure-websub-'));
const job = await startMainJobProcess(['--memory', '--no-examples', '--port', '0', '--data', dataDir, '--quiet-edge', '--websub', '--websub-hub', hub.url]);
try {
  const hubUrl = /WebSub hub \(plays the hub\): (http:\/\/\S+)/.exec(job.output())?.[1] ?? '';
  const verified = job.waitForLine(/websub hub: subscribed/, 20_000);
  const answer = await fetch(hubUrl, {
    method: 'POST',
    body: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': `${job.edgeUrl}/feeds/latest.rss`, 'hub.callback': `${subscriber.url}cb` }),
  });
  if (answer.status !== 202) throw new Error(`subscription answered ${answer.status}`);
  await verified;

  const rows: { toNotification: number; toSubscriber: number }[] = [];
  const loadBefore = loadavg();
  for (let i = 1; i <= drops + 1; i++) {
    const id = `ukur-${i}`;
    const delivered = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${id} not delivered within 60 s`)), 60_000);
      waiting.set(id, (at) => (clearTimeout(timer), resolve(at)));
    });
    const dropped = performance.now();
    await writeFile(
      join(dataDir, 'inbox', `${id}.json`),
      JSON.stringify({
        id,
        title: `Judul ukur ${id} untuk mengukur waktu WebSub dari kotak masuk`,
        bodyHtml: `<p>Isi berita ${id} untuk mengukur waktu dari kotak masuk sampai pelanggan WebSub.</p>`,
        section: 'Teknologi',
        tags: ['WebSub'],
        authors: [{ name: 'Rina Wulandari' }],
        publishedAt: new Date(Date.now() - 60_000).toISOString(),
      }),
    );
    const at = await delivered;
    waiting.delete(id);
    const note = notified.get(id);
    // The first drop also warms the job (module loading, first queries): reported, not counted.
    if (i > 1 && note !== undefined) rows.push({ toNotification: note - dropped, toSubscriber: at - dropped });
    console.log(`${id}${i === 1 ? ' (warm-up, not counted)' : ''}: notification ${note === undefined ? '?' : Math.round(note - dropped)} ms, subscriber ${Math.round(at - dropped)} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const loadAfter = loadavg();
  const summary = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length / 2;
    const median = sorted.length % 2 ? (sorted[Math.floor(mid)] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
    return `median ${Math.round(median)} ms, range ${Math.round(sorted[0] ?? 0)}–${Math.round(sorted.at(-1) ?? 0)} ms (n=${sorted.length})`;
  };
  console.log(`inbox drop → notification at the hub: ${summary(rows.map((r) => r.toNotification))}`);
  console.log(`inbox drop → subscriber has the feed:  ${summary(rows.map((r) => r.toSubscriber))}`);
  console.log(`notification → subscriber (the hub's own step, roughly: both hubs are told at once): ${summary(rows.map((r) => r.toSubscriber - r.toNotification))}`);
  console.log(`load average (1/5/15 min) before ${loadBefore.map((l) => l.toFixed(1)).join('/')}, after ${loadAfter.map((l) => l.toFixed(1)).join('/')}; ${cpus().length} CPUs`);
} finally {
  await job.stop();
  await hub.close();
  await subscriber.close();
  await rm(dataDir, { recursive: true, force: true });
}
