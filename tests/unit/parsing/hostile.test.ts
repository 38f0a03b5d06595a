import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SiteConfigSchema } from '../../../shared/config/load-config.js';
import { MAX_HTML_DEPTH } from '../../../shared/parsing/html-depth.js';
import { prepareArticle, type PreparedArticle } from '../../../shared/usecases/ingest-article.js';

/**
 * Hostile inputs of the classes parsing must survive: pages in legacy charsets, impossible and
 * implausible dates, control characters, and pages nested tens of thousands deep. Each goes through
 * exactly what `warta parse` and ingest do (prepareArticle) and must end in an article or in problems
 * naming the field; never a crash. Each file is its own test with its own time limit, so a file that
 * hangs the parser fails by name instead of stalling the run.
 */
/** Time limit per file: the slowest case (a page 100,000 elements deep) takes about a second on an idle machine. */
const TIME_LIMIT_PER_FILE_MS = 15_000;
const site = SiteConfigSchema.parse({ siteUrl: 'https://jurnalpagi.example', siteTitle: 'JurnalPagi', siteDescription: 'Berita', feedsBaseUrl: 'https://feeds.jurnalpagi.example' });
const NOW = new Date('2024-02-10T00:00:00Z');
const dir = join(import.meta.dirname, '../../fixtures/hostile');
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

function prepare(body: string | Uint8Array, filename: string, contentType?: string): PreparedArticle {
  return prepareArticle({ body, filename, ...(contentType ? { contentType } : {}) }, site, NOW);
}

type Expectation =
  | { accept: (prepared: Extract<PreparedArticle, { ok: true }>) => void; contentType?: string }
  | { refuse: { field: string; message: RegExp }; contentType?: string };

const CAFE_TITLE = 'Café “Pesisir” Buka Cabang – Harga Kopi Rp 15.000';
const EXPECTATIONS: Record<string, Expectation> = {
  'wp-meta-charset-windows-1252.html': {
    accept: (p) => {
      expect(p.content.title).toBe(CAFE_TITLE);
      expect(p.content.bodyText).toContain('“Kami ingin lebih dekat dengan pelanggan,” katanya.');
    },
  },
  'wp-http-equiv-iso-8859-1.html': { accept: (p) => expect(p.content.title).toBe('Café Pesisir Buka Cabang Baru di Losari') },
  'wp-header-charset-windows-1252.html': { contentType: 'text/html; charset=windows-1252', accept: (p) => expect(p.content.title).toBe(CAFE_TITLE) },
  'wp-meta-utf8-invalid-bytes.html': { refuse: { field: 'body', message: /not valid UTF-8 .*declared charset utf-8/ } },
  'wp-published-feb-30.html': { refuse: { field: 'publishedAt', message: /does not exist \(2025-02-30\)/ } },
  'json-published-feb-30.json': { refuse: { field: 'publishedAt', message: /does not exist \(2025-02-30\)/ } },
  'json-published-year-0000.json': { refuse: { field: 'publishedAt', message: /outside the accepted range 1900-01-01 to 2099-12-31/ } },
  'json-published-year-9999.json': { refuse: { field: 'publishedAt', message: /outside the accepted range 1900-01-01 to 2099-12-31/ } },
  'json-wordpress-rest-date-gmt-feb-30.json': { refuse: { field: 'publishedAt', message: /does not exist \(2025-02-30\)/ } },
  'json-updated-hour-25.json': { refuse: { field: 'updatedAt', message: /time of day that does not exist/ } },
  'json-control-characters.json': {
    accept: (p) => {
      expect(p.content.title).toBe('Judul dengan karakter kontrol');
      expect([p.content.title, p.content.summary, p.content.section, ...p.content.tags, ...p.content.authors.map((a) => a.name), p.content.bodyHtml, p.content.bodyText].filter((s) => FORBIDDEN.test(s))).toEqual([]);
    },
  },
  'raw-control-characters.txt': {
    accept: (p) => {
      expect(p.content.title).toBe('Judul Berita dengan Kontrol');
      expect(JSON.stringify(p.content)).not.toMatch(/\\u00[01][0-9a-f]/);
    },
  },
};

describe('hostile corpus (tests/fixtures/hostile)', () => {
  it('has an expectation for every file, and a file for every expectation', () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(EXPECTATIONS).sort());
  });

  for (const [file, expectation] of Object.entries(EXPECTATIONS)) {
    it(file, () => {
      const prepared = prepare(readFileSync(join(dir, file)), file, expectation.contentType);
      if ('refuse' in expectation) {
        expect(prepared.ok).toBe(false);
        if (prepared.ok) return;
        expect(prepared.problems).toContainEqual({ field: expectation.refuse.field, message: expect.stringMatching(expectation.refuse.message) });
      } else {
        if (!prepared.ok) throw new Error(`refused: ${JSON.stringify(prepared.problems)}`);
        expectation.accept(prepared);
      }
    }, TIME_LIMIT_PER_FILE_MS);
  }
});

describe('raw exports of as many lines as the size limit allows', () => {
  // Per-line work must stay linear (joining continuation lines once grew and re-tested one long string per line)
  // and never spread a whole export into one call (Math.max(...lines) overflowed the stack).
  const cases: [string, string][] = [
    ['300,000 one-word continuation lines', `Judul\n${'a\n'.repeat(300_000)}`],
    ['50,000 headline-shaped lines', `Judul\nParagraf pertama yang cukup panjang untuk membuka berita ini.\n${Array.from({ length: 50_000 }, (_, i) => `Harga Cabai Rawit Tembus Rekor Nomor ${i}`).join('\n')}`],
    ['20,000 list items between headline-shaped lines', `Judul\nParagraf pembuka berita.\n${Array.from({ length: 20_000 }, (_, i) => (i % 2 ? `Berita Lain Tentang Pasar Nomor ${i}` : `${(i % 9) + 1}. Butir daftar ${i}`)).join('\n')}`],
  ];
  for (const [name, text] of cases) {
    it(`reads ${name} to an article or to problems naming the field`, () => {
      const prepared = prepare(text, 'panjang.txt');
      if (prepared.ok) expect(prepared.content.title).toBe('Judul');
      else expect(prepared.problems.every((p) => p.field.length > 0 && p.message.length > 0)).toBe(true);
    }, TIME_LIMIT_PER_FILE_MS);
  }
});

describe('pages nested deeper than anything real', () => {
  const wordpress = (inner: string) => `<!DOCTYPE html><html><head><title>Dalam Sekali</title></head><body><article><h1 class="entry-title">Dalam Sekali</h1><div class="entry-content"><p>Paragraf pertama.</p>${inner}</div></article></body></html>`;
  const cases: [string, string | Uint8Array, string, string][] = [
    ['a WordPress page of <div> 100,000 deep', wordpress('<div>'.repeat(100_000) + 'isi' + '</div>'.repeat(100_000)), 'deep.html', 'body'],
    ['a WordPress page of unclosed <span> 100,000 deep', wordpress('<span>'.repeat(100_000)), 'deep.html', 'body'],
    ['a WordPress page of comments inside <b> 30,000 deep', wordpress('<b><!-- x -->'.repeat(30_000)), 'deep.html', 'body'],
    ['Warta JSON with <b> 20,000 deep in bodyHtml', JSON.stringify({ title: 'Tebal Sekali', bodyHtml: `<p>${'<b>'.repeat(20_000)}isi</p>` }), 'deep.json', 'bodyHtml'],
  ];
  for (const [name, body, filename, field] of cases) {
    it(`refuses ${name}, naming the limit`, () => {
      const prepared = prepare(body, filename);
      expect(prepared.ok).toBe(false);
      if (prepared.ok) return;
      expect(prepared.problems).toContainEqual({ field, message: expect.stringMatching(new RegExp(`deep; the deepest accepted is ${MAX_HTML_DEPTH}$`)) });
    }, TIME_LIMIT_PER_FILE_MS);
  }

  it(`accepts a page nested exactly ${MAX_HTML_DEPTH} deep`, () => {
    // html, body, article and the content div take 4 levels; the paragraph's <b>s fill the rest.
    const depth = MAX_HTML_DEPTH - 5;
    const prepared = prepare(wordpress(`<p>${'<b>'.repeat(depth)}Isi yang tebal ini kalimat lengkap.${'</b>'.repeat(depth)}</p>`), 'deep.html');
    if (!prepared.ok) throw new Error(JSON.stringify(prepared.problems));
    expect(prepared.content.bodyText).toContain('Isi yang tebal ini kalimat lengkap.');
  }, TIME_LIMIT_PER_FILE_MS);
});
