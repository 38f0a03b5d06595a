import { escapeHtml, escapeXmlAttribute, stripInvalidXmlChars } from '../feeds/xml-text.js';
import { FEED_FORMATS, feedObjectKey, LATEST_FEED_PATH, parseFeedPath, type FeedFormat, type FeedKind } from '../feeds/feed-paths.js';

/**
 * The discovery files at the root of the bucket (docs/feeds.md, "Discovery"): `index.html`, a plain
 * page listing every public feed in its three formats with `<link rel="alternate">` autodiscovery and
 * the newest headlines, and `feeds.opml`, the same feeds as an OPML 2.0 subscription list.
 *
 * Rendered as text by hand, as the sitemaps are: each file is a fixed skeleton, and its bytes must be
 * a function of the feed set and the headlines only (no build time, a fixed order), so that a build
 * with nothing new writes nothing. Every value goes through one escape per context (text or
 * double-quoted attribute); characters XML forbids are removed, everything else is written as is.
 */

export const INDEX_KEY = 'index.html';
export const OPML_KEY = 'feeds.opml';
export const INDEX_CONTENT_TYPE = 'text/html; charset=utf-8';
/**
 * OPML has no registered media type; `text/x-opml` is the one feed readers and the RSS autodiscovery
 * convention use for subscription lists (`application/xml` would also parse, but names no format).
 */
export const OPML_CONTENT_TYPE = 'text/x-opml; charset=utf-8';
/** How many of the newest articles the page shows. */
export const HEADLINE_COUNT = 15;

/** One public feed: its path (`latest`, `section/<slug>`, …) and the name it is shown with. */
export interface DirectoryFeed {
  path: string;
  /** Section, tag or author name as the newest article in the feed spells it; empty for `latest`. */
  name: string;
}

export interface Headline {
  title: string;
  url: string;
  /** UTC ISO instant. */
  publishedAt: string;
  /** BCP 47 tag of the article. */
  language: string;
  section: string;
}

export interface DiscoverySite {
  siteTitle: string;
  siteDescription: string;
  siteUrl: string;
  /** BCP 47 tag of the site, e.g. `id` or `en-GB`. */
  language: string;
  feedsBaseUrl: string;
}

export interface DiscoveryModel {
  site: DiscoverySite;
  feeds: readonly DirectoryFeed[];
  /** Newest first. */
  headlines: readonly Headline[];
}

interface Strings {
  lang: string;
  pageTitle: (site: string) => string;
  skip: string;
  contents: string;
  newest: string;
  noHeadlines: string;
  allNews: string;
  allNewsIntro: (site: string) => string;
  kinds: Record<Exclude<FeedKind, 'latest'>, { heading: string; none: string }>;
  feedName: string;
  formats: string;
  readers: string;
  readersIntro: string;
  opml: string;
  sitemap: string;
  site: string;
  months: readonly string[];
  feedTitle: (site: string, name: string, kind: FeedKind) => string;
  at: string;
}

const STRINGS: Record<'id' | 'en', Strings> = {
  id: {
    lang: 'id',
    pageTitle: (site) => `${site}: berita terbaru dan feed`,
    skip: 'Langsung ke isi',
    contents: 'Daftar isi',
    newest: 'Berita terbaru',
    noHeadlines: 'Belum ada berita.',
    allNews: 'Semua berita',
    allNewsIntro: (site) => `Feed semua berita ${site}, yang terbaru lebih dulu:`,
    kinds: {
      section: { heading: 'Rubrik', none: 'Belum ada rubrik.' },
      tag: { heading: 'Topik', none: 'Belum ada topik.' },
      author: { heading: 'Penulis', none: 'Belum ada penulis.' },
    },
    feedName: 'Nama',
    formats: 'Feed',
    readers: 'Untuk aplikasi pembaca feed',
    readersIntro: 'Impor semua feed sekaligus ke aplikasi pembaca:',
    opml: 'daftar feed (OPML)',
    sitemap: 'Peta situs',
    site: 'Situs web',
    months: ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'],
    feedTitle: (site, name, kind) =>
      kind === 'latest' ? `${site}: semua berita` : `${site}: ${kind === 'section' ? 'rubrik' : kind === 'tag' ? 'topik' : 'penulis'} ${name}`,
    at: 'pukul',
  },
  en: {
    lang: 'en',
    pageTitle: (site) => `${site}: latest news and feeds`,
    skip: 'Skip to content',
    contents: 'Contents',
    newest: 'Latest news',
    noHeadlines: 'No news yet.',
    allNews: 'All news',
    allNewsIntro: (site) => `Feeds of all news from ${site}, newest first:`,
    kinds: {
      section: { heading: 'Sections', none: 'No sections yet.' },
      tag: { heading: 'Topics', none: 'No topics yet.' },
      author: { heading: 'Authors', none: 'No authors yet.' },
    },
    feedName: 'Name',
    formats: 'Feeds',
    readers: 'For feed readers',
    readersIntro: 'Import every feed at once into a feed reader:',
    opml: 'feed list (OPML)',
    sitemap: 'Sitemap',
    site: 'Website',
    months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
    feedTitle: (site, name, kind) => (kind === 'latest' ? `${site}: all news` : `${site}: ${kind === 'section' ? 'section' : kind === 'tag' ? 'topic' : 'author'} ${name}`),
    at: 'at',
  },
};

/**
 * The page's strings for a site language: English for `en` and its regional tags, Indonesian (the
 * project's default) for everything else, the page then marking itself `lang="id"` and the site's
 * own texts with their language.
 */
export function stringsFor(language: string): Strings {
  return language.toLowerCase().split('-')[0] === 'en' ? STRINGS.en : STRINGS.id;
}

const FORMAT_LABELS: Record<FeedFormat, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };
const FORMATS = Object.keys(FEED_FORMATS) as FeedFormat[];
const KINDS = ['section', 'tag', 'author'] as const;

const text = (value: string) => escapeHtml(stripInvalidXmlChars(value));
const attr = (value: string) => escapeXmlAttribute(stripInvalidXmlChars(value));
/** A `lang` attribute when a text's language differs from the page's (WCAG 3.1.2, language of parts). */
const langOf = (language: string, page: string) => (language.toLowerCase() === page.toLowerCase() ? '' : ` lang="${attr(language)}"`);

export function feedUrl(site: Pick<DiscoverySite, 'feedsBaseUrl'>, path: string, format: FeedFormat): string {
  return `${site.feedsBaseUrl}/${feedObjectKey(path, format)}`;
}

/** The MIME type of a format without parameters, as `<link type>` and OPML want it. */
export function feedMimeType(format: FeedFormat): string {
  return FEED_FORMATS[format].contentType.split(';')[0] as string;
}

/** Feeds in the order both files list them: latest, then sections, tags and authors, each by name. */
export function orderedFeeds(feeds: readonly DirectoryFeed[]): { latest?: DirectoryFeed; byKind: Record<(typeof KINDS)[number], DirectoryFeed[]> } {
  const collator = new Intl.Collator('und', { sensitivity: 'variant', numeric: true });
  const byKind = { section: [] as DirectoryFeed[], tag: [] as DirectoryFeed[], author: [] as DirectoryFeed[] };
  let latest: DirectoryFeed | undefined;
  for (const feed of feeds) {
    const { kind } = parseFeedPath(feed.path);
    if (kind === 'latest') latest = feed;
    else byKind[kind].push(feed);
  }
  for (const kind of KINDS) byKind[kind].sort((a, b) => collator.compare(a.name, b.name) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { ...(latest ? { latest } : {}), byKind };
}

/** `7 Februari 2024 pukul 02.30 UTC`: a fixed UTC rendering, so the bytes never depend on the build machine. */
function displayDate(iso: string, strings: Strings): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = strings.lang === 'id' ? `${pad(d.getUTCHours())}.${pad(d.getUTCMinutes())}` : `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return `${d.getUTCDate()} ${strings.months[d.getUTCMonth()] ?? ''} ${d.getUTCFullYear()} ${strings.at} ${time} UTC`;
}

function feedLinks(site: DiscoverySite, feed: DirectoryFeed, label: string): string {
  // The visible text is the format; the hidden part names the feed, so every link makes sense out of context.
  return FORMATS.map(
    (format) =>
      `<a href="${attr(feedUrl(site, feed.path, format))}" type="${feedMimeType(format)}">${FORMAT_LABELS[format]}<span class="vh"> ${text(label)}</span></a>`,
  ).join(' · ');
}

/** The HTML index page. */
export function renderIndexHtml(model: DiscoveryModel): string {
  const { site } = model;
  const s = stringsFor(site.language);
  const siteLang = langOf(site.language, s.lang);
  const { latest, byKind } = orderedFeeds(model.feeds);
  const all = [...(latest ? [latest] : []), ...KINDS.flatMap((kind) => byKind[kind])];
  const titleOf = (feed: DirectoryFeed) => s.feedTitle(site.siteTitle, feed.name, parseFeedPath(feed.path).kind);

  const autodiscovery = all
    .flatMap((feed) =>
      FORMATS.map(
        (format) =>
          `<link rel="alternate" type="${feedMimeType(format)}" title="${attr(`${titleOf(feed)} (${FORMAT_LABELS[format]})`)}" href="${attr(feedUrl(site, feed.path, format))}">`,
      ),
    )
    .join('\n');

  const headlines =
    model.headlines.length === 0
      ? `<p>${text(s.noHeadlines)}</p>`
      : `<ol class="headlines">\n${model.headlines
          .map(
            (h) =>
              `<li><a href="${attr(h.url)}"${langOf(h.language, s.lang)}>${text(h.title)}</a> <span class="meta"><span${siteLang}>${text(h.section)}</span>, <time datetime="${attr(new Date(h.publishedAt).toISOString())}">${text(displayDate(h.publishedAt, s))}</time></span></li>`,
          )
          .join('\n')}\n</ol>`;

  const kindSection = (kind: (typeof KINDS)[number]) => {
    const feeds = byKind[kind];
    const { heading, none } = s.kinds[kind];
    const body =
      feeds.length === 0
        ? `<p>${text(none)}</p>`
        : `<ul class="feeds">\n${feeds.map((f) => `<li><span class="name"${siteLang}>${text(f.name)}</span> ${feedLinks(site, f, f.name)}</li>`).join('\n')}\n</ul>`;
    return `<section aria-labelledby="${kind}">\n<h2 id="${kind}">${text(heading)}</h2>\n${body}\n</section>`;
  };

  const nav = [
    ['terbaru', s.newest],
    ['semua', s.allNews],
    ...KINDS.map((kind) => [kind, s.kinds[kind].heading] as const),
    ['pembaca', s.readers],
  ]
    .map(([id, label]) => `<li><a href="#${id}">${text(label as string)}</a></li>`)
    .join('\n');

  // One string per line, joined: a template literal with line breaks would survive minification as
  // hundreds of lines in the Lambda bundle.
  return [
    `<!doctype html>`,
    `<html lang="${attr(s.lang)}">`,
    `<head>`,
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${text(s.pageTitle(site.siteTitle))}</title>`,
    `<meta name="description" content="${attr(site.siteDescription)}">`,
    autodiscovery,
    `<link rel="alternate" type="text/x-opml" title="${attr(`${site.siteTitle}: ${s.opml}`)}" href="${attr(`${site.feedsBaseUrl}/${OPML_KEY}`)}">`,
    `<style>`,
    `body{font:1rem/1.5 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:0 1rem;color:#1a1a1a;background:#fff}`,
    `a{color:#0645ad}a:focus{outline:3px solid #ffbf47}`,
    `.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`,
    `.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}`,
    `.meta{color:#555;font-size:.9rem}.headlines li,.feeds li{margin:.4rem 0}.name{font-weight:600;margin-right:.5rem}`,
    `nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}`,
    `</style>`,
    `</head>`,
    `<body>`,
    `<a class="skip" href="#isi">${text(s.skip)}</a>`,
    `<header>`,
    `<h1${siteLang}>${text(site.siteTitle)}</h1>`,
    `<p${siteLang}>${text(site.siteDescription)}</p>`,
    `<nav aria-label="${attr(s.contents)}">`,
    `<ul>`,
    nav,
    `</ul>`,
    `</nav>`,
    `</header>`,
    `<main id="isi">`,
    `<section aria-labelledby="terbaru">`,
    `<h2 id="terbaru">${text(s.newest)}</h2>`,
    headlines,
    `</section>`,
    `<section aria-labelledby="semua">`,
    `<h2 id="semua">${text(s.allNews)}</h2>`,
    `${latest ? `<p>${text(s.allNewsIntro(site.siteTitle))} ${feedLinks(site, latest, s.allNews)}</p>` : `<p>${text(s.noHeadlines)}</p>`}`,
    `</section>`,
    `${KINDS.map(kindSection).join('\n')}`,
    `<section aria-labelledby="pembaca">`,
    `<h2 id="pembaca">${text(s.readers)}</h2>`,
    `<p>${text(s.readersIntro)} <a href="${attr(`${site.feedsBaseUrl}/${OPML_KEY}`)}" type="text/x-opml">${text(s.opml)}</a></p>`,
    `</section>`,
    `</main>`,
    `<footer>`,
    `<p><a href="${attr(site.siteUrl)}"${siteLang}>${text(s.site)}: ${text(site.siteTitle)}</a></p>`,
    `</footer>`,
    `</body>`,
    `</html>`,
    '',
  ].join('\n');
}

/**
 * The OPML 2.0 subscription list (http://opml.org/spec2.opml): one `rss` outline per public feed, in
 * the same order as the page, grouped under sections, topics and authors. `xmlUrl` is the RSS file,
 * the format every reader imports; the head carries no dates, so the bytes change only with the feeds.
 */
export function renderOpml(model: Pick<DiscoveryModel, 'site' | 'feeds'>): string {
  const { site } = model;
  const s = stringsFor(site.language);
  const { latest, byKind } = orderedFeeds(model.feeds);
  const outline = (feed: DirectoryFeed, indent: string) => {
    const title = s.feedTitle(site.siteTitle, feed.name, parseFeedPath(feed.path).kind);
    return `${indent}<outline type="rss" text="${attr(title)}" title="${attr(title)}" xmlUrl="${attr(feedUrl(site, feed.path, 'rss'))}" htmlUrl="${attr(site.siteUrl)}" language="${attr(site.language)}"/>`;
  };
  const groups = KINDS.filter((kind) => byKind[kind].length > 0).map(
    (kind) => `    <outline text="${attr(s.kinds[kind].heading)}">\n${byKind[kind].map((f) => outline(f, '      ')).join('\n')}\n    </outline>`,
  );
  const body = [...(latest ? [outline(latest, '    ')] : []), ...groups].join('\n');
  // One string per line, joined: a template literal with line breaks would survive minification as
  // hundreds of lines in the Lambda bundle.
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<opml version="2.0">`,
    `  <head>`,
    `    <title>${text(`${site.siteTitle}: ${s.opml}`)}</title>`,
    `    <docs>http://opml.org/spec2.opml</docs>`,
    `  </head>`,
    `  <body>`,
    body,
    `  </body>`,
    `</opml>`,
    '',
  ].join('\n');
}

/** Whether a path is the site-wide feed (listed first, titled without a name). */
export const isLatest = (path: string) => path === LATEST_FEED_PATH;
