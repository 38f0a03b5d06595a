import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorFeedPath, sectionFeedPath, tagFeedPath } from '../../shared/feeds/feed-paths.js';
import { startMainJobProcess, type RunningMainJob } from '../support/main-job-process.js';

/**
 * The discovery page in a real browser: Debian's Chromium, headless, driven by puppeteer-core (which
 * never downloads a browser of its own), opens the local edge's `/` on a running `warta start`.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-results/', import.meta.url));

const HOUR = 3_600_000;
const now = Date.now();
const articles = [
  { id: 'harga-cabai', title: 'Harga cabai turun di Pasar Induk', section: 'Ekonomi', tags: ['Pangan', 'Jakarta'], authors: ['Rina Kartika'], publishedAt: now - 5 * HOUR },
  { id: 'banjir-rob', title: 'Banjir rob rendam pesisir utara', section: 'Nusantara', tags: ['Banjir', 'Jakarta'], authors: ['Budi Santoso'], publishedAt: now - 4 * HOUR },
  { id: 'timnas', title: 'Timnas menang 2-1 atas Vietnam', section: 'Olahraga', tags: ['Sepak Bola'], authors: ['Budi Santoso'], publishedAt: now - 3 * HOUR },
  {
    id: 'kutipan',
    // Every character that needs escaping, and scripts other than Latin: the page must show it exactly.
    title: 'Menteri: "Harga & pasokan <aman>" — it\'s 日本語 وعربي',
    section: 'Ekonomi',
    tags: ['Pangan', 'Kebijakan & Regulasi'],
    authors: ['Siti Zulikha'],
    publishedAt: now - 1 * HOUR,
  },
  // Scheduled for tomorrow: no headline and no feed of its own section, tag or author on the page yet.
  { id: 'kejutan', title: 'Berita yang belum boleh terbit', section: 'Rahasia', tags: ['Kejutan'], authors: ['Penulis Tamu'], publishedAt: now + 24 * HOUR },
];
const publicArticles = articles.filter((a) => a.publishedAt <= now);
const newest = publicArticles.reduce((a, b) => (a.publishedAt > b.publishedAt ? a : b));
const publicPaths = [
  ...new Set([
    'latest',
    ...publicArticles.flatMap((a) => [sectionFeedPath(a.section), ...a.tags.map(tagFeedPath), ...a.authors.map(authorFeedPath)]),
  ]),
].sort();

const FEED_TYPE: Record<string, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/*
 * What runs in the page, as source text: the project compiles without the DOM library (adding it would
 * change the types of Node's own fetch everywhere), so the browser-side code is plain JavaScript.
 */
interface Seen {
  lang: string;
  headings: { level: string; text: string; visible: boolean }[];
  firstHeadline?: { text: string; href: string; visible: boolean };
  headlines: string[];
  landmarks: string[];
  scripts: number;
  alternates: { type: string; href: string }[];
  feedLinks: { type: string; href: string }[];
}
const READ_PAGE = `() => {
  const visible = (e) => e.checkVisibility() && e.getBoundingClientRect().height > 0;
  const first = document.querySelector('main ol a');
  return {
    lang: document.documentElement.lang,
    headings: [...document.querySelectorAll('h1, h2')].map((h) => ({ level: h.tagName, text: h.innerText, visible: visible(h) })),
    firstHeadline: first ? { text: first.textContent, href: first.getAttribute('href'), visible: visible(first) } : undefined,
    headlines: [...document.querySelectorAll('main ol a')].map((a) => a.textContent),
    landmarks: ['header', 'nav', 'main', 'footer'].filter((name) => document.querySelector(name) !== null),
    scripts: document.querySelectorAll('script').length,
    alternates: [...document.querySelectorAll('link[rel="alternate"]')].map((l) => ({ type: l.getAttribute('type'), href: l.href })),
    feedLinks: [...document.querySelectorAll('a[type]')].map((a) => ({ type: a.getAttribute('type'), href: a.href })),
  };
}`;
const FETCH_ALL = `async (hrefs) => Promise.all(hrefs.map(async (href) => {
  const r = await fetch(href);
  return { href, status: r.status, type: r.headers.get('content-type') || '' };
}))`;
const READ_OPML = `async (url) => {
  const doc = new DOMParser().parseFromString(await (await fetch(url)).text(), 'application/xml');
  const error = doc.querySelector('parsererror');
  return {
    error: error ? error.textContent : null,
    version: doc.documentElement.getAttribute('version'),
    xmlUrls: [...doc.querySelectorAll('outline[xmlUrl]')].map((o) => o.getAttribute('xmlUrl')),
  };
}`;

/** Runs a function given as source text in the page, with one JSON argument. */
function inBrowser<T>(page: Page, source: string, arg?: unknown): Promise<T> {
  return page.evaluate(`(${source})(${arg === undefined ? '' : JSON.stringify(arg)})`) as Promise<T>;
}

describe.skipIf(!existsSync(CHROMIUM))('the discovery page in headless Chromium (skipped without Debian chromium)', () => {
  let job: RunningMainJob;
  let dataDir: string;
  let browser: Browser;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'warta-discovery-'));
    [job, browser] = await Promise.all([
      startMainJobProcess(['--memory', '--no-examples', '--port', '0', '--data', dataDir, '--quiet-edge']),
      // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
      puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--headless=new', '--disable-dev-shm-usage'] }),
    ]);
    for (const a of articles) {
      const response = await fetch(`${job.apiUrl}/articles?wait=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: a.id,
          title: a.title,
          bodyHtml: `<p>${a.title}. Isi berita untuk halaman penemuan feed.</p>`,
          section: a.section,
          tags: a.tags,
          authors: a.authors.map((name) => ({ name })),
          publishedAt: new Date(a.publishedAt).toISOString(),
        }),
      });
      expect(response.status, a.id).toBeLessThan(300);
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await job?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('renders the page, every feed and autodiscovery link answers with its format, and the OPML lists exactly the public feeds', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${job.edgeUrl}/`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'discovery.png'), fullPage: true });

    const seen = await inBrowser<Seen>(page, READ_PAGE);
    expect(seen.lang).toBe('id');
    expect(seen.landmarks).toEqual(['header', 'nav', 'main', 'footer']);
    expect(seen.scripts).toBe(0);
    expect(seen.headings.map((h) => h.text)).toEqual(['JurnalPagi', 'Berita terbaru', 'Semua berita', 'Rubrik', 'Topik', 'Penulis', 'Untuk aplikasi pembaca feed']);
    expect(seen.headings.every((h) => h.visible)).toBe(true);
    expect(seen.firstHeadline).toEqual({ text: newest.title, href: expect.stringContaining(newest.id) as unknown, visible: true });
    expect(seen.headlines).toEqual([...publicArticles].sort((a, b) => b.publishedAt - a.publishedAt).map((a) => a.title));

    // Every link to a feed, in the body and in the head, fetched by the browser itself.
    const links = [...seen.alternates, ...seen.feedLinks];
    const answers = await inBrowser<{ href: string; status: number; type: string }[]>(page, FETCH_ALL, [...new Set(links.map((l) => l.href))]);
    for (const answer of answers) {
      expect(answer.status, answer.href).toBe(200);
      const extension = answer.href.slice(answer.href.lastIndexOf('.') + 1);
      expect(answer.type, answer.href).toBe(extension === 'opml' ? 'text/x-opml; charset=utf-8' : FEED_TYPE[extension]);
    }
    for (const link of links) expect(FEED_TYPE[link.href.slice(link.href.lastIndexOf('.') + 1)] ?? 'text/x-opml; charset=utf-8', link.href).toContain(link.type);
    const linkedPaths = (format: string) =>
      [...new Set(seen.alternates.filter((l) => l.href.endsWith(`.${format}`)).map((l) => l.href.slice(`${job.edgeUrl}/feeds/`.length, -format.length - 1)))].sort();
    for (const format of ['rss', 'atom', 'json']) expect(linkedPaths(format), format).toEqual(publicPaths);

    // The OPML, read by the browser's XML parser: well-formed, and one subscription per public feed.
    const opml = await inBrowser<{ error: string | null; version: string | null; xmlUrls: string[] }>(page, READ_OPML, `${job.edgeUrl}/feeds.opml`);
    expect(opml.error).toBeNull();
    expect(opml.version).toBe('2.0');
    expect(opml.xmlUrls.map((u) => u.slice(`${job.edgeUrl}/feeds/`.length, -'.rss'.length)).sort()).toEqual(publicPaths);
  }, 60_000);
});
