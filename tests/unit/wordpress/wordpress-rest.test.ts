import { readFileSync } from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseArticleInput } from '../../../shared/parsing/parse-input.js';
import type { WordPressRestPost } from '../../../shared/parsing/wordpress-rest.js';

const fixture = readFileSync(new URL('../../fixtures/wordpress/rest-post-embed.json', import.meta.url), 'utf8');
const embedded = JSON.parse(fixture) as WordPressRestPost;

function withoutEmbed(post: WordPressRestPost): WordPressRestPost {
  const { _embedded: _e, ...rest } = post;
  return rest;
}

function parse(post: unknown, contentType?: string) {
  return parseArticleInput({ body: JSON.stringify(post), ...(contentType ? { contentType } : {}) });
}

/** What WordPress's esc_html does to a title before it reaches the REST API's `title.rendered`. */
function escHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#039;');
}

describe('a WordPress REST post as an input format', () => {
  it('is detected from its shape, with or without a JSON content type, and becomes the article the site shows', () => {
    for (const result of [parse(embedded, 'application/json'), parseArticleInput({ body: fixture, filename: 'post.json' }), parseArticleInput({ body: fixture })]) {
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value.format).toBe('wordpress-rest');
      const draft = result.value.draft;
      expect(draft.id).toBe('wp-4127');
      expect(draft.url).toBe('https://news.example.com/2024/02/07/banjir-rob-jakarta-utara/');
      expect(draft.title).toBe('Banjir “Rob” Jakarta Utara & Bekasi');
      expect(draft.summary).toBe('Banjir rob kembali merendam kawasan pesisir Jakarta Utara');
      expect(draft.bodyHtml).toContain('<p>Warga mengungsi ke masjid terdekat.</p>');
      expect(draft.publishedAt).toBe('2024-02-07T02:30:00.000Z');
      expect(draft.updatedAt).toBe('2024-02-07T03:05:12.000Z');
      expect(draft.authors).toEqual([{ name: 'Siti Rahma' }]);
      expect(draft.section).toBe('Metro');
      expect(draft.tags).toEqual(['Lingkungan & Iklim', 'banjir', 'Jakarta Utara']);
      expect(draft.images).toEqual([
        {
          url: 'https://news.example.com/wp-content/uploads/2024/02/rob.jpg',
          caption: 'Air laut masuk ke permukiman warga di Muara Angke.',
          width: 1200,
          height: 800,
          type: 'image/jpeg',
        },
      ]);
    }
  });

  it('without _embed keeps what the post itself carries: no names for authors, terms or media', () => {
    const result = parse(withoutEmbed(embedded));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.draft).toMatchObject({ id: 'wp-4127', title: 'Banjir “Rob” Jakarta Utara & Bekasi', authors: [], tags: [], images: [] });
    expect(result.value.draft.section).toBeUndefined();
  });

  it.each(['draft', 'pending', 'private', 'trash'])('refuses a %s post, naming the status', (status) => {
    const result = parse({ ...embedded, status });
    expect(result).toMatchObject({ ok: false, problems: [{ field: 'status', message: `is "${status}" in WordPress; only published and scheduled posts are ingested` }] });
  });

  it('takes a scheduled post with its future date (the embargo hides it until then), and refuses one without a date', () => {
    const result = parse({ ...embedded, status: 'future', date_gmt: '2035-01-01T08:00:00' });
    expect(result).toMatchObject({ ok: true, value: { draft: { id: 'wp-4127', publishedAt: '2035-01-01T08:00:00.000Z' } } });
    const undated = parse({ ...embedded, status: 'future', date_gmt: null });
    expect(undated).toMatchObject({ ok: false, problems: [{ field: 'date_gmt' }] });
  });

  it('refuses a password-protected post even when it is published', () => {
    const result = parse({ ...embedded, content: { rendered: '', protected: true } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([{ field: 'content', message: 'is password-protected in WordPress; protected posts are never published' }]);
  });

  it('refuses an empty title or empty content with the field named', () => {
    const result = parse({ ...embedded, title: { rendered: ' <em></em> ' }, content: { rendered: '' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.field).sort()).toEqual(['bodyHtml', 'title']);
  });

  it('leaves Warta JSON that merely has a title string alone', () => {
    const result = parse({ id: 'a-1', title: 'Judul', bodyHtml: '<p>Isi</p>' });
    expect(result.ok && result.value.format).toBe('json');
  });

  test.prop([fc.string({ minLength: 1, maxLength: 80 }).filter((s) => s.trim().length > 0 && !/[\u0000-\u001f\u007f-\u009f]/.test(s))])(
    'any title WordPress escapes comes back as the text the editor typed, decoded once',
    (title) => {
      const result = parse({ ...embedded, title: { rendered: escHtml(title) } });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value.draft.title).toBe(title.replace(/\s+/g, ' ').trim());
    },
  );
});
