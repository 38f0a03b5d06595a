import { systemClock } from '../../../shared/ports.js';
import { describe, expect, it } from 'vitest';
import { SiteConfigSchema } from '../../../shared/config/load-config.js';
import { renderFeeds } from '../../../shared/feeds/render-feeds.js';
import {
  PARTNER_CACHE_CONTROL,
  rebuildAllPartnerOutputs,
  rebuildPartnerOutputs,
  type PartnerOutputDeps,
} from '../../../shared/partners/build-partner-outputs.js';
import { InMemoryArticleRepository, InMemoryPartnerDeliveries, InMemoryPartnerRepository, InMemoryObjectPublisher, makeArticle, makePartner } from './in-memory.js';

const site = SiteConfigSchema.parse({
  siteUrl: 'https://jurnalpagi.example',
  siteTitle: 'JurnalPagi',
  siteDescription: 'Berita pagi',
  feedsBaseUrl: 'https://feeds.jurnalpagi.example',
});

function setup() {
  const articles = new InMemoryArticleRepository();
  const partners = new InMemoryPartnerRepository();
  const publisher = new InMemoryObjectPublisher();
  const deliveries = new InMemoryPartnerDeliveries();
  const deps: PartnerOutputDeps = { articles, partners, publisher, deliveries, render: renderFeeds, site, itemLimit: 3, clock: systemClock };
  return { articles, partners, publisher, deps };
}

describe('rebuildPartnerOutputs', () => {
  it('builds a partner feed from licensed sections and tags only, merged newest first and cut to the limit', async () => {
    const { articles, partners, publisher, deps } = setup();
    await partners.put(makePartner({ id: 'acme', sections: ['Politik'], tags: ['Sepak Bola'], formats: ['rss', 'json'], fullText: true }));
    const politik = makeArticle({ id: 'politik-1', publishedAt: '2024-02-07T08:00:00.000Z' });
    const bola = makeArticle({ id: 'bola-1', section: 'Olahraga', tags: ['Sepak Bola'], publishedAt: '2024-02-07T09:00:00.000Z' });
    const ekonomi = makeArticle({ id: 'ekonomi-1', section: 'Ekonomi', tags: ['Rupiah'], publishedAt: '2024-02-07T10:00:00.000Z' });
    const both = makeArticle({ id: 'both-1', section: 'Politik', tags: ['Sepak Bola'], publishedAt: '2024-02-06T10:00:00.000Z' });
    const old = makeArticle({ id: 'politik-old', publishedAt: '2024-02-01T10:00:00.000Z' });
    for (const a of [politik, bola, ekonomi, both, old]) articles.seed(a);

    const result = await rebuildPartnerOutputs(deps, ['politik-1']);

    const json = publisher.json('partners/acme/feed.json') as { items: { id: string; content_html?: string }[] };
    expect(json.items.map((i) => i.id.split(':').pop())).toEqual(['bola-1', 'politik-1', 'both-1']);
    expect(json.items[0]?.content_html).toContain('Isi berita');
    expect(publisher.objects.has('partners/acme/feed.rss')).toBe(true);
    expect(publisher.objects.has('partners/acme/feed.atom')).toBe(false);
    expect(publisher.objects.get('partners/acme/feed.rss')?.options).toEqual({
      contentType: 'application/rss+xml; charset=utf-8',
      cacheControl: PARTNER_CACHE_CONTROL,
    });
    // First build of the partner: ninjs for everything listed, nothing for the unlicensed article.
    expect(await publisher.list('partners/acme/ninjs/')).toEqual([
      'partners/acme/ninjs/bola-1.json',
      'partners/acme/ninjs/both-1.json',
      'partners/acme/ninjs/politik-1.json',
    ]);
    expect(publisher.json('partners/acme/index.json')).toEqual({
      partner: 'acme',
      name: 'ACME',
      feeds: { rss: 'feed.rss', json: 'feed.json' },
      ninjs: ['ninjs/bola-1.json', 'ninjs/politik-1.json', 'ninjs/both-1.json'],
    });
    expect(result.written).toContain('partners/acme/ninjs/politik-1.json');
    expect(result.deleted).toEqual([]);
  });

  it('leaves partners untouched by a change to an article they do not license', async () => {
    const { articles, partners, publisher, deps } = setup();
    await partners.put(makePartner({ id: 'acme', sections: ['Politik'] }));
    articles.seed(makeArticle({ id: 'politik-1' }));
    await rebuildPartnerOutputs(deps, ['politik-1']);
    articles.seed(makeArticle({ id: 'ekonomi-1', section: 'Ekonomi', tags: [] }));
    const result = await rebuildPartnerOutputs(deps, ['ekonomi-1']);
    expect(result).toEqual({ written: [], deleted: [] });
    expect(publisher.objects.has('partners/acme/ninjs/ekonomi-1.json')).toBe(false);
  });

  it('drops a withdrawn article from the feed in the same build and keeps its ninjs as canceled', async () => {
    const { articles, partners, publisher, deps } = setup();
    await partners.put(makePartner({ id: 'acme', sections: ['Politik'], formats: ['json'], fullText: true }));
    articles.seed(makeArticle({ id: 'politik-1' }));
    articles.seed(makeArticle({ id: 'politik-2', publishedAt: '2024-02-07T07:00:00.000Z' }));
    await rebuildPartnerOutputs(deps, ['politik-1', 'politik-2']);
    expect((publisher.json('partners/acme/ninjs/politik-1.json') as { pubstatus: string }).pubstatus).toBe('usable');

    articles.seed(makeArticle({ id: 'politik-1', status: 'withdrawn', version: 2 }));
    const result = await rebuildPartnerOutputs(deps, ['politik-1']);

    const feed = publisher.json('partners/acme/feed.json') as { items: { id: string }[] };
    expect(feed.items.map((i) => i.id.split(':').pop())).toEqual(['politik-2']);
    const ninjs = publisher.json('partners/acme/ninjs/politik-1.json') as { pubstatus: string; version: string; bodies: unknown[] };
    expect(ninjs).toMatchObject({ pubstatus: 'canceled', version: '2', bodies: [] });
    expect(result.written).toEqual(expect.arrayContaining(['partners/acme/feed.json', 'partners/acme/ninjs/politik-1.json']));
  });

  it('removes the ninjs of an article moved out of the licence', async () => {
    const { articles, partners, publisher, deps } = setup();
    await partners.put(makePartner({ id: 'acme', sections: ['Politik'] }));
    articles.seed(makeArticle({ id: 'a-1', tags: [] }));
    await rebuildPartnerOutputs(deps, ['a-1']);
    expect(publisher.objects.has('partners/acme/ninjs/a-1.json')).toBe(true);
    articles.seed(makeArticle({ id: 'a-1', section: 'Hukum', tags: [], version: 2 }));
    const result = await rebuildPartnerOutputs(deps, ['a-1']);
    expect(result.deleted).toEqual(['partners/acme/ninjs/a-1.json']);
    expect((publisher.json('partners/acme/index.json') as { ninjs: string[] }).ninjs).toEqual([]);
  });

  it('empties a suspended partner prefix and rebuilds it in full on reactivation', async () => {
    const { articles, partners, publisher, deps } = setup();
    const acme = makePartner({ id: 'acme', sections: ['Politik'] });
    await partners.put(acme);
    await partners.put(makePartner({ id: 'globex', sections: ['Politik'] }));
    articles.seed(makeArticle({ id: 'a-1' }));
    await rebuildPartnerOutputs(deps, ['a-1']);
    expect(await publisher.list('partners/acme/')).not.toEqual([]);

    await partners.put({ ...acme, status: 'suspended' });
    const suspended = await rebuildAllPartnerOutputs(deps, ['acme']);
    expect(await publisher.list('partners/acme/')).toEqual([]);
    expect(suspended.deleted).toContain('partners/acme/feed.rss');
    expect(await publisher.list('partners/globex/')).not.toEqual([]);

    await partners.put(acme);
    articles.seed(makeArticle({ id: 'ekonomi-1', section: 'Ekonomi', tags: [] }));
    // Any later build notices the missing index and restores everything.
    await rebuildPartnerOutputs(deps, ['ekonomi-1']);
    expect(await publisher.list('partners/acme/')).toEqual([
      'partners/acme/feed.atom',
      'partners/acme/feed.json',
      'partners/acme/feed.rss',
      'partners/acme/index.json',
      'partners/acme/ninjs/a-1.json',
    ]);
  });

  it('keeps summaries only and no images when the licence excludes full text and images', async () => {
    const { articles, partners, publisher, deps } = setup();
    await partners.put(makePartner({ id: 'acme', sections: ['Politik'], formats: ['json'], fullText: false, images: false }));
    articles.seed(makeArticle({ id: 'a-1', images: [{ url: 'https://img.jurnalpagi.example/a.jpg', width: 800, height: 450 }] }));
    await rebuildPartnerOutputs(deps, ['a-1']);
    const feed = publisher.json('partners/acme/feed.json') as { items: Record<string, unknown>[] };
    expect(feed.items[0]?.content_html).toBeUndefined();
    expect(feed.items[0]?.image).toBeUndefined();
    const ninjs = publisher.json('partners/acme/ninjs/a-1.json') as Record<string, unknown>;
    expect(ninjs.bodies).toEqual([]);
    expect(ninjs.renditions).toBeUndefined();
    expect(ninjs.representationtype).toBe('partial');
  });

  it('deletes a feed format the licence no longer covers', async () => {
    const { articles, partners, publisher, deps } = setup();
    const acme = makePartner({ id: 'acme', sections: ['Politik'], formats: ['rss', 'atom'] });
    await partners.put(acme);
    articles.seed(makeArticle({ id: 'a-1' }));
    await rebuildPartnerOutputs(deps, ['a-1']);
    await partners.put({ ...acme, formats: ['rss'] });
    const result = await rebuildAllPartnerOutputs(deps);
    expect(result.deleted).toEqual(['partners/acme/feed.atom']);
    expect(publisher.objects.has('partners/acme/feed.atom')).toBe(false);
  });

  it('writes nothing when rebuilt twice with no change', async () => {
    const { articles, partners, deps } = setup();
    await partners.put(makePartner({ id: 'acme', sections: ['Politik'] }));
    articles.seed(makeArticle({ id: 'a-1' }));
    await rebuildPartnerOutputs(deps, ['a-1']);
    expect(await rebuildPartnerOutputs(deps, ['a-1'])).toEqual({ written: [], deleted: [] });
  });
});
