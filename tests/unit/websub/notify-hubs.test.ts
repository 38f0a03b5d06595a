import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fc, test as fcTest } from '@fast-check/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { changedFeedTopics, createHubNotifier, publishBody, type HubNotification } from '../../../shared/websub/notify-hubs.js';

interface Received {
  contentType: string | undefined;
  form: URLSearchParams;
}

/** A hub on 127.0.0.1 that answers with the next status of `statuses` (the last one repeats) and records each request. */
async function fakeHub(statuses: number[], delayMs = 0) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ contentType: req.headers['content-type'], form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')) });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 204;
      setTimeout(() => {
        res.writeHead(status);
        res.end();
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, received };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

// Generous per-request limits: a loaded CI machine can take seconds to answer, and a retry here would be a false failure.
const noWait = { baseDelayMs: 1, timeoutMs: 30_000 };
const TOPICS = ['https://feeds.example/feeds/latest.rss', 'https://feeds.example/feeds/latest.atom', 'https://feeds.example/feeds/section/politik.json'];

describe('WebSub publish notifications', () => {
  it('sends one form-encoded publish request per hub with every changed feed as hub.url and hub.topic', async () => {
    const a = await fakeHub([204]);
    const b = await fakeHub([200]);
    const logged: HubNotification[] = [];
    const notifier = createHubNotifier({ hubs: [a.url, b.url], log: (n) => logged.push(n), retry: noWait });
    const results = await notifier.notify(TOPICS);
    for (const hub of [a, b]) {
      expect(hub.received).toHaveLength(1);
      const [request] = hub.received;
      expect(request?.contentType).toBe('application/x-www-form-urlencoded');
      expect(request?.form.get('hub.mode')).toBe('publish');
      expect(request?.form.getAll('hub.url').sort()).toEqual([...TOPICS].sort());
      expect(request?.form.getAll('hub.topic').sort()).toEqual([...TOPICS].sort());
    }
    expect(results.map((r) => [r.hub, r.status, r.attempts])).toEqual([
      [a.url, 'ok', 1],
      [b.url, 'ok', 1],
    ]);
    expect(logged.map((l) => [l.hub, l.feeds.length, l.status, l.httpStatus, l.attempts])).toEqual([
      [a.url, 3, 'ok', 204, 1],
      [b.url, 3, 'ok', 200, 1],
    ]);
  });

  it('retries a hub that answers 5xx or 429, with growing waits, and reports the attempts', async () => {
    const hub = await fakeHub([503, 429, 204]);
    const waits: number[] = [];
    const notifier = createHubNotifier({
      hubs: [hub.url],
      log: () => undefined,
      sleep: async (ms) => void waits.push(ms),
      retry: { attempts: 3, baseDelayMs: 100, timeoutMs: 30_000 },
    });
    const [result] = await notifier.notify(TOPICS);
    expect(result).toMatchObject({ status: 'ok', httpStatus: 204, attempts: 3 });
    expect(waits).toEqual([100, 200]);
  });

  it('does not retry a refusal that will not change (4xx), and never throws', async () => {
    const hub = await fakeHub([400]);
    const counts: Record<string, number> = {};
    const notifier = createHubNotifier({ hubs: [hub.url], log: () => undefined, count: (s, n) => (counts[s] = (counts[s] ?? 0) + n), retry: noWait });
    const [result] = await notifier.notify(TOPICS);
    expect(result).toMatchObject({ status: 'failed', httpStatus: 400, attempts: 1, error: 'hub answered 400' });
    expect(hub.received).toHaveLength(1);
    expect(counts).toEqual({ failed: 1 });
  });

  it('gives up on a hub that does not answer in time or refuses connections, and skips it while it cools down', async () => {
    const slow = await fakeHub([204], 1_000);
    let clock = 0;
    const notifier = createHubNotifier({
      hubs: [slow.url, 'http://127.0.0.1:9/'],
      log: () => undefined,
      now: () => clock,
      retry: { attempts: 2, baseDelayMs: 1, timeoutMs: 100, coolDownMs: 60_000 },
    });
    const first = await notifier.notify(TOPICS);
    expect(first.map((r) => [r.status, r.attempts])).toEqual([
      ['failed', 2],
      ['failed', 2],
    ]);
    expect(first[0]?.error).toBe('no answer within 100 ms');
    clock = 30_000;
    expect((await notifier.notify(TOPICS)).map((r) => r.status)).toEqual(['skipped', 'skipped']);
    clock = 61_000;
    expect((await notifier.notify(TOPICS)).map((r) => r.status)).toEqual(['failed', 'failed']);
  });

  it('sends nothing when no feed changed or no hub is configured', async () => {
    const hub = await fakeHub([204]);
    expect(await createHubNotifier({ hubs: [hub.url], log: () => undefined }).notify([])).toEqual([]);
    expect(await createHubNotifier({ hubs: [], log: () => undefined }).notify(TOPICS)).toEqual([]);
    expect(hub.received).toHaveLength(0);
  });

  fcTest.prop([fc.uniqueArray(fc.webUrl({ withQueryParameters: true, withFragments: true }), { minLength: 1, maxLength: 20 })])(
    'the publish body carries every topic exactly, whatever characters its URL holds',
    (topics) => {
      const parsed = new URLSearchParams(publishBody(topics).toString());
      expect(parsed.get('hub.mode')).toBe('publish');
      expect(parsed.getAll('hub.url')).toEqual(topics);
      expect(parsed.getAll('hub.topic')).toEqual(topics);
    },
  );

  it('treats only public feed files as topics, named by the URL of their self link', () => {
    expect(
      changedFeedTopics(
        ['feeds/latest.rss', 'feeds/tag/pemilu.json', 'feeds/story/s1.atom', 'partners/kabar/feeds/latest.rss', 'related/a.json', 'stories/s1.json'],
        'https://feeds.example',
      ),
    ).toEqual(['https://feeds.example/feeds/latest.rss', 'https://feeds.example/feeds/tag/pemilu.json', 'https://feeds.example/feeds/story/s1.atom']);
  });
});
