import { readFileSync } from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { SiteConfigSchema } from '../../../shared/config/load-config.js';
import { prepareArticle } from '../../../shared/usecases/ingest-article.js';

/**
 * Senders' Content-Types lie (a CMS plugin posting JSON as `image/png`, a proxy relabelling it `text/html`):
 * the format is decided by the content, and a refusal says which format was read, why, and what failed.
 */

const site = SiteConfigSchema.parse({ siteUrl: 'https://jurnalpagi.example/', siteTitle: 'JurnalPagi', siteDescription: 'Berita', feedsBaseUrl: 'https://feeds.jurnalpagi.example' });
const NOW = new Date('2024-02-07T05:00:00Z');
const restPost = readFileSync(new URL('../../fixtures/wordpress/rest-post-embed.json', import.meta.url), 'utf8');
const wordpressPage = readFileSync(new URL('../../fixtures/parsing/wp-full-theme.html', import.meta.url), 'utf8');

/** Content-Types a sender may put on anything: right, wrong, meaningless or absent. */
const anyContentType = fc.option(
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/html', 'text/html; charset=utf-8', 'text/plain', 'image/png', 'application/octet-stream', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/markdown', 'application/xml'),
  { nil: undefined },
);
const word = fc.stringMatching(/^[A-Za-zÀ-ÿ]{2,12}$/);
const article = fc.record({
  title: fc.array(word, { minLength: 1, maxLength: 8 }).map((w) => w.join(' ')),
  bodyHtml: fc.array(word, { minLength: 1, maxLength: 30 }).map((w) => `<p>${w.join(' ')}.</p>`),
  tags: fc.array(word, { maxLength: 3 }),
});
const leadingSpace = fc.constantFrom('', ' ', '\n', '\r\n\t ');

/** What each Content-Type declares, or undefined when it names no format Warta reads. */
function declared(contentType: string | undefined): 'json' | 'html' | 'text' | undefined {
  const type = contentType?.split(';')[0];
  if (type === 'application/json') return 'json';
  if (type === 'text/html') return 'html';
  if (type === 'text/plain' || type === 'text/markdown') return 'text';
  return undefined;
}

function prepare(body: string, contentType?: string) {
  return prepareArticle({ body: Buffer.from(body), ...(contentType === undefined ? {} : { contentType }) }, site, NOW);
}

describe('the input format is detected by content, whatever the Content-Type says', () => {
  test.prop([article, anyContentType, leadingSpace])('a Warta JSON article is read as JSON under any Content-Type, with a note when the Content-Type said otherwise', (fields, contentType, space) => {
    const prepared = prepare(space + JSON.stringify(fields), contentType);
    expect(prepared.ok).toBe(true);
    if (!prepared.ok) return;
    expect(prepared.format).toBe('json');
    expect(prepared.content.title).toBe(fields.title);
    expect(prepared.detected).toMatch(/^Warta JSON, because the content starts with `\{"`/);
    const contradicts = contentType !== undefined && contentType !== 'application/octet-stream' && declared(contentType) !== 'json';
    if (contradicts) {
      expect(prepared.formatNote).toBe(`format: read as ${prepared.detected}`);
      expect(prepared.formatNote).toContain(`the Content-Type ${contentType.split(';')[0]} was not followed`);
    } else {
      expect(prepared.formatNote).toBeUndefined();
    }
  });

  test.prop([anyContentType])('a WordPress REST post is read as one under any Content-Type', (contentType) => {
    const prepared = prepare(restPost, contentType);
    expect(prepared).toMatchObject({ ok: true, format: 'wordpress-rest', detected: expect.stringMatching(/^WordPress REST JSON, because the content starts with `\{"` and it has a numeric id/) });
  });

  test.prop([anyContentType])('a WordPress page is read as HTML under any Content-Type', (contentType) => {
    const prepared = prepare(wordpressPage, contentType);
    expect(prepared).toMatchObject({ ok: true, format: 'html', detected: expect.stringMatching(/^WordPress HTML, because the content starts with `<!DOCTYPE html/i) });
  });

  it('follows the Content-Type, then the file name, when the content gives no signal', () => {
    const text = 'Judul berita\n\nJAKARTA - Isi berita yang cukup panjang.';
    expect(prepare(text, 'text/plain')).toMatchObject({ ok: true, format: 'text', detected: 'raw text, because the Content-Type text/plain says so' });
    expect(prepare(text)).toMatchObject({ ok: true, format: 'text', detected: expect.stringMatching(/^raw text, because the content starts with neither JSON nor an HTML tag/) });
    const named = prepareArticle({ body: text, filename: 'berita.txt' }, site, NOW);
    expect(named).toMatchObject({ ok: true, detected: "raw text, because the file name's extension .txt says so" });
  });
});

describe('a refusal says which format was read, why, and what failed', () => {
  test.prop([article, anyContentType, fc.double({ min: 0.05, max: 0.95, noNaN: true })])('truncated JSON is refused as JSON, naming the signal and the JSON error', (fields, contentType, cut) => {
    const json = JSON.stringify(fields);
    const prepared = prepare(json.slice(0, Math.max(2, Math.floor(json.length * cut))), contentType);
    expect(prepared.ok).toBe(false);
    if (prepared.ok) return;
    expect(prepared.problems).toHaveLength(1);
    expect(prepared.problems[0]?.field).toBe('body');
    expect(prepared.problems[0]?.message).toMatch(/^was read as Warta JSON, because the content starts with `\{"`.*; it is not valid JSON: \S/);
    expect(prepared.detected).toMatch(/^Warta JSON/);
  });

  it('a page without a title sent as JSON says it was read as WordPress HTML despite the Content-Type, and what is missing', () => {
    const prepared = prepare('<!DOCTYPE html><html><body><p>Hanya isi tanpa judul.</p></body></html>', 'application/json');
    expect(prepared).toMatchObject({
      ok: false,
      detected: 'WordPress HTML, because the content starts with `<!DOCTYPE html>` (the Content-Type application/json was not followed)',
      problems: expect.arrayContaining([{ field: 'title', message: 'is missing or empty' }]),
    });
  });

  it('JSON that is not one object is refused as such, naming the signal', () => {
    expect(prepare('[{"title": "a"}]', 'text/html')).toMatchObject({
      ok: false,
      problems: [{ field: 'body', message: 'was read as Warta JSON, because the content starts with `[{` (the Content-Type text/html was not followed); it must be a JSON object describing one article' }],
    });
  });
});
