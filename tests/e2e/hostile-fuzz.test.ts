import { METHODS, request } from 'node:http';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../cli/local/embedded-stack.js';
import { IGNORED_INBOX_FILE } from '../../cli/local/inbox-folder.js';
import { readLocalEndpoints } from '../../cli/local/local-endpoints.js';
import { startMainJobProcess, type RunningMainJob } from '../support/main-job-process.js';

/**
 * Generated hostile requests and inbox files against a running `warta start`, for a fixed time
 * (`WARTA_FUZZ_SECONDS`, default 10). Asserted: no 5xx other than a 503 with Retry-After, the process never
 * dies, every refusal names its field and problem, every inbox file is taken or moved aside with a reason,
 * and afterwards every file the job published is well-formed XML (saxes) or valid JSON.
 * The seed is printed; replay a run with WARTA_FC_SEED=<seed> npx vitest run tests/e2e/hostile-fuzz.test.ts
 */
const BUDGET_MS = Number(process.env['WARTA_FUZZ_SECONDS'] ?? 10) * 1000;
const SEED = process.env['WARTA_FC_SEED'] === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(process.env['WARTA_FC_SEED']);

// ---- what hostile input looks like -------------------------------------------------------------------------

const nonLatin = fc.constantFrom('Москва', '北京市', 'القاهرة', 'Ελληνικά', 'हिन्दी', '東京 🌏', 'Đà Nẵng', 'Zürich');
const controlChars = fc.constantFrom('\u0000', '\u0001', '\u000b', '\u001b', '\u007f', '\ufffe', '\ud800', '\u2028', '\r');
const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  nonLatin,
  fc.tuple(fc.string({ maxLength: 10 }), controlChars, fc.string({ maxLength: 10 })).map(([a, c, b]) => `${a}${c}${b}`),
  fc.constantFrom('', ' ', '<script>alert(1)</script>', 'javascript:alert(1)', '../../etc/passwd', '%00', '{{7*7}}', ']]>', '&bogus;', '\u202eevil'),
);
const hostileDate = fc.oneof(
  fc.constantFrom('0000-01-01', '9999-12-31', '2024-02-30T10:00:00Z', '2024-02-07T25:00:00Z', '1970-01-01T00:00:00Z', '2024-02-07', 'kemarin', '', '2024-02-07T09:00:00+25:00'),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer(),
);
const hostileUrl = fc.oneof(fc.webUrl(), fc.constantFrom('javascript:alert(1)', 'data:text/html,x', 'ftp://x', '//x', 'http://', `https://x.example/${'a'.repeat(5000)}`), hostileText);
const deepHtml = fc.tuple(fc.integer({ min: 1, max: 400 }), fc.constantFrom('b', 'div', 'p', 'span', 'blockquote', 'li', 'table')).map(([depth, tag]) => `${`<${tag}>`.repeat(depth)}teks${`</${tag}>`.repeat(depth)}`);
const hostileHtml = fc.oneof(
  fc.array(fc.oneof(fc.lorem({ maxCount: 20 }), nonLatin), { minLength: 1, maxLength: 5 }).map((ps) => ps.map((p) => `<p>${p}</p>`).join('')),
  deepHtml,
  fc.integer({ min: 1, max: 3000 }).map((n) => `<p ${Array.from({ length: n }, (_, i) => `a${i}="x"`).join(' ')}>atribut</p>`),
  // Costly to parse (up to several seconds): exercises the time limit per article.
  fc.integer({ min: 1000, max: 60_000 }).map((n) => '<p>kata kata.</p>'.repeat(n)),
  fc.constantFrom('<p>tidak ditutup', '<<<>>>', '<p>a</b></i></p>', '<img src=x onerror=alert(1)>', '<svg><script>alert(1)</script></svg>', '<!-- x', '<![CDATA[x]]>', '<p>&#0;&#xD800;&#1114112;</p>'),
  hostileText,
);
/** A field of the wrong type, or absurdly large. */
const wrongType = fc.oneof(fc.anything({ maxDepth: 3 }), fc.constantFrom(null, 42, true, [], {}, ['a'], { rendered: 1 }), fc.integer({ min: 1, max: 600 }).map((kb) => 'x'.repeat(kb * 1024)));

const articleFields = fc.record(
  {
    id: fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/), hostileText, fc.constant('a'.repeat(200))),
    title: fc.oneof(fc.lorem({ maxCount: 8 }), hostileText, nonLatin),
    bodyHtml: hostileHtml,
    summary: hostileText,
    section: fc.oneof(nonLatin, hostileText),
    tags: fc.array(fc.oneof(nonLatin, hostileText), { maxLength: 60 }),
    authors: fc.array(fc.record({ name: fc.oneof(nonLatin, hostileText), url: hostileUrl, email: hostileText }, { requiredKeys: ['name'] }), { maxLength: 4 }),
    images: fc.array(fc.record({ url: hostileUrl, caption: hostileText }, { requiredKeys: ['url'] }), { maxLength: 60 }),
    copyright: fc.oneof(hostileText, fc.integer({ min: 1, max: 700 }).map((kb) => '©'.repeat(kb * 512))),
    publishedAt: hostileDate,
    updatedAt: hostileDate,
    language: fc.oneof(fc.constantFrom('id', 'en', 'zz-ZZZZZZZZZ', ''), hostileText),
    status: fc.constantFrom('published', 'withdrawn', 'draft', 1),
  },
  { requiredKeys: ['title', 'bodyHtml'] },
);
const article = fc.tuple(articleFields, fc.dictionary(fc.constantFrom('title', 'bodyHtml', 'tags', 'authors', 'images', 'publishedAt', 'id', 'dateline', 'relatedHeadlines'), wrongType, { maxKeys: 2 })).map(([fields, wrong]) => ({ ...fields, ...wrong }));
/** An article that should be accepted, carrying hostile text in every field a feed shows: it tests the outputs, not the refusals. */
const plausibleArticle = fc.record(
  {
    id: fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,16}$/),
    title: fc.tuple(fc.lorem({ maxCount: 4 }), hostileText, nonLatin).map((parts) => parts.join(' ')),
    bodyHtml: fc.tuple(fc.lorem({ maxCount: 12 }), hostileHtml).map(([text, html]) => `<p>Isi ${text}</p>${html}`),
    summary: hostileText,
    section: fc.oneof(nonLatin, fc.lorem({ maxCount: 2 }), hostileText.filter((t) => t.trim().length > 0)),
    tags: fc.array(fc.oneof(nonLatin, fc.lorem({ maxCount: 2 })), { maxLength: 5 }),
    authors: fc.array(fc.record({ name: fc.tuple(nonLatin, hostileText).map(([a, b]) => `${a}${b}`), url: fc.oneof({ arbitrary: fc.webUrl(), weight: 9 }, { arbitrary: fc.constant('javascript:alert(1)'), weight: 1 }) }, { requiredKeys: ['name'] }), { maxLength: 3 }),
    images: fc.array(fc.record({ url: fc.webUrl(), caption: hostileText.filter((t) => t.trim().length > 0) }, { requiredKeys: ['url'] }), { maxLength: 3 }),
    relatedHeadlines: fc.array(fc.record({ text: fc.tuple(fc.lorem({ maxCount: 3 }), hostileText).map(([a, b]) => `${a}${b}`), url: fc.webUrl() }, { requiredKeys: ['text'] }), { maxLength: 3 }),
    publishedAt: fc.date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2026-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    copyright: fc.tuple(fc.constant('©'), hostileText).map(([a, b]) => `${a} ${b}`),
  },
  { requiredKeys: ['id', 'title', 'bodyHtml'] },
);
const wordpressPage = fc.tuple(fc.oneof(fc.lorem({ maxCount: 6 }), hostileText), hostileHtml, fc.oneof(hostileDate.map(String), fc.constant(''))).map(
  ([title, body, date]) => `<!DOCTYPE html><html lang="id"><head><title>${title}</title><meta property="article:published_time" content="${date}"></head><body><article><h1 class="entry-title">${title}</h1><div class="entry-content">${body}</div></article></body></html>`,
);
const restPost = fc.record({ id: fc.oneof(fc.nat(), wrongType), title: fc.record({ rendered: fc.oneof(hostileText, wrongType) }), content: fc.record({ rendered: hostileHtml }), date_gmt: hostileDate, status: fc.constantFrom('publish', 'draft', 'future', 7) });

/** A body as bytes: JSON (whole, truncated, wrong shape), WordPress pages and REST posts, raw text, garbage. */
const body: fc.Arbitrary<Buffer> = fc.oneof(
  { arbitrary: plausibleArticle.map((a) => Buffer.from(JSON.stringify(a))), weight: 6 },
  { arbitrary: article.map((a) => Buffer.from(JSON.stringify(a))), weight: 4 },
  { arbitrary: fc.tuple(article, fc.double({ min: 0, max: 1, noNaN: true })).map(([a, cut]) => { const s = JSON.stringify(a); return Buffer.from(s.slice(0, Math.floor(s.length * cut))); }), weight: 2 },
  { arbitrary: wordpressPage.map((p) => Buffer.from(p)), weight: 3 },
  { arbitrary: restPost.map((p) => Buffer.from(JSON.stringify(p))), weight: 1 },
  { arbitrary: fc.tuple(fc.oneof(fc.lorem({ maxCount: 6 }), hostileText), fc.array(fc.oneof(fc.lorem({ maxCount: 30 }), hostileText), { maxLength: 6 })).map(([t, ps]) => Buffer.from([t, ...ps].join('\n\n'))), weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)), weight: 1 },
  { arbitrary: fc.constantFrom('', '{}', '[]', 'null', '"x"', '{"title":', '\uFEFF{"title":"a","bodyHtml":"<p>b</p>"}', '\u0000\u0000').map((s) => Buffer.from(s)), weight: 1 },
  { arbitrary: fc.constantFrom('utf16le' as const, 'latin1' as const).chain((enc) => article.map((a) => Buffer.from(JSON.stringify(a), enc))), weight: 1 },
);
const contentType = fc.option(
  fc.oneof(
    fc.constantFrom('application/json', 'text/html', 'text/plain', 'image/png', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'text/html; charset=x-unknown', 'text/plain; charset=windows-1252', 'application/ld+json', ';;;', 'text/html; charset="'),
    fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
  ),
  { nil: undefined },
);
/** A path segment with odd escapes: malformed, double-encoded, dot segments, very long, non-Latin. */
const oddSegment = fc.oneof(
  fc.constantFrom('%', '%E0%A4%A', '%2568-ctrl-1', '%2e%2e', '..', '%2F', '%00', '%C0%AE', 'a%20b', '%F0%9F%98%80', `${'x'.repeat(300)}`, '~', '%25'),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  nonLatin.map(encodeURIComponent),
);
const path = fc.oneof(
  { arbitrary: fc.constant('/articles'), weight: 8 },
  { arbitrary: fc.tuple(fc.constantFrom('wait', 'id', 'x', 'id[]'), oddSegment).map(([k, v]) => `/articles?${k}=${v}`), weight: 2 },
  { arbitrary: oddSegment.map((s) => `/articles/${s}`), weight: 3 },
  { arbitrary: fc.constantFrom('/', '//articles', '/articles/', '/articles/a/b', '/ARTICLES', '/any/other/path', '/articles;x', '/articles#x', '/%2e%2e/articles'), weight: 1 },
);
interface HostileRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  articleId: string | undefined;
  body: Buffer;
}
/** Shown short in fast-check's counterexample: a 2 MB body printed byte by byte helps nobody. */
const shown = <T extends object>(value: T, text: (v: T) => string): T => Object.assign(value, { [fc.toStringMethod]: () => text(value) });
const hostileRequest: fc.Arbitrary<HostileRequest> = fc
  .record({
    // FOO is no HTTP method: Node's parser refuses it before any handler runs.
    method: fc.oneof({ arbitrary: fc.constant('POST'), weight: 6 }, { arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'FOO'), weight: 2 }),
    path,
    contentType,
    articleId: fc.option(fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.stringMatching(/^[\x20-\x7e]{0,40}$/)), { nil: undefined }),
    body,
  })
  .map((r) => shown(r, describeRequest));

const fileName = fc.tuple(
  fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.constantFrom('berita hari ini', 'Москва', '北京', 'a'.repeat(190), 'x"y', "it's", '-rf', 'con', 'nul'), fc.stringMatching(/^[\x20-\x7e]{1,30}$/).map((s) => s.replace(/[/\\]/g, '_'))),
  fc.constantFrom('.json', '.html', '.htm', '.txt', '.png', '', '.JSON', '.tar.gz'),
);

const inboxFile = fc.tuple(fileName, body).map(([[stem, extension], bytes]) => shown({ name: `${stem}${extension}`, body: bytes }, (f) => `${f.name} (${f.body.length} bytes: ${JSON.stringify(f.body.subarray(0, 120).toString('utf8'))})`));

// ---- sending --------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  retryAfter?: string;
  body: string;
}

function send(apiUrl: string, r: HostileRequest): Promise<Answer> {
  const { hostname, port } = new URL(apiUrl);
  const headers: Record<string, string | number> = { 'content-length': r.body.length };
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  if (r.articleId !== undefined) headers['x-article-id'] = r.articleId;
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method: r.method, path: r.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(r.method === 'HEAD' || r.method === 'GET' ? undefined : r.body);
  });
}

function describeRequest(r: HostileRequest): string {
  return `${r.method} ${r.path} content-type=${JSON.stringify(r.contentType)} x-article-id=${JSON.stringify(r.articleId)} body(${r.body.length} bytes)=${JSON.stringify(r.body.subarray(0, 200).toString('utf8'))}`;
}

/** What a refusal must say: every problem with its field and message, or (for a route API Gateway does not know) a message. */
function expectNamedRefusal(answer: Answer, what: string): void {
  if (answer.status < 400 || answer.body === '') return;
  let parsed: { problems?: { field?: unknown; message?: unknown }[]; message?: unknown };
  try {
    parsed = JSON.parse(answer.body) as typeof parsed;
  } catch {
    throw new Error(`refusal ${answer.status} is not JSON: ${answer.body.slice(0, 200)} (${what})`);
  }
  if (parsed.problems !== undefined) {
    expect(parsed.problems.length, what).toBeGreaterThan(0);
    for (const problem of parsed.problems) {
      expect(typeof problem.field === 'string' && problem.field.length > 0, `problem without a field: ${JSON.stringify(problem)} (${what})`).toBe(true);
      expect(typeof problem.message === 'string' && problem.message.length > 0, `problem without a message: ${JSON.stringify(problem)} (${what})`).toBe(true);
    }
  } else {
    expect(typeof parsed.message === 'string' && parsed.message.length > 0, `refusal names no problem: ${answer.body.slice(0, 200)} (${what})`).toBe(true);
  }
}

const slowest: [number, string][] = [];
async function timed<T>(r: HostileRequest, run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await run();
  } finally {
    slowest.push([Math.round(performance.now() - t0), describeRequest(r).slice(0, 160)]);
  }
}

// ---- the run --------------------------------------------------------------------------------------------

describe(`hostile requests and inbox files for ${BUDGET_MS / 1000} s (seed ${SEED})`, () => {
  let job: RunningMainJob;
  let dataDir: string;
  let inbox: string;
  const dropped: string[] = [];
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    console.log(`hostile fuzz: seed ${SEED}, ${BUDGET_MS / 1000} s (replay: WARTA_FC_SEED=${SEED} WARTA_FUZZ_SECONDS=${BUDGET_MS / 1000} npx vitest run tests/e2e/hostile-fuzz.test.ts)`);
    dataDir = await mkdtemp(join(tmpdir(), 'warta-fuzz-'));
    inbox = join(dataDir, 'inbox');
    job = await startMainJobProcess(['--memory', '--port', '0', '--no-examples', '--data', dataDir, '--inbox', inbox, '--quiet-edge'], {
      env: { WARTA_PARSE_TIME_LIMIT_MS: '2000' },
    });
  }, 300_000);

  afterAll(async () => {
    await job?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers every request without a 5xx other than 503 with Retry-After, naming each refusal’s field and problem, and never dies', async () => {
    let counter = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(hostileRequest, { minLength: 1, maxLength: 4 }), fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: inboxFile, weight: 1 }), async (requests, file) => {
        if (file) {
          const name = `${String(counter++).padStart(4, '0')}-${file.name}`;
          await writeFile(join(inbox, name), file.body);
          if (!IGNORED_INBOX_FILE.test(name)) dropped.push(name);
        }
        const answers = await Promise.all(
          requests.map((r) =>
            timed(r, () => send(job.apiUrl, r)).then(
              (a) => [r, a] as const,
              (error: NodeJS.ErrnoException) => {
                // Only a request Node's HTTP parser refuses (an unknown method) may see its connection closed
                // (400 and reset, before any Warta code runs); any other request must get an answer.
                if (METHODS.includes(r.method)) throw new Error(`${describeRequest(r)}: ${error.code ?? error.message}`);
                return [r, { status: 400, body: '' } as Answer] as const;
              },
            ),
          ),
        );
        for (const [r, answer] of answers) {
          const what = `${describeRequest(r)} → ${answer.status} ${answer.body.slice(0, 300)}`;
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (answer.status >= 500) {
            expect(answer.status, what).toBe(503);
            expect(answer.retryAfter, what).toMatch(/^\d+$/);
          }
          expectNamedRefusal(answer, what);
        }
        expect(job.process.exitCode, 'the job exited').toBeNull();
      }),
      { seed: SEED, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false, endOnFailure: true },
    );
    console.log(`hostile fuzz: ${[...statuses.values()].reduce((a, b) => a + b, 0)} requests (${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(', ')}), ${dropped.length} inbox files`);
    console.log(slowest.sort((a, b) => b[0] - a[0]).slice(0, 5).map(([ms, d]) => `${ms} ms ${d}`).join('\n'));
    expect(job.output()).not.toMatch(/local API request failed|Unhandled|uncaught/i);
  }, BUDGET_MS + 120_000);

  it('takes or moves aside every inbox file, with a reason that names the problem', async () => {
    // Log lines start with a timestamp: `2024-… inbox: NAME → refused: …`.
    const lineOf = (name: string) => job.output().split('\n').find((l) => l.includes(` inbox: ${name} → `) || l.includes(` inbox: ${name} failed`));
    // The inbox takes files one at a time, each with its build; under load that is seconds per file. Wait while
    // it makes progress, and give up only when no file has been taken for a minute.
    let waiting = dropped.filter((name) => lineOf(name) === undefined);
    let progressAt = Date.now();
    while (waiting.length > 0 && Date.now() - progressAt < 60_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const still = waiting.filter((name) => lineOf(name) === undefined);
      if (still.length < waiting.length) progressAt = Date.now();
      waiting = still;
    }
    const refused = new Set(await readdir(join(inbox, '.refused')).catch(() => [] as string[]));
    for (const name of dropped) {
      const line = lineOf(name);
      expect(line, `no log line for ${name}; the job said:\n${job.output().split('\n').filter((l) => l.includes('inbox')).join('\n')}`).toBeDefined();
      expect(line, `${name}`).not.toMatch(/ failed: /);
      if (line?.includes(' → refused: ')) {
        const reasonFile = [...refused].find((n) => n.endsWith('.reason.txt') && (n === `${name}.reason.txt` || n.startsWith(name.slice(0, 100))));
        expect(reasonFile, `no reason file for ${name}`).toBeDefined();
        const reason = await readFile(join(inbox, '.refused', reasonFile ?? ''), 'utf8');
        expect(reason, name).toMatch(/\nreason: \S.+/);
      }
    }
    expect(job.process.exitCode).toBeNull();
  }, 600_000);

  it('leaves every published file well-formed: XML parses strictly, JSON parses', async () => {
    // One last article, answered once built: every build queued before it is done too.
    const last = await fetch(`${job.apiUrl}/articles?wait=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'penutup-fuzz', title: 'Penutup uji masukan jahat', bodyHtml: '<p>Semua umpan harus tetap sah.</p>' }),
    });
    expect([200, 201]).toContain(last.status);
    expect(last.headers.get('x-warta-build')).toBeNull();
    const endpoints = await readLocalEndpoints(dataDir);
    if (!endpoints) throw new Error('the job wrote no local-endpoints.json');
    const s3 = new S3Client({ endpoint: endpoints.s3, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true });
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: endpoints.feedBucket, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
      token = page.NextContinuationToken;
    } while (token);
    expect(keys).toContain('feeds/latest.rss');
    let checked = 0;
    for (const key of keys) {
      // Partner files are signed on the edge; read them from the bucket. Everything else as a reader gets it.
      const text = key.startsWith('partners/')
        ? await (await s3.send(new GetObjectCommand({ Bucket: endpoints.feedBucket, Key: key }))).Body?.transformToString('utf8')
        : await fetch(`${job.edgeUrl}/${key.split('/').map(encodeURIComponent).join('/')}`, { headers: { 'accept-encoding': 'identity' } }).then(async (r) => {
            expect(r.status, key).toBe(200);
            return r.text();
          });
      if (/\.(rss|atom|xml|opml)$/.test(key)) {
        const parser = new SaxesParser({ xmlns: true });
        parser.on('error', (error) => {
          throw new Error(`${key} is not well-formed XML: ${error.message}`);
        });
        parser.write(text ?? '').close();
        checked++;
      } else if (key.endsWith('.json')) {
        expect(() => JSON.parse(text ?? ''), key).not.toThrow();
        checked++;
      }
    }
    console.log(`hostile fuzz: ${checked} published XML/JSON files checked`);
    expect(checked).toBeGreaterThan(3);
    s3.destroy();
  }, 120_000);
});
