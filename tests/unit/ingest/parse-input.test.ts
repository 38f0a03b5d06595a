import { describe, expect, it } from 'vitest';
import { normalizeDraft } from '../../../shared/article/normalize.js';
import { contentHash } from '../../../shared/article/content-hash.js';
import { SiteConfigSchema } from '../../../shared/config/load-config.js';
import { detectFormat, idFromFilename, parseArticleInput } from '../../../shared/parsing/parse-input.js';

const site = SiteConfigSchema.parse({
  siteUrl: 'https://jurnalpagi.example/',
  siteTitle: 'JurnalPagi',
  siteDescription: 'Berita',
  feedsBaseUrl: 'https://feeds.jurnalpagi.example',
});
const NOW = new Date('2024-02-07T05:00:00Z');

describe('parseArticleInput: any accepted format becomes one validated draft', () => {
  it('detects the format from clear signs in the content, then the content type, then the extension, then weaker signs', () => {
    expect(detectFormat('{}', 'application/json; charset=utf-8')).toBe('json');
    expect(detectFormat('{"title": "x"}', 'text/html')).toBe('json');
    expect(detectFormat('<!DOCTYPE html><html>', 'text/plain')).toBe('html');
    expect(detectFormat('x', 'text/html')).toBe('html');
    expect(detectFormat('{ looks like json', 'text/plain')).toBe('text');
    expect(detectFormat('Judul', undefined, 'artikel.HTML')).toBe('html');
    expect(detectFormat('  <!DOCTYPE html><html>')).toBe('html');
    expect(detectFormat('\n{"title": "x"}')).toBe('json');
    expect(detectFormat('Judul berita\n\nIsi')).toBe('text');
  });

  it('takes the id from a file name only when it is a valid id', () => {
    expect(idFromFilename('inbox/000_1274E15701F62EEF.txt')).toBe('000_1274e15701f62eef');
    expect(idFromFilename('berita hari ini.txt')).toBeUndefined();
    expect(idFromFilename(undefined)).toBeUndefined();
  });

  it('names every wrong field of a JSON article, with its path', () => {
    const result = parseArticleInput({
      body: JSON.stringify({ id: 'Bad Id!', title: 42, bodyHtml: '<p>ok</p>', images: [{ url: 'ftp://x' }], authors: [{ name: '' }], language: 'indonesia' }),
      contentType: 'application/json',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.field).sort()).toEqual(['authors.0.name', 'id', 'images.0.url', 'language', 'title']);
    expect(result.problems.find((p) => p.field === 'language')?.message).toMatch(/BCP 47/);
  });

  it('refuses malformed JSON, non-objects, empty input, invalid UTF-8 and oversized input with the field "body"', () => {
    const cases: [Parameters<typeof parseArticleInput>[0], RegExp][] = [
      [{ body: '{"title": ', contentType: 'application/json' }, /not valid JSON/],
      [{ body: '[1,2]', contentType: 'application/json' }, /JSON object/],
      [{ body: '   \n  ' }, /empty/],
      [{ body: Uint8Array.from([0xc3, 0x28]) }, /UTF-8/],
      [{ body: 'a'.repeat(2 * 1024 * 1024 + 1) }, /largest accepted input/],
    ];
    for (const [input, message] of cases) {
      const result = parseArticleInput(input);
      expect(result).toMatchObject({ ok: false, problems: [{ field: 'body', message: expect.stringMatching(message) }] });
    }
  });

  it('reports a missing title and an empty body of raw text', () => {
    const result = parseArticleInput({ body: '\n\n   \n', filename: 'x.txt' });
    expect(result.ok).toBe(false);
    const onlyTitle = parseArticleInput({ body: 'Hanya judul tanpa isi', filename: 'judul.txt' });
    expect(onlyTitle).toMatchObject({ ok: false, problems: [{ field: 'bodyHtml' }] });
  });
});

describe('normalizeDraft: Warta fills its defaults', () => {
  const draftOf = (fields: Record<string, unknown>) => {
    const parsed = parseArticleInput({ body: JSON.stringify({ title: 'Judul  berita\nbaru', bodyHtml: '<p>Isi <script>alert(1)</script>berita.</p>', ...fields }), contentType: 'application/json' });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    return parsed.value.draft;
  };

  it('derives a stable id, slug, canonical URL, section and summary, and sanitizes the body', () => {
    const result = normalizeDraft(draftOf({}), site, NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { content, publishedAtGiven } = result.value;
    expect(content.title).toBe('Judul berita baru');
    expect(content.slug).toBe('judul-berita-baru');
    expect(content.id).toMatch(/^judul-berita-baru-[0-9a-f]{12}$/);
    expect(content.url).toBe(`https://jurnalpagi.example/berita/${content.id}/judul-berita-baru`);
    expect(content.section).toBe('Berita');
    expect(content.bodyHtml).not.toContain('script');
    expect(content.bodyText).toBe('Isi berita.');
    expect(content.summary).toBe('Isi berita.');
    expect(content.publishedAt).toBe('2024-02-07T05:00:00.000Z');
    expect(publishedAtGiven).toBe(false);
    // The same title gives the same id on another day: re-sending is an update, not a duplicate.
    const again = normalizeDraft(draftOf({}), site, new Date('2025-01-01T00:00:00Z'));
    expect(again.ok && again.value.content.id).toBe(content.id);
  });

  it('converts dates to UTC and removes duplicate tags and authors', () => {
    const result = normalizeDraft(
      draftOf({ publishedAt: '2024-02-07T09:30:00+07:00', updatedAt: '2024-02-07T10:00:00+07:00', tags: ['Pemilu', 'pemilu', 'Ruang Digital'], authors: [{ name: 'Rina' }, { name: ' rina ' }] }),
      site,
      NOW,
    );
    expect(result.ok && result.value.content.publishedAt).toBe('2024-02-07T02:30:00.000Z');
    expect(result.ok && result.value.sourceUpdatedAt).toBe('2024-02-07T03:00:00.000Z');
    expect(result.ok && result.value.content.tags).toEqual(['Pemilu', 'Ruang Digital']);
    expect(result.ok && result.value.content.authors).toEqual([{ name: 'Rina' }]);
  });

  it('refuses a body that has no text once unsafe markup is gone', () => {
    const result = normalizeDraft(draftOf({ bodyHtml: '<script>x()</script><iframe src="https://x"></iframe>' }), site, NOW);
    expect(result).toMatchObject({ ok: false, problems: [{ field: 'bodyHtml', message: expect.stringMatching(/no text/) }] });
  });

  it('hashes content independently of key order, and differently when content changes', () => {
    const result = normalizeDraft(draftOf({ publishedAt: '2024-02-07T09:30:00+07:00' }), site, NOW);
    if (!result.ok) throw new Error('expected ok');
    const content = result.value.content;
    const reordered = Object.fromEntries(Object.entries(content).reverse()) as typeof content;
    expect(contentHash(reordered)).toBe(contentHash(content));
    expect(contentHash({ ...content, title: 'Lain' })).not.toBe(contentHash(content));
    expect(contentHash({ ...content, status: 'withdrawn' })).not.toBe(contentHash(content));
  });
});
