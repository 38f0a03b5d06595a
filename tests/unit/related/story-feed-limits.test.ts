import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { Article } from '../../../shared/model/article.js';
import { readStories, saveStory, sortMembers } from '../../../shared/related/stories.js';
import { FLOOD_PARAGRAPHS as p, harness, makeArticle, SITE } from './fixtures.js';

const STORY = 'banjir-semarang-1';
const FORMATS = ['rss', 'atom', 'json'] as const;

/** Older reports of the same story, each with a long body, as a newsroom's live coverage piles up. */
function olderReports(count: number): Article[] {
  return Array.from({ length: count }, (_, i) => {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const minute = String(i % 60).padStart(2, '0');
    const hour = String(Math.floor(i / 60) % 24).padStart(2, '0');
    return makeArticle({
      id: `laporan-${String(i).padStart(3, '0')}`,
      title: `Laporan banjir Semarang nomor ${i}: warga bertahan di pengungsian`,
      paragraphs: [...p, ...p].map((x) => `${x} (laporan ${i})`),
      publishedAt: `2024-01-${day}T${hour}:${minute}:00Z`,
    });
  });
}

describe('story feeds', () => {
  test.prop(
    {
      itemLimit: fc.integer({ min: 1, max: 80 }),
      maxBytes: fc.integer({ min: 20_000, max: 400_000 }),
    },
    { numRuns: 6 },
  )('a story of 500 members renders its newest members within the item limit and byte budget of every feed', async ({ itemLimit, maxBytes }) => {
    const h = harness();
    h.deps.site = { ...SITE, feedItemLimit: itemLimit, feedMaxBytes: maxBytes };
    await h.put(makeArticle({ id: STORY, title: 'Banjir rendam ribuan rumah di Semarang', paragraphs: p, publishedAt: '2024-02-07T23:30:00Z' }));
    await h.put(makeArticle({ id: 'banjir-semarang-2', title: 'Ribuan rumah di Semarang terendam banjir usai hujan deras semalam', paragraphs: [p[1], p[0], p[3], p[5]] as string[], publishedAt: '2024-02-08T01:00:00Z' }));
    const [story] = await readStories(h.store, [STORY]);
    expect(story?.members).toHaveLength(2);

    // The story grows to the 500 members a story item keeps.
    const older = olderReports(499);
    h.articles.seed(...older);
    const members = sortMembers([...(story?.members ?? []), ...older.map((a) => ({ id: a.id, title: a.title, url: a.url, publishedAt: a.publishedAt }))]);
    await saveStory(h.store, { id: STORY, foundedAt: story?.foundedAt ?? '', members }, story);
    // The next same-story report republishes the story.
    await h.put(makeArticle({ id: 'banjir-semarang-3', title: 'Sungai Babon meluap, ribuan rumah di Semarang kebanjiran', paragraphs: [p[3], p[0], p[4], p[2]] as string[], publishedAt: '2024-02-08T02:00:00Z' }));
    const [grown] = await readStories(h.store, [STORY]);
    expect(grown?.members).toHaveLength(500);

    const newest = (grown?.members ?? []).map((m) => m.url);
    for (const format of FORMATS) {
      const text = h.publisher.text(`feeds/story/${STORY}.${format}`) ?? '';
      const links =
        format === 'json'
          ? (JSON.parse(text) as { items: { url: string }[] }).items.map((i) => i.url)
          : [...text.matchAll(format === 'rss' ? /<item>[\s\S]*?<link>([^<]*)<\/link>/g : /<entry>[\s\S]*?<link href="([^"]*)"/g)].map((m) => m[1]);
      expect(links.length, format).toBeGreaterThanOrEqual(1);
      expect(links.length, format).toBeLessThanOrEqual(itemLimit);
      // The newest members stay; older ones are left out first.
      expect(links, format).toEqual(newest.slice(0, links.length));
      if (links.length > 1) expect(Buffer.byteLength(text, 'utf8'), format).toBeLessThanOrEqual(maxBytes);
    }
  }, 60_000);
});
