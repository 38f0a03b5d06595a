import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hubSignature } from '../../shared/websub/signature.js';
import { readBody, refuseLingering } from './request-body.js';

/**
 * A WebSub hub for the local runtime (`warta start --websub`), so subscribers can be tried on a
 * laptop the way Google's hub serves them in production. It implements what a subscriber sees in
 * the spec (https://www.w3.org/TR/websub/): subscription requests (§5.1), verification of intent
 * with a challenge (§5.3), content distribution with the full new content and `Link` headers (§7),
 * and `X-Hub-Signature` when the subscriber gave a secret (§8). Callbacks must be on 127.0.0.1 or
 * localhost: this hub never calls out of the machine. Publishers notify it as they notify any hub
 * (`hub.mode=publish`, see shared/websub/notify-hubs.ts); it then fetches each topic and delivers it.
 *
 * Hand-written: the npm hubs (e.g. `websub-hub`) need MongoDB or are unmaintained; this is small and
 * keeps subscriptions in memory, which is what a local runtime wants.
 */

export interface LocalHubOptions {
  host?: string;
  port?: number;
  /** Fetches a topic's current content; by default over HTTP from the topic URL (the local edge). */
  fetchTopic?: (topic: string) => Promise<{ body: Uint8Array; contentType: string } | undefined>;
  log?: (line: string) => void;
  /** Lease granted when the subscriber asks for none. @default 10 days, as Google's hub */
  defaultLeaseSeconds?: number;
}

export interface Subscription {
  topic: string;
  callback: string;
  secret?: string;
  expiresAt: number;
}

export interface LocalHub {
  url: string;
  subscriptions(): Subscription[];
  /** Resolves once every distribution started so far has finished (for tests and shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
/** §5.1: a secret MUST be less than 200 bytes. */
const MAX_SECRET_BYTES = 199;
const DELIVERY_ATTEMPTS = 3;

async function readForm(req: IncomingMessage): Promise<URLSearchParams | 'too large'> {
  const body = await readBody(req, MAX_BODY_BYTES);
  return body === 'too large' ? body : new URLSearchParams(body.toString('utf8'));
}

function localCallback(value: string | null): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]' ? url : undefined;
  } catch {
    return undefined;
  }
}

async function defaultFetchTopic(topic: string) {
  const response = await fetch(topic, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) return undefined;
  return { body: new Uint8Array(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? 'application/octet-stream' };
}

export async function startLocalHub(options: LocalHubOptions = {}): Promise<LocalHub> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const fetchTopic = options.fetchTopic ?? defaultFetchTopic;
  const defaultLease = options.defaultLeaseSeconds ?? 10 * 86_400;
  /** topic → callback → subscription */
  const subs = new Map<string, Map<string, Subscription>>();
  const pending = new Set<Promise<void>>();
  let hubUrl = '';

  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  /** §5.3: the subscriber must echo the challenge with a 2xx, or the request is not acted on. */
  const verify = async (mode: 'subscribe' | 'unsubscribe', topic: string, callback: URL, lease: number, secret: string | undefined) => {
    const challenge = randomBytes(16).toString('hex');
    const url = new URL(callback);
    url.searchParams.set('hub.mode', mode);
    url.searchParams.set('hub.topic', topic);
    url.searchParams.set('hub.challenge', challenge);
    if (mode === 'subscribe') url.searchParams.set('hub.lease_seconds', String(lease));
    let ok = false;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      ok = response.ok && (await response.text()) === challenge;
    } catch {
      ok = false;
    }
    if (!ok) {
      log(`websub hub: ${mode} of ${callback.href} to ${topic} not verified`);
      return;
    }
    const forTopic = subs.get(topic) ?? new Map<string, Subscription>();
    if (mode === 'subscribe') {
      forTopic.set(callback.href, { topic, callback: callback.href, ...(secret ? { secret } : {}), expiresAt: Date.now() + lease * 1000 });
      subs.set(topic, forTopic);
    } else {
      forTopic.delete(callback.href);
    }
    log(`websub hub: ${mode}d ${callback.href} to ${topic}`);
  };

  /** §7: the full new content, its content type, Link headers naming hub and topic; retried a few times. */
  const distribute = async (topic: string) => {
    const now = Date.now();
    const active = [...(subs.get(topic)?.values() ?? [])].filter((s) => s.expiresAt > now);
    if (active.length === 0) return;
    const content = await fetchTopic(topic).catch(() => undefined);
    if (!content) {
      log(`websub hub: could not fetch ${topic}; nothing delivered`);
      return;
    }
    await Promise.all(
      active.map(async (sub) => {
        const headers: Record<string, string> = {
          'content-type': content.contentType,
          link: `<${hubUrl}>; rel="hub", <${topic}>; rel="self"`,
        };
        if (sub.secret) headers['x-hub-signature'] = hubSignature(sub.secret, content.body);
        for (let attempt = 1; attempt <= DELIVERY_ATTEMPTS; attempt++) {
          try {
            const response = await fetch(sub.callback, { method: 'POST', headers, body: content.body, signal: AbortSignal.timeout(5_000) });
            await response.body?.cancel().catch(() => undefined);
            // §7: a 410 Gone means the subscriber wants no more.
            if (response.status === 410) {
              subs.get(topic)?.delete(sub.callback);
              return;
            }
            if (response.ok) {
              log(`websub hub: delivered ${topic} to ${sub.callback} (${response.status})`);
              return;
            }
          } catch {
            // retried below
          }
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
        log(`websub hub: delivery of ${topic} to ${sub.callback} failed after ${DELIVERY_ATTEMPTS} attempts`);
      }),
    );
  };

  const server: Server = createServer((req, res) => {
    const reply = (status: number, text = '') => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(text);
    };
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      refuseLingering(req, res, 405, 'text/plain; charset=utf-8', 'A WebSub hub takes form-encoded POSTs\n');
      return;
    }
    readForm(req).then(
      (form) => {
        if (form === 'too large') return refuseLingering(req, res, 413, 'text/plain; charset=utf-8', `request body is larger than ${MAX_BODY_BYTES} bytes\n`);
        const mode = form.get('hub.mode');
        if (mode === 'publish') {
          // Google's hub reads hub.url, the spec names it hub.topic; either may repeat.
          const topics = [...new Set([...form.getAll('hub.url'), ...form.getAll('hub.topic')])];
          if (topics.length === 0) return reply(400, 'hub.url or hub.topic is required\n');
          reply(204);
          for (const topic of topics) track(distribute(topic));
          return;
        }
        if (mode === 'subscribe' || mode === 'unsubscribe') {
          const topic = form.get('hub.topic');
          const callback = localCallback(form.get('hub.callback'));
          const secret = form.get('hub.secret') ?? undefined;
          const lease = Number(form.get('hub.lease_seconds') ?? defaultLease);
          if (!topic) return reply(400, 'hub.topic is required\n');
          if (!callback) return reply(400, 'hub.callback must be an http(s) URL on 127.0.0.1 or localhost\n');
          if (secret !== undefined && Buffer.byteLength(secret) > MAX_SECRET_BYTES) return reply(400, 'hub.secret must be less than 200 bytes\n');
          if (!Number.isInteger(lease) || lease <= 0) return reply(400, 'hub.lease_seconds must be a positive integer\n');
          // §5.2: 202 Accepted, then verification of intent runs on its own.
          reply(202);
          track(verify(mode, topic, callback, lease, secret));
          return;
        }
        reply(400, 'hub.mode must be subscribe, unsubscribe or publish\n');
      },
      // The connection broke while the form was read: nobody is left to answer.
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  hubUrl = `http://${host}:${(server.address() as AddressInfo).port}/`;
  return {
    url: hubUrl,
    subscriptions: () => [...subs.values()].flatMap((m) => [...m.values()]),
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
