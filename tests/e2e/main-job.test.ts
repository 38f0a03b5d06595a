import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMainJobProcess, type RunningMainJob } from '../support/main-job-process.js';

const EXAMPLES = new URL('../../examples/articles/', import.meta.url);
const hasDebianFeedparser = spawnSync('/usr/bin/python3', ['-c', 'import feedparser'], { stdio: 'ignore' }).status === 0;

/** Parses a feed with Debian's python3-feedparser, an implementation independent of ours. */
function feedparser(xml: string): { version: string; entries: { id: string; title: string; published: string; updated: string }[] } {
  const script = `
import sys, json, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({"version": d.version, "bozo": d.bozo, "entries": [
  {"id": e.get("id"), "title": e.get("title"), "published": e.get("published"), "updated": e.get("updated")} for e in d.entries]}))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: xml }).toString('utf8'));
}

describe('the main job, started as a user starts it', () => {
  let job: RunningMainJob;
  let dataDir: string;
  let exampleCount: number;
  const parser = new Parser();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'warta-e2e-'));
    exampleCount = (await readdir(EXAMPLES)).filter((f) => /\.(txt|json|html)$/.test(f)).length;
    job = await startMainJobProcess(['--memory', '--port', '0', '--data', dataDir, '--inbox', join(dataDir, 'inbox'), '--quiet-edge']);
  }, 300_000);

  afterAll(async () => {
    await job?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${job.edgeUrl}/${path}`, { headers });

  it('prints the feed URLs and ingests every example article', () => {
    expect(exampleCount).toBeGreaterThanOrEqual(30);
    expect(job.output()).toMatch(new RegExp(`examples: ${exampleCount} files .*: ${exampleCount} created`));
    expect(job.output()).toContain(`${job.edgeUrl}/feeds/latest.rss`);
  });

  it('serves the latest RSS, Atom and JSON feeds that independent parsers read alike', async () => {
    const rssResponse = await get('feeds/latest.rss');
    expect(rssResponse.status).toBe(200);
    expect(rssResponse.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const rss = await parser.parseString(await rssResponse.text());
    const atom = await parser.parseString(await (await get('feeds/latest.atom')).text());
    const json = (await (await get('feeds/latest.json')).json()) as { version: string; items: { id: string; title: string; date_published: string }[] };

    expect(rss.items).toHaveLength(Math.min(exampleCount, 50));
    expect(atom.items.map((i) => i.title)).toEqual(rss.items.map((i) => i.title));
    expect(json.items.map((i) => i.title)).toEqual(rss.items.map((i) => i.title));
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    // Newest first, dates in UTC, ids stable and unique.
    const published = rss.items.map((i) => Date.parse(i.pubDate ?? ''));
    expect([...published].sort((a, b) => b - a)).toEqual(published);
    expect(rss.items.every((i) => i.pubDate?.endsWith('GMT'))).toBe(true);
    expect(new Set(rss.items.map((i) => i.guid)).size).toBe(rss.items.length);
    expect(rss.items.map((i) => i.title)).toContain('Kementerian Komunikasi dan Informatika mengoordinasikan platform untuk menjaga keamanan layanan dalam pemilu');
  });

  it.skipIf(!hasDebianFeedparser)('is read the same way by Debian python3-feedparser (skipped when /usr/bin/python3 lacks feedparser)', async () => {
    const rssText = await (await get('feeds/latest.rss')).text();
    const atomText = await (await get('feeds/latest.atom')).text();
    const ours = await parser.parseString(rssText);
    const rss = feedparser(rssText);
    const atom = feedparser(atomText);
    expect(rss.version).toBe('rss20');
    expect(atom.version).toBe('atom10');
    expect(rss.entries.map((e) => e.title)).toEqual(ours.items.map((i) => i.title));
    expect(rss.entries.map((e) => e.id)).toEqual(ours.items.map((i) => i.guid));
    expect(atom.entries.map((e) => e.id)).toEqual(ours.items.map((i) => i.guid));
  });

  it('answers conditional GETs with 304 so aggregators poll cheaply', async () => {
    const first = await get('feeds/latest.atom');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await get('feeds/latest.atom', { 'if-none-match': etag ?? '' });
    expect(again.status).toBe(304);
  });

  it('updates every affected feed soon after a file is dropped into the inbox, and says so in the log', async () => {
    const title = 'Pelabuhan Tanjung Priok tambah dermaga untuk kapal kontainer besar';
    const article = {
      id: 'priok-dermaga-baru',
      title,
      section: 'Ekonomi',
      tags: ['Pelabuhan'],
      authors: [{ name: 'Dimas Prasetyo' }],
      bodyHtml: '<p>Jakarta (JurnalPagi) – Pelabuhan Tanjung Priok menambah satu dermaga baru untuk kapal kontainer berukuran besar.</p><p>Dermaga itu ditargetkan beroperasi pada pertengahan tahun.</p>',
      // Now: newer than every example (those without a time got theirs at start), yet not later, which
      // would hold it back as a scheduled story.
      publishedAt: new Date().toISOString(),
    };
    const logged = job.waitForLine(/inbox: priok-dermaga-baru\.json → created priok-dermaga-baru/);
    const droppedAt = Date.now();
    await writeFile(join(dataDir, 'inbox', 'priok-dermaga-baru.json'), JSON.stringify(article));
    const line = await logged;
    expect(line).toMatch(/\(\d+ ms: related-builder \d+ ms, feed-builder \d+ ms\)$/);

    let latestTitle: string | undefined;
    while (Date.now() - droppedAt < 10_000) {
      latestTitle = (await parser.parseString(await (await get('feeds/latest.rss')).text())).items[0]?.title;
      if (latestTitle === title) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(latestTitle).toBe(title);
    const section = await parser.parseString(await (await get('feeds/section/ekonomi.atom')).text());
    expect(section.items[0]?.title).toBe(title);
    const tag = (await (await get('feeds/tag/pelabuhan.json')).json()) as { items: { title: string }[] };
    expect(tag.items.map((i) => i.title)).toEqual([title]);
  });

  it('accepts an article through the local ingest API and withdraws it again', async () => {
    // The API answers once the article is stored; `wait=1` holds the answer until its feeds are built.
    const created = await fetch(`${job.apiUrl}/articles?id=api-uji&wait=1`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'Uji coba lewat API lokal\n\nBandung (JurnalPagi) – Artikel ini dikirim lewat API lokal.\n\nIsinya cukup dua paragraf.',
    });
    expect(created.status).toBe(201);
    const titles = async () => (await parser.parseString(await (await get('feeds/latest.rss')).text())).items.map((i) => i.title);
    expect(await titles()).toContain('Uji coba lewat API lokal');
    const withdrawn = await fetch(`${job.apiUrl}/articles/api-uji?wait=1`, { method: 'DELETE' });
    expect(withdrawn.status).toBe(200);
    expect(await titles()).not.toContain('Uji coba lewat API lokal');
  });

  it('serves a partner its full-text feed through a signed URL, refuses anonymous requests, and reports withdrawals', async () => {
    const cli = new URL('../../cli/warta.mjs', import.meta.url).pathname;
    const signed = execFileSync(process.execPath, [cli, 'sign-url', '--data', dataDir, '--partner', 'kabar-nusantara', '--expires', '1h']).toString('utf8').trim();
    expect(signed).toMatch(new RegExp(`^${job.edgeUrl}/partners/kabar-nusantara/index\\.json\\?.*Signature=`));
    const query = signed.slice(signed.indexOf('?'));
    const partnerFeed = async () => {
      const response = await fetch(`${job.edgeUrl}/partners/kabar-nusantara/feed.rss${query}`);
      expect(response.status).toBe(200);
      return parser.parseString(await response.text());
    };
    const feed = await partnerFeed();
    expect(feed.items.length).toBeGreaterThan(0);
    const first = feed.items[0];
    expect(first?.['content:encoded']).toMatch(/<p>/);
    expect((await fetch(`${job.edgeUrl}/partners/kabar-nusantara/feed.rss`)).status).toBe(403);
    expect((await fetch(`${job.edgeUrl}/partners/teknoekonomi/feed.json${query}`)).status).toBe(403);

    const articleId = first?.guid?.split(':article:')[1] ?? '';
    expect(articleId).not.toBe('');
    expect((await fetch(`${job.apiUrl}/articles/${articleId}?wait=1`, { method: 'DELETE' })).status).toBe(200);
    expect((await partnerFeed()).items.map((i) => i.guid)).not.toContain(first?.guid);
    const ninjs = (await (await fetch(`${job.edgeUrl}/partners/kabar-nusantara/ninjs/${articleId}.json${query}`)).json()) as { pubstatus: string };
    expect(ninjs.pubstatus).toBe('canceled');
  });

  it('imports an archive folder through the ingest API, file by file, and says which files were refused', async () => {
    const archive = join(dataDir, 'arsip');
    await mkdir(archive);
    await writeFile(join(archive, 'arsip-pelabuhan-1998.txt'), 'Arsip: pelabuhan lama Sunda Kelapa dipugar\n\nJakarta (JurnalPagi) – Pelabuhan Sunda Kelapa mulai dipugar.\n\nPemugaran berlangsung setahun.');
    await writeFile(join(archive, 'rusak.json'), JSON.stringify({ title: 'Tanpa isi' }));
    await writeFile(join(archive, 'catatan.md'), 'bukan artikel');
    const cli = new URL('../../cli/warta.mjs', import.meta.url).pathname;
    const run = spawnSync(process.execPath, [cli, 'import', '--data', dataDir, archive], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^created\t.*arsip-pelabuhan-1998\.txt$/m);
    expect(run.stdout).toMatch(/^refused\t.*rusak\.json\tbodyHtml: /m);
    expect(run.stdout).toMatch(/imported 2 file\(s\) in [\d.]+ s \([\d.]+ articles\/s\): /);
    // The import ends once the articles are stored; the running job builds their feeds right after.
    let titles: string[] = [];
    for (const started = Date.now(); Date.now() - started < 20_000; await new Promise((r) => setTimeout(r, 100))) {
      titles = (await parser.parseString(await (await get('feeds/latest.rss')).text())).items.map((i) => i.title ?? '');
      if (titles.includes('Arsip: pelabuhan lama Sunda Kelapa dipugar')) break;
    }
    expect(titles).toContain('Arsip: pelabuhan lama Sunda Kelapa dipugar');
  });

  it('rebuilds the feeds of given articles by hand without rewriting unchanged files', () => {
    const cli = new URL('../../cli/warta.mjs', import.meta.url).pathname;
    const run = spawnSync(process.execPath, [cli, 'rebuild', '--data', dataDir, '000_1274e15701f62eef'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^related lists and stories: 0 file\(s\) written, 0 deleted$/m);
    expect(run.stdout).toMatch(/^rebuilt [1-9]\d* feed\(s\): 0 file\(s\) written, [1-9]\d* unchanged/m);
  });

  it('stops cleanly on Ctrl-C', async () => {
    expect(await job.stop()).toBe(0);
    expect(job.output()).toContain('warta: stopped');
  });
});
