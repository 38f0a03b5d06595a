import { describe, expect, it } from 'vitest';
import { renderFeeds } from '../../../shared/feeds/render-feeds.js';
import { SiteConfigSchema } from '../../../shared/config/load-config.js';
import { feedMetaFor, renderWithinBudget } from '../../../shared/usecases/build-feeds.js';
import { makeArticle } from '../../fixtures/articles.js';

const site = SiteConfigSchema.parse({
  siteUrl: 'https://jurnalpagi.example',
  siteTitle: 'JurnalPagi',
  siteDescription: 'Berita terkini',
  feedsBaseUrl: 'https://feeds.jurnalpagi.example',
});

/** Twenty articles of about 12 KB of body each, newest first. */
const articles = Array.from({ length: 20 }, (_, i) =>
  makeArticle({
    id: `panjang-${i}`,
    slug: `panjang-${i}`,
    title: `Laporan panjang nomor ${i} tentang anggaran daerah`,
    bodyHtml: `<p>${`Anggaran daerah dibahas panjang lebar oleh dewan. `.repeat(240)}</p>`,
    publishedAt: new Date(Date.UTC(2024, 1, 20, 12) - i * 3_600_000).toISOString(),
    updatedAt: new Date(Date.UTC(2024, 1, 20, 12) - i * 3_600_000).toISOString(),
  }),
);
const render = (entries: readonly (typeof articles)[number][]) => renderFeeds(feedMetaFor('latest', entries, site), entries);

describe('feed byte budget', () => {
  it('keeps every entry when the feed fits', () => {
    const rendered = renderWithinBudget(articles, render, 2_000_000);
    expect(rendered.rss).toBe(render(articles).rss);
  });

  it('drops the oldest entries until every format fits, keeping the newest', () => {
    const rendered = renderWithinBudget(articles, render, 100_000);
    for (const text of Object.values(rendered)) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(100_000);
    const ids = (JSON.parse(rendered.json) as { items: { id: string }[] }).items.map((i) => i.id.split(':article:')[1]);
    expect(ids.length).toBeGreaterThan(1);
    expect(ids.length).toBeLessThan(articles.length);
    expect(ids).toEqual(articles.slice(0, ids.length).map((a) => a.id));
    // As many entries as fit: one more would not.
    const oneMore = render(articles.slice(0, ids.length + 1));
    expect(Math.max(...Object.values(oneMore).map((t) => Buffer.byteLength(t)))).toBeGreaterThan(100_000);
  });

  it('always keeps the newest entry, even alone over the budget', () => {
    const rendered = renderWithinBudget(articles, render, 10_000);
    expect((JSON.parse(rendered.json) as { items: unknown[] }).items).toHaveLength(1);
  });
});
