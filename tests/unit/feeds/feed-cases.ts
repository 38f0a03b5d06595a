import type { FeedMeta, RenderOptions } from '../../../shared/feeds/render-feeds.js';
import type { Article } from '../../../shared/model/article.js';
import { makeArticle, makeImage, SAMPLE_SITE_URL } from '../../fixtures/articles.js';

/**
 * Named feed inputs shared by the unit tests and scripts/validate-feeds.sh, which runs the
 * W3C checker over the same cases the tests read back.
 */
export const FEEDS_BASE_URL = 'https://feeds.jurnalpagi.example';

/** Feed meta for one path, with absolute self links under FEEDS_BASE_URL. */
export function makeMeta(path = 'latest', overrides: Partial<FeedMeta> = {}): FeedMeta {
  return {
    path,
    title: 'JurnalPagi – Berita Terkini',
    description: 'Berita terbaru dari JurnalPagi',
    siteUrl: SAMPLE_SITE_URL,
    language: 'id',
    links: {
      rss: `${FEEDS_BASE_URL}/feeds/${path}.rss`,
      atom: `${FEEDS_BASE_URL}/feeds/${path}.atom`,
      json: `${FEEDS_BASE_URL}/feeds/${path}.json`,
    },
    copyright: 'Hak Cipta © JurnalPagi 2024',
    ...overrides,
  };
}

export interface FeedCase {
  name: string;
  meta: FeedMeta;
  articles: Article[];
  options?: RenderOptions;
}

/** Title with XML specials, a CDATA terminator and control characters (U+0001, U+001F, U+007F). */
export const TRICKY_TITLE = 'Harga <BBM> naik 5% & "turun" \u0001lagi ]]> Q&amp;A\u001F\u007F – “kata” kutip';
/** What a reader should see of TRICKY_TITLE: the same text with the control characters removed. */
export const TRICKY_TITLE_CLEAN = 'Harga <BBM> naik 5% & "turun" lagi ]]> Q&amp;A – “kata” kutip';

/** The feed cases the validator must accept with zero errors and zero warnings. */
export function feedCases(): FeedCase[] {
  const sample = makeArticle({ images: [makeImage()] });
  const noImage = makeArticle({ id: 'tanpa-gambar', slug: 'tanpa-gambar', url: `${SAMPLE_SITE_URL}/berita/tanpa-gambar`, publishedAt: '2024-02-07T01:00:00Z', updatedAt: '2024-02-07T01:00:00Z' });
  const withEmail = makeArticle({
    id: 'dengan-email',
    slug: 'dengan-email',
    url: `${SAMPLE_SITE_URL}/berita/dengan-email`,
    authors: [{ name: 'Rina Wulandari', email: 'rina@redaksi.example.com' }],
    updatedAt: '2024-02-07T04:00:00Z',
    images: [makeImage({ url: `${SAMPLE_SITE_URL}/media/foto-tanpa-ekstensi`, caption: undefined, credit: undefined, width: undefined, height: undefined })],
  });
  const noAuthor = makeArticle({ id: 'tanpa-penulis', slug: 'tanpa-penulis', url: `${SAMPLE_SITE_URL}/berita/tanpa-penulis`, authors: [], summary: '' });
  const twoAuthors = makeArticle({
    id: 'dua-penulis',
    slug: 'dua-penulis',
    url: `${SAMPLE_SITE_URL}/berita/dua-penulis`,
    authors: [{ name: 'Agus Salim', email: 'agus@redaksi.example.com' }, { name: 'Siti Zulikha' }],
    publishedAt: '2024-02-06T23:00:00Z',
    updatedAt: '2024-02-06T23:30:00Z',
  });
  const entities = makeArticle({
    id: 'entitas-html',
    slug: 'entitas-html',
    url: `${SAMPLE_SITE_URL}/berita/entitas-html?utm=a&ref=b`,
    title: TRICKY_TITLE,
    summary: 'Ringkasan dengan <tanda> & “kutip”',
    bodyHtml: '<p>Tom &amp; Jerry&nbsp;&#8220;kutip&#8221; &lt;bukan tag&gt; ]]&gt; dan ]]> lagi</p><p><a href="https://jurnalpagi.example/?a=1&amp;b=2">tautan</a> <img src="https://jurnalpagi.example/media/x.png" alt="x"></p>',
    tags: ['A<B', 'Q&A', 'q&a'],
    authors: [{ name: 'Budi & Rekan <Tim>' }],
  });
  const related = new Map([[sample.id, [{ id: noImage.id, title: 'Berita & terkait', url: noImage.url, reason: 'similar' }]]]);
  return [
    { name: 'sample', meta: makeMeta('latest', { hubUrl: 'https://pubsubhubbub.appspot.com/' }), articles: [sample, noImage], options: { relatedLinks: related } },
    { name: 'author-email-and-none', meta: makeMeta('section/politik'), articles: [withEmail, noAuthor, twoAuthors] },
    { name: 'entities', meta: makeMeta('tag/q-dan-a', { title: 'Topik: Q&A <khusus>' }), articles: [entities] },
    { name: 'summary-only', meta: makeMeta('author/siti-zulikha'), articles: [sample, noImage], options: { fullText: false, includeImages: false } },
    { name: 'empty', meta: makeMeta('tag/kosong'), articles: [] },
  ];
}
