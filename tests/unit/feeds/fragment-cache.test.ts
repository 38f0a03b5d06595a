import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { renderWithinBudget } from '../../../shared/feeds/feed-budget.js';
import { entryDigest, entryFragments, FragmentCache, largestDocument, type FragmentUse } from '../../../shared/feeds/fragment-cache.js';
import type { FeedEntry } from '../../../shared/feeds/feed-entry.js';
import { renderFeeds, type RenderedFeeds } from '../../../shared/feeds/render-feeds.js';
import type { Article } from '../../../shared/model/article.js';
import { freezeArticle } from '../../../shared/model/frozen-article.js';
import { feedCases, makeMeta } from './feed-cases.js';

const ARTICLES: Article[] = [...new Map(feedCases().flatMap((c) => c.articles).map((a) => [a.id, a])).values()];

/** A change to one article that any of the three formats shows (a stale cached fragment would keep the old text). */
const edit = fc.record({
  article: fc.nat({ max: ARTICLES.length - 1 }),
  field: fc.constantFrom('title', 'summary', 'bodyHtml', 'updatedAt', 'tags', 'authors', 'url'),
  text: fc.string({ minLength: 1, maxLength: 12 }),
});

function applyEdit(articles: readonly Article[], e: { article: number; field: string; text: string }): Article[] {
  return articles.map((a, i) => {
    if (i !== e.article) return a;
    switch (e.field) {
      case 'title':
        return { ...a, title: `${a.title} ${e.text}` };
      case 'summary':
        return { ...a, summary: `${a.summary} ${e.text}` };
      case 'bodyHtml':
        return { ...a, bodyHtml: `${a.bodyHtml}<p>${e.text.replace(/[<&]/g, '')}</p>` };
      case 'updatedAt':
        return { ...a, updatedAt: new Date(Date.parse(a.updatedAt) + 60_000 * (e.text.length + 1)).toISOString() };
      case 'tags':
        return { ...a, tags: [...a.tags, `tag ${e.text}`] };
      case 'authors':
        return { ...a, authors: [...a.authors, { name: `Penulis ${e.text}` }] };
      default:
        return { ...a, url: `${a.url}?v=${encodeURIComponent(e.text)}` };
    }
  });
}

const options = fc.record({
  fullText: fc.boolean(),
  includeImages: fc.boolean(),
  related: fc.boolean(),
  archive: fc.boolean(),
});

function render(articles: readonly Article[], o: { fullText: boolean; includeImages: boolean; related: boolean; archive: boolean }): RenderedFeeds {
  const first = articles[0];
  const relatedLinks = o.related && first ? new Map([[first.id, [{ id: 'lain', title: 'Terkait & lain', url: 'https://jurnalpagi.example/lain', reason: 'similar' }]]]) : undefined;
  const links = { rss: 'https://feeds.example/a/1.rss', atom: 'https://feeds.example/a/1.atom', json: 'https://feeds.example/a/1.json' };
  const meta = makeMeta('latest', o.archive ? { archive: { current: links, nextArchive: links } } : {});
  return renderFeeds(meta, articles, { fullText: o.fullText, includeImages: o.includeImages, ...(relatedLinks ? { relatedLinks } : {}) });
}

describe('rendered entry fragments', () => {
  test.prop([fc.array(fc.tuple(fc.subarray(ARTICLES), edit, options), { minLength: 1, maxLength: 6 })], { numRuns: 60 })(
    'a document assembled from cached fragments is byte for byte the one rendered from an empty cache, whatever was rendered before',
    (steps) => {
      entryFragments.clear();
      for (const [subset, change, o] of steps) {
        const articles = applyEdit(subset.length > 0 ? subset : ARTICLES, change);
        const warm = render(articles, o);
        entryFragments.clear();
        const cold = render(articles, o);
        expect(warm).toEqual(cold);
        // The recorded size is the real UTF-8 size of the largest document.
        expect(largestDocument(warm)).toBe(Math.max(...Object.values(warm).map((t) => Buffer.byteLength(t, 'utf8'))));
        // Leave the cache warm with this step's fragments for the next step.
        render(articles, o);
      }
    },
  );

  test.prop([fc.integer({ min: 10_000, max: 60_000 })], { numRuns: 10 })(
    'the byte budget sees the same sizes as a measurement of the text',
    (maxBytes) => {
      const articles = Array.from({ length: 20 }, (_, i) => ({ ...(ARTICLES[i % ARTICLES.length] as Article), id: `a-${i}` }));
      const rendered = renderWithinBudget(articles, (entries) => renderFeeds(makeMeta(), entries), maxBytes);
      const largest = Math.max(...Object.values(rendered).map((t) => Buffer.byteLength(t, 'utf8')));
      const items = (rendered.json.match(/"id": "tag:/g) ?? []).length;
      expect(largest <= maxBytes || items === 1).toBe(true);
      if (items < articles.length) {
        const oneMore = renderFeeds(makeMeta(), articles.slice(0, items + 1));
        expect(Math.max(...Object.values(oneMore).map((t) => Buffer.byteLength(t, 'utf8')))).toBeGreaterThan(maxBytes);
      }
    },
  );

  test.prop([fc.array(fc.tuple(fc.nat({ max: 30 }), fc.string({ maxLength: 40 })), { maxLength: 200 }), fc.integer({ min: 1, max: 200 })])(
    'the cache holds at most its byte bound and renders again what it dropped',
    (requests, bound) => {
      const cache = new FragmentCache(bound);
      let renders = 0;
      for (const [key, text] of requests) {
        const [got] = cache.getAll([String(key)], () => {
          renders += 1;
          return [`${key}:${text}`];
        });
        expect(got?.utf8.toString('utf8')).toMatch(new RegExp(`^${key}:`));
        expect(cache.heldBytes).toBeLessThanOrEqual(bound);
      }
      expect(renders).toBe(cache.misses);
      expect(cache.hits + cache.misses).toBe(requests.length);
    },
  );

  test.prop(
    [
      fc.uniqueArray(fc.nat({ max: 40 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.tuple(fc.constantFrom<FragmentUse>('archive', 'current'), fc.nat({ max: 60 })), { maxLength: 300 }),
    ],
    { numRuns: 100 },
  )('archive pages never push out the fragments of subscription documents, and each tier keeps to its bound', (subscription, requests) => {
    const text = (key: number) => `${key}:${'x'.repeat(key % 7)}`;
    const currentBound = 8 * 10;
    const archiveBound = 25;
    const cache = new FragmentCache(currentBound, archiveBound);
    const renderAll = (keys: readonly number[], use: FragmentUse) =>
      cache.getAll(keys.map(String), (missing) => missing.map((i) => text(keys[i] as number)), use).map((f) => f.utf8.toString('utf8'));
    expect(renderAll(subscription, 'current')).toStrictEqual(subscription.map(text));
    const warmMisses = cache.misses;
    for (const [use, key] of requests) {
      // Archive pages and other subscription documents: other keys only, so the subscription's fit in the current tier.
      if (use === 'current' && !subscription.includes(key)) continue;
      expect(renderAll([key], use)).toStrictEqual([text(key)]);
      expect(cache.heldByUse.current).toBeLessThanOrEqual(currentBound);
      expect(cache.heldByUse.archive).toBeLessThanOrEqual(archiveBound);
    }
    const missesBefore = cache.misses;
    expect(renderAll(subscription, 'current')).toStrictEqual(subscription.map(text));
    expect(cache.misses).toBe(missesBefore);
    expect(warmMisses).toBe(subscription.length);
  });

  // Pieces that could blur where one field ends and the next begins if the digest joined them carelessly.
  const piece = fc.constantFrom('', 'a', '\n', '"', '}', '{"x":1}', '\n{"a":"b"}', '“é”', '\\');
  const text = fc.array(piece, { maxLength: 4 }).map((p) => p.join(''));
  const feedEntry: fc.Arbitrary<FeedEntry> = fc.record({
    articleId: fc.constantFrom('a', 'b'),
    id: fc.constant('tag:jurnalpagi.example,2024:article:a'),
    url: fc.constant('https://jurnalpagi.example/a'),
    title: text,
    summary: text,
    contentHtml: fc.option(text, { nil: undefined }),
    categories: fc.array(text, { maxLength: 2 }),
    authors: fc.array(fc.record({ name: text }), { maxLength: 2 }),
    language: fc.constant('id'),
    published: fc.constantFrom(new Date('2024-02-07T02:30:00Z'), new Date('2024-02-08T02:30:00Z')),
    updated: fc.constant(new Date('2024-02-09T00:00:00Z')),
    leadImage: fc.constant(undefined),
    related: fc.constant([]),
  });

  test.prop([fc.array(feedEntry, { minLength: 2, maxLength: 12 })])(
    'two entries share a fragment key exactly when they show the same thing',
    (generated) => {
      // Each entry also without HTML, with empty HTML, and with text moved between its HTML and its title.
      const entries = generated.flatMap((e) => [
        e,
        { ...e, contentHtml: undefined },
        { ...e, contentHtml: '' },
        { ...e, title: `${e.title}${e.contentHtml ?? ''}`, contentHtml: '' },
      ]);
      for (const a of entries) {
        for (const b of entries) {
          // JSON.stringify leaves an undefined member out, so an entry without HTML differs from one with empty HTML.
          expect(entryDigest(a) === entryDigest(b)).toBe(JSON.stringify(a) === JSON.stringify(b));
        }
      }
    },
  );

  // Article text that looks like the markup the renderer cuts entries at, inside and around CDATA.
  const trap = fc.constantFrom('</item>', '</entry>', '\n        <item>', '<![CDATA[', ']]>', '“kutip”', 'a & b', '<p>teks</p>');
  const trappedArticle = fc
    .record({
      base: fc.nat({ max: ARTICLES.length - 1 }),
      title: fc.array(trap, { maxLength: 3 }),
      body: fc.array(trap, { minLength: 1, maxLength: 6 }),
      paragraphs: fc.nat({ max: 40 }),
    })
    .map(({ base, title, body, paragraphs }) => ({ base, title: title.join(' '), body: body.join(''), paragraphs }));

  test.prop([fc.array(trappedArticle, { minLength: 1, maxLength: 30 }), options])(
    'entries rendered together, as the cache renders what it misses, are byte for byte the entries rendered one by one',
    (specs, o) => {
      const articles = specs.map((spec, i) => {
        const a = ARTICLES[spec.base] as Article;
        // Long bodies too, so that entries are split into several groups.
        const filler = '<p>Presiden menegaskan pentingnya pengendalian inflasi – “kata dia”.</p>'.repeat(spec.paragraphs);
        return { ...a, id: `artikel-${i}`, title: `${a.title} ${spec.title}`, bodyHtml: `<p>${spec.body}</p>${filler}` };
      });
      // Related links for every other article, the same whichever document it is rendered in.
      const relatedLinks = new Map(
        articles.filter((_, i) => o.related && i % 2 === 0).map((a) => [a.id, [{ id: 'lain', title: 'Terkait </item> & lain', url: 'https://jurnalpagi.example/lain' }]]),
      );
      const renderAll = (list: readonly Article[]) => renderFeeds(makeMeta(), list, { fullText: o.fullText, includeImages: o.includeImages, relatedLinks });
      entryFragments.clear();
      const together = renderAll(articles);
      entryFragments.clear();
      for (const article of articles) renderAll([article]);
      const misses = entryFragments.misses;
      const oneByOne = renderAll(articles);
      expect(entryFragments.misses).toBe(misses);
      expect(together).toEqual(oneByOne);
    },
  );

  test.prop(
    [
      fc.array(
        fc.record({ subset: fc.subarray(ARTICLES, { minLength: 1 }), options, relatedTitle: fc.constantFrom('Terkait', 'Terkait & lain', 'Lain </item>'), siteUrl: fc.constantFrom('https://a.example', 'https://b.example') }),
        { minLength: 1, maxLength: 8 },
      ),
    ],
    { numRuns: 60 },
  )('shared articles, whose entries are remembered, render exactly what copies of them render, whatever was rendered before', (steps) => {
    // One frozen copy per article for the whole run, as an article cache keeps it across builds.
    const shared = new Map(ARTICLES.map((a) => [a.id, freezeArticle(structuredClone(a))]));
    for (const { subset, options: o, relatedTitle, siteUrl } of steps) {
      const relatedLinks = o.related ? new Map(subset.slice(0, 2).map((a) => [a.id, [{ id: 'lain', title: relatedTitle, url: `${siteUrl}/lain` }]])) : undefined;
      const renderWith = (list: readonly Article[]) =>
        renderFeeds({ ...makeMeta(), siteUrl }, list, { fullText: o.fullText, includeImages: o.includeImages, ...(relatedLinks ? { relatedLinks } : {}) });
      const fromShared = renderWith(subset.map((a) => shared.get(a.id) as Article));
      entryFragments.clear();
      expect(fromShared).toEqual(renderWith(subset.map((a) => structuredClone(a))));
    }
  });
});
