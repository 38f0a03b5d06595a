import { describe, expect, it } from 'vitest';
import { readEntries } from '../../../shared/related/related-index.js';
import { exampleArticles, harness, loadArticleFile, makeArticle, SAMPLE_ARTICLE } from './fixtures.js';

const HEADLINE_TARGETS = [
  'platform-media-sosial-misinformasi-pemilu',
  'kematangan-demokrasi-ruang-digital-pemilu-2024',
  'pemerintah-lindungi-hak-individu-ruang-digital',
];
const FLOOD_STORY = ['banjir-rendam-ribuan-rumah-semarang', 'ribuan-rumah-semarang-terendam-banjir', 'korban-banjir-semarang-bertambah'];

describe('the sample article and the example articles', () => {
  it('resolves the three inline headlines to the example articles when they are stored first', async () => {
    const h = harness();
    for (const a of exampleArticles()) await h.put(a);
    const sample = loadArticleFile(SAMPLE_ARTICLE);
    await h.put(sample);
    const editorial = h.related(sample.id)?.related.filter((r) => r.reason === 'editorial');
    expect(editorial?.map((r) => r.id)).toEqual(HEADLINE_TARGETS);
  });

  it('resolves them when the sample is stored before the articles it names', async () => {
    const h = harness();
    const sample = loadArticleFile(SAMPLE_ARTICLE);
    await h.put(sample);
    const before = h.related(sample.id)?.related.filter((r) => r.reason === 'editorial');
    expect(before?.map((r) => r.id)).toEqual([undefined, undefined, undefined]);
    expect(before?.map((r) => r.title)).toEqual(sample.relatedHeadlines.map((x) => x.text));
    for (const a of exampleArticles()) await h.put(a);
    const after = h.related(sample.id)?.related.filter((r) => r.reason === 'editorial');
    expect(after?.map((r) => r.id)).toEqual(HEADLINE_TARGETS);
  });

  it('groups the three flood reports into one story named after the earliest', async () => {
    const h = harness();
    for (const a of exampleArticles()) await h.put(a);
    const entries = await readEntries(h.store, exampleArticles().map((a) => a.id));
    const inStories = [...entries.values()].filter((e) => e.storyId).map((e) => [e.id, e.storyId]);
    expect(Object.fromEntries(inStories)).toEqual(Object.fromEntries(FLOOD_STORY.map((id) => [id, 'banjir-rendam-ribuan-rumah-semarang'])));
  });
});

describe('editorial headline matching', () => {
  const target = makeArticle({
    id: 'platform-misinformasi',
    title: 'Platform media sosial bertanggung jawab atasi misinformasi pemilu',
    paragraphs: ['Kementerian meminta platform media sosial menurunkan konten misinformasi pemilu dalam 24 jam setelah laporan diterima.'],
    publishedAt: '2024-02-02T03:00:00Z',
  });
  const withHeadlines = (headlines: string[]) =>
    makeArticle({
      id: 'pemilu-damai',
      title: 'Kominfo koordinasikan platform jelang debat',
      paragraphs: ['Kementerian berkoordinasi dengan platform media sosial menjelang debat calon presiden.'],
      publishedAt: '2024-02-05T03:00:00Z',
      relatedHeadlines: headlines.map((text) => ({ text })),
    });

  it('matches a reworded headline above the similarity threshold and keeps an unknown one as text', async () => {
    const h = harness();
    await h.put(target);
    await h.put(withHeadlines(['Misinformasi pemilu, platform media sosial ikut bertanggung jawab', 'Harga cabai melonjak di pasar tradisional']));
    const editorial = h.related('pemilu-damai')?.related.filter((r) => r.reason === 'editorial');
    expect(editorial?.[0]).toMatchObject({ id: 'platform-misinformasi', title: target.title, url: target.url });
    expect(editorial?.[1]).toEqual({ title: 'Harga cabai melonjak di pasar tradisional', reason: 'editorial' });
  });

  it('does not match a headline that shares only a word or two with a stored title', async () => {
    const h = harness();
    await h.put(target);
    await h.put(withHeadlines(['Platform digital untuk petani kopi']));
    const editorial = h.related('pemilu-damai')?.related.filter((r) => r.reason === 'editorial');
    expect(editorial).toEqual([{ title: 'Platform digital untuk petani kopi', reason: 'editorial' }]);
  });

  it('a withdrawn target turns the link back into text', async () => {
    const h = harness();
    await h.put(target);
    await h.put(withHeadlines([target.title]));
    expect(h.related('pemilu-damai')?.related[0]?.id).toBe('platform-misinformasi');
    await h.put({ ...target, status: 'withdrawn' });
    expect(h.related('pemilu-damai')?.related[0]).toEqual({ title: target.title, reason: 'editorial' });
  });
});
