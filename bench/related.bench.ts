/**
 * Related-article index at archive scale: 10,000 and 100,000 synthetic archived articles, then
 * new articles through `updateRelated` (in process, in-memory store counting items as DynamoDB would).
 * Prints per new article: time (p50, p95) of the whole update and of the neighbour search alone,
 * index items read, an exact brute-force search over the same vectors in the same run, the
 * speed-up and recall@10 of the index against it.
 *
 * `--dynalite`: instead, stream batches of 100 new articles through the related builder handler on
 * dynalite + s3rver (real SDK clients), one `updateRelated` per record without sharing against one
 * `RelatedBatch` per event, in the same run: DynamoDB requests by command, items read and written,
 * S3 requests, wall and CPU time per article, and whether both published the same bytes
 * (RELATED_BENCH_STREAM_ARTICLES, default 300; RELATED_BENCH_STREAM_MODES=one-by-one,batch).
 *
 * Text: sentences and vocabulary sampled from the labelled corpus (../shared/data/related) when it
 * is present, else a built-in generator of Indonesian-like syllable words; both with topics and
 * events so that every new article has true neighbours in the archive.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SiteConfig } from '../shared/config/load-config.js';
import type { Article } from '../shared/model/article.js';
import { parseCorpus } from '../shared/related/evaluation.js';
import { InMemoryArticleRepository, InMemoryObjectPublisher } from '../shared/storage/in-memory-adapters.js';
import { InMemoryRelatedStore } from '../shared/related/in-memory-related-store.js';
import { DEFAULT_SETTINGS, entryKey, indexArticle, readEntries, searchNeighbours, type IndexEntry, type RelatedSettings } from '../shared/related/related-index.js';
import { EncodedScorer } from '../shared/related/term-vector.js';
import { updateRelated } from '../shared/related/update-related.js';
import { seededRandom } from './seeded-random.js';
import { loadavg } from 'node:os';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { startEmbeddedStack } from '../cli/local/embedded-stack.js';
import { createRelatedBuilderHandler } from '../functions/related-builder.js';
import { RuntimeConfigSchema } from '../shared/config/load-config.js';
import { buildDependencies } from '../shared/runtime/dependencies.js';
import { articleIdOfStreamRecord } from '../shared/runtime/stream-records.js';

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'data', 'related', 'articles.jsonl');
const SIZES = [10_000, 100_000];
const QUERIES = 100;
/** Store-scan brute force reads the whole archive per query, so it runs for fewer queries. */
const SCAN_QUERIES = 10;
/** Optional overrides of the related settings for a tuning run, e.g. RELATED_BENCH_SETTINGS='{"candidates":200}'. */
const SETTINGS: RelatedSettings = { ...DEFAULT_SETTINGS, ...(JSON.parse(process.env['RELATED_BENCH_SETTINGS'] ?? '{}') as Partial<RelatedSettings>) };

const SITE: SiteConfig = {
  siteUrl: 'https://bench.example',
  siteTitle: 'Bench',
  siteDescription: 'Bench',
  language: 'id',
  defaultSection: 'Berita',
  feedsBaseUrl: 'https://feeds.bench.example',
  feedItemLimit: 50,
  feedMaxAgeSeconds: 300,
  feedMaxBytes: 2_000_000,
};


interface TextSource {
  kind: string;
  /** Sentences per broad topic. */
  topics: string[][];
  /** Less frequent words, to give each narrower subject its own vocabulary. */
  words: string[];
  /** Proper-name-like words to build events from. */
  names: string[];
}

function corpusSource(): TextSource | undefined {
  if (!existsSync(CORPUS)) return undefined;
  const rows = parseCorpus(readFileSync(CORPUS, 'utf8'));
  const byTopic = new Map<string, string[]>();
  const names = new Set<string>();
  const df = new Map<string, number>();
  for (const r of rows) {
    const sentences = r.body
      .split(/(?<=[.!?])\s+|\n+/)
      .map((s) => s.trim())
      .filter((s) => s.length > 40 && !/scroll to continue|simak juga/i.test(s));
    const list = byTopic.get(r.topic ?? '') ?? [];
    list.push(...sentences);
    byTopic.set(r.topic ?? '', list);
    for (const m of r.body.matchAll(/(?<=[a-z,] )([A-Z][a-z]{3,})/g)) names.add(m[1] as string);
    for (const w of new Set(r.body.toLowerCase().match(/\b[a-z]{5,}\b/g) ?? [])) df.set(w, (df.get(w) ?? 0) + 1);
  }
  const words = [...df].filter(([, n]) => n <= 3).map(([w]) => w);
  return {
    kind: `corpus sentences and words (${rows.length} articles, ${byTopic.size} topics, ${words.length} subject words)`,
    topics: [...byTopic.values()],
    words,
    names: [...names],
  };
}

function builtInSource(): TextSource {
  const rand = seededRandom(7);
  const syllables = ['ba', 'ka', 'ma', 'pa', 'ra', 'sa', 'ta', 'la', 'na', 'ja', 'ri', 'si', 'ti', 'ng', 'kan', 'lan', 'tan', 'ru', 'mu', 'wa', 'ha', 'da', 'ga', 'per', 'ber', 'an'];
  const word = () => Array.from({ length: 2 + Math.floor(rand() * 2) }, () => syllables[Math.floor(rand() * syllables.length)]).join('');
  const common = Array.from({ length: 400 }, word);
  const topics = Array.from({ length: 25 }, () => {
    const vocab = Array.from({ length: 150 }, word);
    return Array.from({ length: 400 }, () => {
      const words = Array.from({ length: 14 }, () => (rand() < 0.45 ? vocab : common)[Math.floor(rand() * 150)] as string);
      return `${words.join(' ')}.`;
    });
  });
  const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  return {
    kind: 'built-in syllable generator (corpus absent)',
    topics,
    words: Array.from({ length: 20_000 }, () => `${word()}${word()}`),
    names: Array.from({ length: 3000 }, () => capital(word())),
  };
}

/**
 * Archive structure: broad topics (the corpus topics) split into narrower subjects, about one per
 * 40 articles, each with 40 of its topic's sentences and 6 words of its own; events within a
 * subject carry two names and a number and have 1 to 8 reports. A report is 8-12 sentences of its
 * subject, with subject words and event names woven in, so near neighbours exist at every size.
 */
function generator(source: TextSource, seed: number, size: number) {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const subjects = Array.from({ length: Math.max(25, Math.round(size / 40)) }, () => {
    const topic = Math.floor(rand() * source.topics.length);
    const pool = source.topics[topic] as string[];
    return { topic, sentences: Array.from({ length: 40 }, () => pick(pool)), words: Array.from({ length: 6 }, () => pick(source.words)) };
  });
  let eventLeft = 0;
  let event = { subject: subjects[0] as (typeof subjects)[number], names: [] as string[], number: '' };
  let n = 0;
  return (publishedAt: Date): Article => {
    if (eventLeft === 0) {
      eventLeft = 1 + Math.floor(rand() * 8);
      event = { subject: pick(subjects), names: [pick(source.names), pick(source.names)], number: String(10 + Math.floor(rand() * 990)) };
    }
    eventLeft--;
    const { subject } = event;
    const body = Array.from({ length: 8 + Math.floor(rand() * 5) }, (_, i) => {
      const sentence = pick(subject.sentences);
      const withWord = rand() < 0.6 ? `${sentence} Soal ${pick(subject.words)} juga dibahas.` : sentence;
      return i % 3 === 0 ? `${withWord} ${event.names[i % 2]} menyebut angka ${event.number}.` : withWord;
    });
    const lead = pick(subject.sentences).split(' ').slice(0, 5).join(' ');
    const title = `${event.names[0]} dan ${pick(subject.words)}: ${lead}`;
    const id = `bench-${seed}-${n++}`;
    const bodyText = body.join('\n');
    const iso = publishedAt.toISOString();
    return {
      id,
      slug: id,
      url: `https://bench.example/${id}`,
      title,
      summary: '',
      bodyHtml: body.map((p) => `<p>${p}</p>`).join(''),
      bodyText,
      section: `topik-${subject.topic}`,
      tags: [],
      authors: [],
      language: 'id',
      images: [],
      relatedHeadlines: [],
      publishedAt: iso,
      updatedAt: iso,
      status: 'published',
      version: 1,
      contentHash: createHash('sha256').update(title + bodyText).digest('hex'),
    };
  };
}

/** Exact search over every stored vector: a dense query array against each document's terms. */
class BruteForce {
  private readonly termIds = new Map<string, number>();
  private readonly docs: { id: string; terms: Int32Array; weights: Float64Array }[] = [];

  add(e: IndexEntry): void {
    const terms = new Int32Array(e.vector.size);
    const weights = new Float64Array(e.vector.size);
    let i = 0;
    for (const [t, w] of e.vector) {
      let id = this.termIds.get(t);
      if (id === undefined) {
        id = this.termIds.size;
        this.termIds.set(t, id);
      }
      terms[i] = id;
      weights[i++] = w;
    }
    this.docs.push({ id: e.id, terms, weights });
  }

  top(vector: ReadonlyMap<string, number>, selfId: string, n: number): string[] {
    const q = new Float64Array(this.termIds.size);
    for (const [t, w] of vector) {
      const id = this.termIds.get(t);
      if (id !== undefined) q[id] = w;
    }
    const best: { id: string; score: number }[] = [];
    for (const d of this.docs) {
      if (d.id === selfId) continue;
      let s = 0;
      for (let i = 0; i < d.terms.length; i++) s += (q[d.terms[i] as number] as number) * (d.weights[i] as number);
      s = Math.round(s * 10_000) / 10_000;
      if (s < SETTINGS.minScore) continue;
      if (best.length < n || s > (best[best.length - 1] as { score: number }).score) {
        best.push({ id: d.id, score: s });
        best.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
        if (best.length > n) best.pop();
      }
    }
    return best.map((b) => b.id);
  }
}

/**
 * Brute force as a Lambda without the index would do it: read every vector item of the store
 * (BatchGet pages of 100) and score each; the same representation and scorer as the index.
 */
async function scanSearch(store: InMemoryRelatedStore, ids: readonly string[], vector: ReadonlyMap<string, number>, selfId: string): Promise<string[]> {
  const scored: { id: string; score: number }[] = [];
  const scorer = new EncodedScorer(vector);
  for (let i = 0; i < ids.length; i += 100) {
    for (const item of await store.getItems(ids.slice(i, i + 100).map(entryKey))) {
      const score = Math.round(scorer.cosine(String(item.vector)) * 10_000) / 10_000;
      if (item.id !== selfId && score >= SETTINGS.minScore) scored.push({ id: String(item.id), score });
    }
  }
  return scored
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, 10)
    .map((x) => x.id);
}

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function benchSize(source: TextSource, size: number): Promise<void> {
  const store = new InMemoryRelatedStore();
  const articles = new InMemoryArticleRepository();
  const publisher = new InMemoryObjectPublisher();
  const brute = new BruteForce();
  const next = generator(source, size, size);
  const start = Date.UTC(2020, 0, 1);

  const ids: string[] = [];
  const loadStarted = performance.now();
  let previous: IndexEntry | undefined;
  for (let i = 0; i < size; i++) {
    const a = next(new Date(start + i * 600_000));
    previous = await indexArticle(store, a, undefined, SETTINGS);
    brute.add(previous);
    ids.push(a.id);
  }
  const loadSeconds = (performance.now() - loadStarted) / 1000;

  const deps = { articles, store, publisher, site: SITE, clock: { now: () => new Date(start) }, settings: SETTINGS };
  const update: number[] = [];
  const search: number[] = [];
  const exact: number[] = [];
  const reads: number[] = [];
  const recall: number[] = [];
  const scan: number[] = [];
  for (let q = 0; q < QUERIES; q++) {
    const a = next(new Date(start + (size + q) * 600_000));
    await articles.save(a, undefined);
    const readsBefore = store.usage().itemsRead;
    let t = performance.now();
    await updateRelated(deps, [a.id]);
    update.push(performance.now() - t);
    reads.push(store.usage().itemsRead - readsBefore);

    const entry = (await readEntries(store, [a.id])).get(a.id) as IndexEntry;
    t = performance.now();
    const { neighbours } = await searchNeighbours(store, entry.vector, new Set([a.id]), SETTINGS);
    search.push(performance.now() - t);
    t = performance.now();
    const truth = brute.top(entry.vector, a.id, 10);
    exact.push(performance.now() - t);
    if (q < SCAN_QUERIES) {
      t = performance.now();
      await scanSearch(store, ids, entry.vector, a.id);
      scan.push(performance.now() - t);
    }
    const found = new Set(neighbours.slice(0, 10).map((n) => n.id));
    if (truth.length > 0) recall.push(truth.filter((id) => found.has(id)).length / truth.length);
    brute.add(entry);
    ids.push(a.id);
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  const f = (x: number) => x.toFixed(2);
  const row = (name: string, value: string) => process.stdout.write(`  ${name.padEnd(38)} ${value}\n`);
  process.stdout.write(`\narchive ${size.toLocaleString('en')} articles (indexed in ${loadSeconds.toFixed(1)} s), ${QUERIES} new articles\n`);
  row('updateRelated per article p50 / p95', `${f(percentile(update, 50))} / ${f(percentile(update, 95))} ms`);
  row('index search p50 / p95', `${f(percentile(search, 50))} / ${f(percentile(search, 95))} ms`);
  row('brute force, store scan p50', `${f(percentile(scan, 50))} ms (${scan.length} queries, one item per archived article)`);
  row('brute force, preloaded dense p50 / p95', `${f(percentile(exact, 50))} / ${f(percentile(exact, 95))} ms`);
  row('speed-up vs store scan (search / update)', `${(percentile(scan, 50) / percentile(search, 50)).toFixed(0)}x / ${(percentile(scan, 50) / percentile(update, 50)).toFixed(0)}x`);
  row('speed-up vs preloaded dense (search / update)', `${(percentile(exact, 50) / percentile(search, 50)).toFixed(1)}x / ${(percentile(exact, 50) / percentile(update, 50)).toFixed(1)}x`);
  row('index items read per article p50 / max', `${percentile(reads, 50)} / ${Math.max(...reads)}`);
  row('recall@10 vs brute force', `${mean(recall).toFixed(3)} (${recall.length} queries with neighbours)`);
}

/** Entry point called by bench/run.ts. */
export async function run(): Promise<void> {
  const source = corpusSource() ?? builtInSource();
  process.stdout.write(`text: ${source.kind}\n`);
  if (process.argv.includes('--dynalite')) {
    await runStreamStep(source);
    return;
  }
  const sizes = process.env['RELATED_BENCH_SIZES']?.split(',').map(Number) ?? SIZES;
  for (const size of sizes) await benchSize(source, size);
}

// ---------------------------------------------------------------------------------------------
// Stream batches on dynalite + s3rver (`npm run bench -- related --dynalite`)
// ---------------------------------------------------------------------------------------------

/** DynamoDB requests by command and items read / written, counted on the real SDK client. */
class DynamoMeter {
  readonly requests = new Map<string, number>();
  itemsRead = 0;
  itemsWritten = 0;
  s3Requests = 0;
  total(): number {
    return [...this.requests.values()].reduce((s, n) => s + n, 0);
  }
}

function meterClients(dynamodb: DynamoDBClient, s3: S3Client, meter: DynamoMeter): void {
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      meter.requests.set(command, (meter.requests.get(command) ?? 0) + 1);
      const out = await next(args);
      const input = args.input as { RequestItems?: Record<string, unknown[]> };
      const o = out.output as { Items?: unknown[]; Item?: unknown; Responses?: Record<string, unknown[]> };
      if (command === 'QueryCommand') meter.itemsRead += o.Items?.length ?? 0;
      else if (command === 'GetItemCommand') meter.itemsRead += o.Item ? 1 : 0;
      else if (command === 'BatchGetItemCommand') meter.itemsRead += Object.values(o.Responses ?? {}).reduce((s, r) => s + r.length, 0);
      else if (command === 'BatchWriteItemCommand') meter.itemsWritten += Object.values(input.RequestItems ?? {}).reduce((s, r) => s + r.length, 0);
      else meter.itemsWritten += 1;
      return out;
    },
    { step: 'initialize', name: 'relatedBenchMeter' },
  );
  s3.middlewareStack.add(
    (next) => async (args) => {
      meter.s3Requests += 1;
      return next(args);
    },
    { step: 'initialize', name: 'relatedBenchMeter' },
  );
}

function streamEvent(ids: readonly string[], first: number): DynamoDBStreamEvent {
  return {
    Records: ids.map((id, i) => ({
      eventID: `bench-${first + i}`,
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: { Keys: { pk: { S: `ARTICLE#${id}` }, sk: { S: 'A' } }, SequenceNumber: String(first + i).padStart(21, '0') },
    })),
  };
}

type StreamMode = 'one-by-one' | 'batch';

interface StreamRun {
  mode: StreamMode;
  batches: { articles: number; ms: number; cpuMs: number; requests: Map<string, number>; itemsRead: number; itemsWritten: number; s3: number }[];
  /** Bytes of every object the runs published, by key (to compare the two modes). */
  objects: Map<string, string>;
}

/**
 * Imports `count` generated articles and feeds them to the related builder in stream batches of
 * `batchSize`, as the local runtime and Lambda do: 'batch' is the handler as deployed,
 * 'one-by-one' calls `updateRelated` once per record with no state shared between records
 * (the handler before batching), for comparison in the same run.
 */
async function streamOnDynalite(source: TextSource, mode: StreamMode, count: number, batchSize: number): Promise<StreamRun> {
  const table = 'warta-bench-related';
  const bucket = 'warta-bench-related-feeds';
  const stack = await startEmbeddedStack({ memory: true, tableName: table, buckets: [bucket] });
  try {
    const config = RuntimeConfigSchema.parse({ articlesTableName: table, feedBucketName: bucket, s3ForcePathStyle: 'true', site: SITE });
    const start = Date.UTC(2024, 0, 1);
    const clock = { now: () => new Date(start + (count + 1) * 600_000) };
    const deps = buildDependencies(config, { dynamodb: stack.dynamodb, s3: stack.s3, clock, logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }) });
    const next = generator(source, 4242, count);
    const articles = Array.from({ length: count }, (_, i) => next(new Date(start + i * 600_000)));
    for (const a of articles) await deps.articles.save(a, undefined);
    const related = { articles: deps.articles, store: deps.related, publisher: deps.publisher, site: config.site, clock, settings: SETTINGS };
    const logger = new Logger({ serviceName: 'bench', logLevel: 'SILENT' });
    const handler =
      mode === 'batch'
        ? createRelatedBuilderHandler({ related, logger })
        : async (event: DynamoDBStreamEvent) => {
            for (const r of event.Records) await updateRelated(related, [articleIdOfStreamRecord(r) as string]);
            return { batchItemFailures: [] };
          };
    const meter = new DynamoMeter();
    meterClients(stack.dynamodb, stack.s3, meter);
    const run: StreamRun = { mode, batches: [], objects: new Map() };
    for (let at = 0; at < count; at += batchSize) {
      const ids = articles.slice(at, at + batchSize).map((a) => a.id);
      const before = { requests: new Map(meter.requests), read: meter.itemsRead, written: meter.itemsWritten, s3: meter.s3Requests };
      const cpu = process.cpuUsage();
      const t = performance.now();
      const response = await handler(streamEvent(ids, at));
      const ms = performance.now() - t;
      const used = process.cpuUsage(cpu);
      if (response.batchItemFailures.length > 0) throw new Error(`${response.batchItemFailures.length} record(s) failed`);
      const requests = new Map([...meter.requests].map(([c, n]) => [c, n - (before.requests.get(c) ?? 0)]));
      run.batches.push({ articles: ids.length, ms, cpuMs: (used.user + used.system) / 1000, requests, itemsRead: meter.itemsRead - before.read, itemsWritten: meter.itemsWritten - before.written, s3: meter.s3Requests - before.s3 });
    }
    let token: string | undefined;
    do {
      const page = await stack.s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const got = await stack.s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
        run.objects.set(o.Key as string, (await got.Body?.transformToString('utf-8')) ?? '');
      }
      token = page.NextContinuationToken;
    } while (token);
    return run;
  } finally {
    await stack.close();
  }
}

function reportStream(run: StreamRun, batchSize: number): void {
  const row = (name: string, value: string) => process.stdout.write(`  ${name.padEnd(38)} ${value}\n`);
  process.stdout.write(`\n${run.mode}: ${run.batches.length} stream batches of up to ${batchSize} new articles, dynalite + s3rver (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})\n`);
  run.batches.forEach((b, i) => {
    const { articles } = b;
    const requests = [...b.requests.values()].reduce((s, x) => s + x, 0);
    const byCommand = [...b.requests].filter(([, x]) => x > 0).sort((a, c) => c[1] - a[1]).map(([c, x]) => `${c.replace('Command', '')} ${(x / articles).toFixed(1)}`).join(', ');
    row(`batch ${i + 1}: ms / CPU ms per article`, `${(b.ms / articles).toFixed(1)} / ${(b.cpuMs / articles).toFixed(1)}`);
    row(`batch ${i + 1}: DynamoDB requests per article`, `${(requests / articles).toFixed(1)} (${byCommand})`);
    row(`batch ${i + 1}: items read / written per article`, `${(b.itemsRead / articles).toFixed(1)} / ${(b.itemsWritten / articles).toFixed(1)}`);
    row(`batch ${i + 1}: S3 requests per article`, `${(b.s3 / articles).toFixed(1)}`);
  });
}

async function runStreamStep(source: TextSource): Promise<void> {
  const count = Number(process.env['RELATED_BENCH_STREAM_ARTICLES'] ?? 300);
  const batchSize = 100;
  const modes = (process.env['RELATED_BENCH_STREAM_MODES']?.split(',') ?? ['one-by-one', 'batch']) as StreamMode[];
  const runs: StreamRun[] = [];
  for (const mode of modes) {
    const run = await streamOnDynalite(source, mode, count, batchSize);
    reportStream(run, batchSize);
    runs.push(run);
  }
  const [a, b] = runs;
  if (a && b) {
    const keys = new Set([...a.objects.keys(), ...b.objects.keys()]);
    const differing = [...keys].filter((k) => a.objects.get(k) !== b.objects.get(k));
    process.stdout.write(`\n  published objects: ${a.objects.size} vs ${b.objects.size}, ${differing.length} differing${differing.length ? ` (${differing.slice(0, 5).join(', ')})` : ''}\n`);
  }
}
