import { spawnSync } from 'node:child_process';
import Parser from 'rss-parser';

/**
 * The two feed readers the tests read rendered feeds back with: npm rss-parser, and Debian's
 * python3-feedparser (the parser behind many aggregators), driven through /usr/bin/python3.
 */

export type RssParserItem = Record<string, unknown> & {
  title?: string;
  link?: string;
  guid?: string;
  id?: string;
  isoDate?: string;
  pubDate?: string;
  creator?: string;
  author?: string;
  categories?: string[];
  content?: string;
  'content:encoded'?: string;
  mediaContent?: { $: Record<string, string> };
};

const rssParser = new Parser<Record<string, unknown>, RssParserItem>({
  customFields: { item: [['media:content', 'mediaContent'], ['dc:creator', 'dcCreators', { keepArray: true }]] },
});

/** Parses RSS or Atom with rss-parser (strict XML: malformed input throws). */
export async function parseWithRssParser(xml: string) {
  return rssParser.parseString(xml);
}

const PYTHON = '/usr/bin/python3';

/** True when Debian's feedparser is importable; the tests that need it are skipped otherwise. */
export const feedparserAvailable = spawnSync(PYTHON, ['-c', 'import feedparser'], { stdio: 'ignore' }).status === 0;

export interface FeedparserResult {
  bozo: boolean;
  bozoException: string | null;
  version: string;
  feed: { title: string; author: string | null; language: string | null; links: { rel: string; href: string; type?: string }[]; updated: string | null };
  entries: {
    id: string;
    title: string;
    titleType: string;
    link: string;
    published: string | null;
    updated: string | null;
    tags: string[];
    author: string | null;
    authors: { name?: string; email?: string }[];
    summary: string | null;
    /** feedparser's type of the summary: "text/plain", or "text/html" when readers render it as HTML (RSS description). */
    summaryType: string | null;
    content: string[];
    enclosures: { href: string; type?: string }[];
    mediaContent: Record<string, string>[];
    links: { rel: string; href: string; title?: string }[];
  }[];
}

const FEEDPARSER_SCRIPT = `
import sys, json, calendar, feedparser
def iso(t):
    return None if t is None else calendar.timegm(t)
def read(document):
  d = feedparser.parse(document.encode("utf-8"))
  return {
  "bozo": bool(d.bozo),
  "bozoException": str(d.get("bozo_exception")) if d.bozo else None,
  "version": d.version,
  "feed": {
    "title": d.feed.get("title"),
    "author": d.feed.get("author"),
    "language": d.feed.get("language"),
    "links": [dict(l) for l in d.feed.get("links", [])],
    "updated": iso(d.feed.get("updated_parsed")),
  },
  "entries": [{
    "id": e.get("id"),
    "title": e.get("title"),
    "titleType": e.get("title_detail", {}).get("type"),
    "link": e.get("link"),
    "published": iso(e.get("published_parsed")),
    "updated": iso(e.get("updated_parsed")),
    "tags": [t.get("term") for t in e.get("tags", [])],
    "author": e.get("author"),
    "authors": [dict(a) for a in e.get("authors", [])],
    "summary": e.get("summary"),
    "summaryType": e.get("summary_detail", {}).get("type"),
    "content": [c.get("value") for c in e.get("content", [])],
    "enclosures": [dict(x) for x in e.get("enclosures", [])],
    "mediaContent": [dict(x) for x in e.get("media_content", [])],
    "links": [dict(l) for l in e.get("links", [])],
  } for e in d.entries],
  }
print(json.dumps([read(document) for document in json.loads(sys.stdin.buffer.read())]))
`;

/** Parses a feed with feedparser; dates come back as ISO strings in UTC. */
export function parseWithFeedparser(document: string): FeedparserResult {
  const [result] = parseAllWithFeedparser([document]);
  if (!result) throw new Error('feedparser returned nothing');
  return result;
}

/** Parses several feeds in one Python process (starting Python and importing feedparser is the slow part). */
export function parseAllWithFeedparser(documents: readonly string[]): FeedparserResult[] {
  const run = spawnSync(PYTHON, ['-c', FEEDPARSER_SCRIPT], { input: JSON.stringify(documents), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`feedparser failed: ${run.stderr}`);
  type Entry = FeedparserResult['entries'][number];
  type RawEntry = Omit<Entry, 'published' | 'updated'> & { published: number | null; updated: number | null };
  const raw = JSON.parse(run.stdout) as (Omit<FeedparserResult, 'feed' | 'entries'> & {
    feed: Omit<FeedparserResult['feed'], 'updated'> & { updated: number | null };
    entries: RawEntry[];
  })[];
  const toIso = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000).toISOString());
  return raw.map((result) => ({
    ...result,
    feed: { ...result.feed, updated: toIso(result.feed.updated) },
    entries: result.entries.map((e) => ({ ...e, published: toIso(e.published), updated: toIso(e.updated) })),
  }));
}
