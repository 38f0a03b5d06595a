import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { Article } from '../../../shared/model/article.js';
import { InMemoryArticleRepository } from '../../../shared/storage/in-memory-adapters.js';

// Any text (two-byte and astral characters too), optional members present, absent or set to undefined:
// the repository keeps articles as serialized bytes, and each must read back exactly as it was stored.
const text = fc.string({ unit: 'grapheme', maxLength: 30 });
const article = fc.record(
  {
    id: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,12}$/),
    slug: fc.constant('berita'),
    url: fc.constant('https://jurnalpagi.example/berita'),
    title: text,
    summary: text,
    bodyHtml: text.map((t) => `<p>${t}</p>`),
    bodyText: text,
    section: text,
    tags: fc.array(text, { maxLength: 4 }),
    authors: fc.array(fc.record({ name: text, email: fc.constant('rina@jurnalpagi.example') }, { requiredKeys: ['name'] }), { maxLength: 3 }),
    language: fc.constantFrom('id', 'en'),
    images: fc.array(fc.record({ url: fc.constant('https://img.example/a.jpg'), caption: text, width: fc.nat() }, { requiredKeys: ['url'] }), { maxLength: 2 }),
    relatedHeadlines: fc.constant<Article['relatedHeadlines']>([]),
    copyright: fc.option(text, { nil: undefined }),
    correction: fc.option(text, { nil: undefined }),
    publishedAt: fc.constant('2024-02-07T02:30:00.000Z'),
    updatedAt: fc.constant('2024-02-07T03:00:00.000Z'),
    status: fc.constantFrom('published', 'withdrawn'),
    version: fc.integer({ min: 1, max: 50 }),
    contentHash: fc.stringMatching(/^[0-9a-f]{8}$/),
  },
  { requiredKeys: ['id', 'slug', 'url', 'title', 'summary', 'bodyHtml', 'bodyText', 'section', 'tags', 'authors', 'language', 'images', 'relatedHeadlines', 'publishedAt', 'updatedAt', 'status', 'version', 'contentHash'] },
)
  // fast-check builds records without a prototype; stored articles are plain objects.
  .map((a) => structuredClone(a)) as fc.Arbitrary<Article>;

describe('InMemoryArticleRepository', () => {
  test.prop([fc.uniqueArray(article, { selector: (a) => a.id, minLength: 1, maxLength: 8 }), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 })])(
    'reads every article back exactly as stored, in the order asked, skipping unknown ids',
    async (articles, unknown) => {
      const repository = new InMemoryArticleRepository({ now: () => new Date('2024-03-01T00:00:00Z') });
      repository.seed(...articles);
      for (const a of articles) expect(await repository.get(a.id)).toStrictEqual(a);
      const ids = [...articles.map((a) => a.id)].reverse();
      const asked = [...ids, ...unknown.filter((id) => !ids.includes(id))];
      expect(await repository.getMany(asked)).toStrictEqual([...articles].reverse());
    },
  );

  test.prop([article, text])('get hands out copies and getMany frozen articles: neither changes what is stored', async (a, change) => {
    const repository = new InMemoryArticleRepository({ now: () => new Date('2024-03-01T00:00:00Z') });
    const stored = structuredClone(a);
    repository.seed(stored);
    stored.tags.push(change);
    stored.title = `${stored.title}${change}x`;
    const read = (await repository.get(a.id)) as Article;
    read.authors.push({ name: change });
    read.bodyHtml = `${read.bodyHtml}x`;
    const [again] = await repository.getMany([a.id]);
    expect(() => again?.images.push({ url: 'https://img.example/b.jpg' })).toThrow(TypeError);
    expect(() => Object.assign(again as Article, { title: change })).toThrow(TypeError);
    expect(await repository.get(a.id)).toStrictEqual(a);
  });

  test.prop([article, fc.integer({ min: 1, max: 3 })])(
    'getMany reuses the article it holds at the version the listing names, and reads a newer one after a save',
    async (a, edits) => {
      const repository = new InMemoryArticleRepository({ now: () => new Date('2100-01-01T00:00:00Z') });
      const published = { ...a, status: 'published' as const, publishedAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' };
      repository.seed(published);
      const listed = async () => {
        const keys = await repository.listingKeys('latest', {});
        return new Map(keys.map((k) => [k.articleId, k.articleVersion as number]));
      };
      expect(await listed()).toStrictEqual(new Map([[a.id, a.version]]));
      const [first] = await repository.getMany([a.id], await listed());
      const [second] = await repository.getMany([a.id], await listed());
      expect(second).toBe(first);
      let version = a.version;
      for (let i = 1; i <= edits; i++) version = await repository.save({ ...published, title: `${a.title} ${i}`, updatedAt: `2024-01-0${i + 1}T00:00:00.000Z` }, version);
      expect(await listed()).toStrictEqual(new Map([[a.id, version]]));
      const [after] = await repository.getMany([a.id], await listed());
      expect(after).not.toBe(first);
      expect(after?.title).toBe(`${a.title} ${edits}`);
      expect(after?.version).toBe(version);
    },
  );

  test.prop([article, fc.integer({ min: 1, max: 3 })])('save bumps the version of what it read, and refuses a stale expected version', async (a, edits) => {
    const repository = new InMemoryArticleRepository({ now: () => new Date('2024-03-01T00:00:00Z') });
    expect(await repository.save(a, undefined)).toBe(a.version);
    let version = a.version;
    for (let i = 1; i <= edits; i++) {
      version = await repository.save({ ...a, title: `${a.title} ${i}` }, version);
      expect(version).toBe(a.version + i);
    }
    expect((await repository.get(a.id))?.title).toBe(`${a.title} ${edits}`);
    await expect(repository.save({ ...a, title: 'lama' }, a.version - 1)).rejects.toThrow(/version/);
  });
});
