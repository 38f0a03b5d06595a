import { describe, expect, it } from 'vitest';
import { readEntries } from '../../../shared/related/related-index.js';
import { updateRelated } from '../../../shared/related/update-related.js';
import { FLOOD_PARAGRAPHS, harness, makeArticle, UNRELATED, type Harness } from './fixtures.js';

const p = FLOOD_PARAGRAPHS;

/** Edited rewrites as another desk would file them: paragraphs dropped, sentences reordered, words swapped. */
const REWRITES = [
  {
    id: 'banjir-semarang-2',
    title: 'Ribuan rumah di Semarang terendam banjir usai hujan deras semalam',
    paragraphs: [p[1], p[0], p[3], p[5]],
  },
  {
    id: 'banjir-semarang-3',
    title: 'Hujan deras semalaman, banjir rendam ribuan rumah warga Semarang',
    paragraphs: [p[2], p[1], p[0]].map((x) => (x as string).replace('merendam', 'menggenangi').replace('warga', 'penduduk')),
  },
  {
    id: 'banjir-semarang-4',
    title: 'Sungai Babon meluap, ribuan rumah di Semarang kebanjiran',
    paragraphs: [p[3], p[0], p[4], p[2]].map((x) => (x as string).replace('terendam', 'tergenang').replace('Rabu pagi', 'Rabu dini hari')),
  },
];

async function loadAll(h: Harness): Promise<void> {
  await h.put(makeArticle({ id: 'banjir-semarang-1', title: 'Banjir rendam ribuan rumah di Semarang', paragraphs: p, publishedAt: '2024-02-07T23:30:00Z' }));
  for (const [i, u] of UNRELATED.entries()) {
    await h.put(makeArticle({ ...u, publishedAt: `2024-02-0${7 - i}T08:00:00Z` }));
  }
  for (const [i, r] of REWRITES.entries()) {
    await h.put(makeArticle({ ...r, paragraphs: r.paragraphs as string[], publishedAt: `2024-02-08T0${1 + i}:00:00Z` }));
  }
}

const FLOOD_IDS = ['banjir-semarang-1', ...REWRITES.map((r) => r.id)];

describe('near-duplicate rewrites of one report', () => {
  it('share one story named after the first report; unrelated articles are in none', async () => {
    const h = harness();
    await loadAll(h);
    const entries = await readEntries(h.store, [...FLOOD_IDS, ...UNRELATED.map((u) => u.id)]);
    for (const id of FLOOD_IDS) expect(entries.get(id)?.storyId, id).toBe('banjir-semarang-1');
    for (const u of UNRELATED) expect(entries.get(u.id)?.storyId, u.id).toBeUndefined();

    const story = JSON.parse(h.publisher.text('stories/banjir-semarang-1.json') as string);
    expect(story.articles.map((a: { id: string }) => a.id)).toEqual([...FLOOD_IDS.slice(1)].reverse().concat('banjir-semarang-1'));
    expect(story.title).toBe('Banjir rendam ribuan rumah di Semarang');
    expect(h.publisher.text('feeds/story/banjir-semarang-1.rss')).toContain('Ribuan rumah di Semarang terendam banjir');
    expect(h.publisher.objects.get('feeds/story/banjir-semarang-1.json')?.options.contentType).toBe('application/feed+json; charset=utf-8');
    expect(await h.publisher.list('stories/')).toEqual(['stories/banjir-semarang-1.json']);
  });

  it('lists the other reports first as same-story, never an unrelated article as same-story', async () => {
    const h = harness();
    await loadAll(h);
    for (const id of FLOOD_IDS) {
      const doc = h.related(id);
      const sameStory = doc?.related.filter((r) => r.reason === 'same-story').map((r) => r.id);
      expect(new Set(sameStory), id).toEqual(new Set(FLOOD_IDS.filter((x) => x !== id)));
      expect(doc?.related.slice(0, 3).every((r) => r.reason === 'same-story')).toBe(true);
    }
    for (const u of UNRELATED) {
      const doc = h.related(u.id);
      expect(doc?.related.some((r) => r.reason === 'same-story')).toBe(false);
      expect(doc?.related.some((r) => FLOOD_IDS.includes(r.id as string) && (r.score ?? 0) > 0.2)).toBe(false);
    }
    const published = h.publisher.objects.get('related/banjir-semarang-1.json');
    expect(published?.options).toEqual({ contentType: 'application/json; charset=utf-8', cacheControl: 'public, max-age=300' });
  });

  it('the first report, indexed before its rewrites, gets them through the bounded fan-out', async () => {
    const h = harness();
    await loadAll(h);
    const first = h.related('banjir-semarang-1');
    expect(first?.related.filter((r) => r.reason === 'same-story')).toHaveLength(3);
  });

  it('is idempotent: a second run writes and deletes nothing, index and documents unchanged', async () => {
    const h = harness();
    await loadAll(h);
    const ids = [...FLOOD_IDS, ...UNRELATED.map((u) => u.id)];
    const before = h.store.usage().itemsWritten;
    const snapshot = new Map([...h.publisher.objects].map(([k, v]) => [k, String(v.body)]));
    const again = await updateRelated(h.deps, ids);
    expect(again).toEqual({ written: [], deleted: [] });
    expect(h.store.usage().itemsWritten).toBe(before);
    expect(new Map([...h.publisher.objects].map(([k, v]) => [k, String(v.body)]))).toEqual(snapshot);
  });

  it('a withdrawn article leaves every related list, its story, and loses its own list', async () => {
    const h = harness();
    await loadAll(h);
    const gone = 'banjir-semarang-3';
    const article = await h.articles.get(gone);
    const result = await h.put({ ...(article as NonNullable<typeof article>), status: 'withdrawn' });
    expect(result.deleted).toContain(`related/${gone}.json`);
    for (const key of await h.publisher.list('related/')) {
      expect(h.publisher.text(key), key).not.toContain(gone);
    }
    expect(h.publisher.text('stories/banjir-semarang-1.json')).not.toContain(gone);
    expect(h.publisher.text('feeds/story/banjir-semarang-1.atom')).not.toContain(gone);
    expect((await readEntries(h.store, [gone])).size).toBe(0);
    expect(await updateRelated(h.deps, [gone])).toEqual({ written: [], deleted: [] });
  });

  it('an edited title reaches every list and story that shows the article; counters stay consistent', async () => {
    const h = harness();
    await loadAll(h);
    const stats = async () => (await h.store.getItems([{ pk: 'RSTATS', sk: 'S' }]))[0]?.documents;
    expect(await stats()).toBe(FLOOD_IDS.length + UNRELATED.length);
    const edited = await h.articles.get('banjir-semarang-2');
    const newTitle = 'Banjir Semarang: ribuan rumah terendam, warga mengungsi ke masjid';
    await h.put({ ...(edited as NonNullable<typeof edited>), title: newTitle, contentHash: 'f'.repeat(64) });
    for (const id of FLOOD_IDS.filter((x) => x !== 'banjir-semarang-2')) {
      const entry = h.related(id)?.related.find((r) => r.id === 'banjir-semarang-2');
      expect(entry?.title, id).toBe(newTitle);
    }
    expect(h.publisher.text('stories/banjir-semarang-1.json')).toContain(newTitle);
    expect(await stats()).toBe(FLOOD_IDS.length + UNRELATED.length);
  });

  it('a story dissolves when withdrawals leave one article, and its documents are deleted', async () => {
    const h = harness();
    await loadAll(h);
    for (const id of FLOOD_IDS.slice(1)) {
      const a = await h.articles.get(id);
      await h.put({ ...(a as NonNullable<typeof a>), status: 'withdrawn' });
    }
    expect(await h.publisher.list('stories/')).toEqual([]);
    expect(await h.publisher.list('feeds/story/')).toEqual([]);
    expect((await readEntries(h.store, ['banjir-semarang-1'])).get('banjir-semarang-1')?.storyId).toBeUndefined();
  });
});
