import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMainJobProcess, type RunningMainJob } from '../support/main-job-process.js';

const CLI = fileURLToPath(new URL('../../cli/warta.mjs', import.meta.url));
const EXPORT = fileURLToPath(new URL('../fixtures/wordpress/edge-cases.xml', import.meta.url));
const VALIDATE_FEED = fileURLToPath(new URL('../../../shared/tools/validate-feed', import.meta.url));
const hasValidator = existsSync(VALIDATE_FEED);
const hasDebianFeedparser = spawnSync('/usr/bin/python3', ['-c', 'import feedparser'], { stdio: 'ignore' }).status === 0;

/** The posts of the export that a reader of the site sees, with their titles exactly as shown. */
const PUBLISHED = new Map([
  ['wp-101', 'Title With Markup'],
  ['wp-102', `Fish & Chips: "Best" <Prices> 'Today'`],
  ['wp-103', `a < b & c > d, AT&T &amp; "friends" 'too'`],
  ['wp-104', 'Halaman satu dari dua'],
]);

function feedparser(xml: string): { version: string; bozo: number; entries: { title: string; link: string }[] } {
  const script = `
import sys, json, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({"version": d.version, "bozo": d.bozo, "entries": [{"title": e.get("title"), "link": e.get("link")} for e in d.entries]}))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: xml }).toString('utf8'));
}

function importExport(dataDir: string, ...extra: string[]) {
  const run = spawnSync(process.execPath, [CLI, 'import', '--data', dataDir, '--json', ...extra, EXPORT], { encoding: 'utf8' });
  return { code: run.status, summary: JSON.parse(run.stdout || '{}'), stderr: run.stderr };
}

describe('warta import of a WordPress export into a running local job', () => {
  let job: RunningMainJob;
  let dataDir: string;
  const parser = new Parser();
  const get = async (path: string) => (await fetch(`${job.edgeUrl}/${path}`)).text();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'warta-wxr-'));
    job = await startMainJobProcess(['--memory', '--no-examples', '--port', '0', '--data', dataDir, '--inbox', join(dataDir, 'inbox'), '--quiet-edge']);
  }, 300_000);

  afterAll(async () => {
    await job?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('publishes exactly the public posts, refuses the empty ones and counts every other item by reason', () => {
    const { code, summary } = importExport(dataDir);
    // Exit code 1: two posts were refused (an empty title, no content), which the newsroom must see.
    expect(code).toBe(1);
    expect(summary).toMatchObject({
      wxrVersion: '1.2',
      // The scheduled post is imported too, held until its time (2030).
      posts: 7,
      created: 5,
      updated: 0,
      unchanged: 0,
      refused: { 'empty title': 1, 'no content': 1 },
      skipped: {
        draft: 1,
        pending: 1,
        private: 1,
        'password-protected': 1,
        trash: 1,
        'type page': 1,
        'type nav_menu_item': 1,
        'type product': 1,
        'type attachment': 2,
      },
      scheduled: [{ id: 'wp-112', title: 'Terjadwal untuk Maret', publishAt: '2030-03-01T01:00:00.000Z' }],
      malformed: [],
      failed: [],
    });
    expect(summary.refusedPosts.map((p: { id: string }) => p.id)).toEqual(['wp-105', 'wp-106']);
  }, 180_000);

  it('round-trips every title exactly through RSS, Atom and JSON Feed, read by rss-parser', async () => {
    // The ingest API answers once an article is stored; the feeds follow within moments.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const text = await get('feeds/latest.json');
      const items = text.startsWith('{') ? ((JSON.parse(text) as { items?: unknown[] }).items ?? []) : [];
      if (items.length === PUBLISHED.size) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const rss = await parser.parseString(await get('feeds/latest.rss'));
    const atom = await parser.parseString(await get('feeds/latest.atom'));
    const json = JSON.parse(await get('feeds/latest.json')) as { items: { id: string; title: string; url: string; content_html: string }[] };
    const expected = [...PUBLISHED.values()].sort();
    expect(rss.items.map((i) => i.title).sort()).toEqual(expected);
    expect(atom.items.map((i) => i.title).sort()).toEqual(expected);
    expect(json.items.map((i) => i.title).sort()).toEqual(expected);
    // The permalink of the site is the article's link.
    expect(json.items.find((i) => i.title === 'Title With Markup')?.url).toBe('https://kabarpesisir.example/2024/02/07/title-with-markup/');
    // Nothing of the drafts, private, protected, trashed or scheduled posts reached a public feed.
    for (const file of ['feeds/latest.rss', 'feeds/latest.atom', 'feeds/latest.json']) {
      expect(await get(file)).not.toContain('Rahasia redaksi');
      expect(await get(file)).not.toContain('Terjadwal untuk Maret');
    }
  }, 90_000);

  it.skipIf(!hasDebianFeedparser)('round-trips every title through Debian python3-feedparser too (skipped when /usr/bin/python3 lacks feedparser)', async () => {
    const expected = [...PUBLISHED.values()].sort();
    const atom = feedparser(await get('feeds/latest.atom'));
    expect(atom.bozo).toBeFalsy();
    expect(atom.entries.map((e) => e.title).sort()).toEqual(expected);
    // RSS 2.0 cannot say that a title is plain text, and feedparser guesses HTML for a title whose text
    // holds an entity reference ("AT&T &amp; …" comes back as "AT&amp;T &amp; …"); every other title is exact.
    const literalEntity = PUBLISHED.get('wp-103');
    const rss = feedparser(await get('feeds/latest.rss'));
    expect(rss.bozo).toBeFalsy();
    expect(rss.entries.map((e) => e.title).filter((t) => !t.includes('friends')).sort()).toEqual(expected.filter((t) => t !== literalEntity));
  }, 60_000);

  it('puts sections, tags and authors from the export into their feeds', async () => {
    const metro = await parser.parseString(await get('feeds/section/metro.rss'));
    expect(metro.items.map((i) => i.title)).toEqual(['Title With Markup']);
    const author = JSON.parse(await get('feeds/author/budi-bung-o-hara.json')) as { items: { title: string }[] };
    expect(author.items.map((i) => i.title).sort()).toEqual(['Fish & Chips: "Best" <Prices> \'Today\'', 'Halaman satu dari dua']);
    const tag = JSON.parse(await get('feeds/tag/hukum-dan-kriminal.json')) as { items: { title: string }[] };
    expect(tag.items.map((i) => i.title)).toEqual(['Halaman satu dari dua']);
  });

  it.skipIf(!hasValidator)('writes RSS and Atom that pass the W3C validator with no error and no warning (skipped when ../shared/tools/validate-feed is absent)', async () => {
    const files: string[] = [];
    for (const [path, name] of [['feeds/latest.rss', 'latest.rss'], ['feeds/latest.atom', 'latest.atom'], ['feeds/section/metro.rss', 'metro.rss']] as const) {
      const file = join(dataDir, name);
      await writeFile(file, await get(path));
      files.push(`${file}=${job.edgeUrl}/${path}`);
    }
    const run = spawnSync('/usr/bin/python3', [VALIDATE_FEED, ...files], { encoding: 'utf8' });
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(files.length);
    for (const line of lines) expect(line).toMatch(/: 0 errors, 0 warnings$/);
  }, 60_000);

  it('finds every post unchanged when the same export is imported again', () => {
    const { summary } = importExport(dataDir);
    expect(summary).toMatchObject({ created: 0, updated: 0, unchanged: 5, refused: { 'empty title': 1, 'no content': 1 } });
  }, 180_000);

  it('checks everything without sending anything on --dry-run', () => {
    const { summary } = importExport(dataDir, '--dry-run');
    expect(summary).toMatchObject({ dryRun: true, valid: 5, created: 0, unchanged: 0 });
  }, 180_000);
});
