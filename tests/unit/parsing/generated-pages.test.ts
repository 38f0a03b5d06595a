import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { DomUtils, parseDocument } from 'htmlparser2';
import stopwordsEn from '../../../shared/text/stopwords/en.json' with { type: 'json' };
import stopwordsId from '../../../shared/text/stopwords/id.json' with { type: 'json' };
import { describe, expect } from 'vitest';
import type { RelatedHeadline } from '../../../shared/model/article.js';
import { parseRawText } from '../../../shared/parsing/raw-text.js';
import { parseWordPressHtml } from '../../../shared/parsing/wordpress-html.js';

/**
 * Properties over generated pages: real paragraphs and real headlines (../shared/data/related/articles.jsonl,
 * or the committed sample tests/fixtures/parsing/real-paragraphs.json when ../shared is absent), with
 * read-also headlines at random places (labelled or bare, ending in nothing, "?" or "!", with colons),
 * numbered and bulleted lists, subheadings, CRLF, stray blank lines and boilerplate in both languages.
 * The body, the headlines and the dateline must come back exactly.
 *
 * Every page is built from what an editor writes, never with the parser's own rules. Where a reader
 * needs the neighbourhood, the generator makes it unambiguous by construction: a bare headline shares
 * no word of five letters or more with the paragraph after it; a subheading is made of that paragraph's
 * own words. A failure prints fast-check's seed and path; replay it with
 * WARTA_FC_SEED=<seed> WARTA_FC_PATH=<path> npx vitest run tests/unit/parsing/generated-pages.test.ts
 */
const RUNS = Number(process.env['WARTA_FC_RUNS'] ?? 1000);
// About 3 s (raw) and 10 s (WordPress) on an idle machine; the limit leaves room for a busy CI runner.
const TIME_LIMIT_MS = 120_000;
const seed = process.env['WARTA_FC_SEED'] === undefined ? {} : { seed: Number(process.env['WARTA_FC_SEED']), ...(process.env['WARTA_FC_PATH'] ? { path: process.env['WARTA_FC_PATH'] } : {}) };

interface Source {
  title: string;
  paragraphs: string[];
}
const shared = join(import.meta.dirname, '../../../../shared/data/related/articles.jsonl');
const sources: Source[] = existsSync(shared)
  ? readFileSync(shared, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { title: string; body: string })
      .map((a) => ({ title: a.title, paragraphs: a.body.split('\n') }))
  : (JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/parsing/real-paragraphs.json'), 'utf8')) as { articles: Source[] }).articles;
const fromShared = existsSync(shared);

const words = (text: string) => text.split(/\s+/).filter((w) => w.length > 0);
const tidy = (text: string) => text.replace(/\s+/g, ' ').trim();

// A body paragraph as reporters write them: a full sentence or more, closed by punctuation, opening with a capital.
const PARAGRAPHS = [...new Set(sources.flatMap((s) => s.paragraphs.map(tidy)))].filter(
  (p) => words(p).length >= 12 && !/[\u0000-\u001F\u007F-\u009F]/u.test(p) && /[.!?”"]$/u.test(p) && /^\p{Lu}/u.test(p) && !/^(?:baca|lihat|simak|tonton|editor|redaktur|pewarta|reporter|penulis|hak cipta|copyright|koreksi|ralat)\b/iu.test(p) && !/^[\p{L} ]{1,40}(?:,[^–—-]{1,40})?\s*(?:\([^)]*\))?\s*[–—-]\s/u.test(p),
);
// Real headlines, as editors end them: no closing period.
const HEADLINES = [...new Set(sources.map((s) => tidy(s.title)))].filter((t) => {
  const n = words(t).length;
  return n >= 3 && n <= 14 && t.length <= 120 && !/[.,;:…"”'’]$/u.test(t) && !/^[“"'‘]/u.test(t) && !/^(?:baca|lihat|simak|tonton|read|artikel|berita)\b/iu.test(t);
});

const FUNCTION_WORDS = new Set<string>([...stopwordsId, ...stopwordsEn]);
const LONG_WORDS = (text: string) => new Set((text.toLowerCase().match(/\p{L}{5,}/gu) ?? []));
const sharesNoLongWord = (a: string, b: string) => {
  const other = LONG_WORDS(b);
  return [...LONG_WORDS(a)].every((w) => !other.has(w.slice(0, 5)) && ![...other].some((o) => o.slice(0, 5) === w.slice(0, 5)));
};

const LABELS: [written: string, tidied: string][] = [
  ['Baca juga', 'Baca juga'], ['Baca Juga', 'Baca juga'], ['BACA JUGA', 'Baca juga'], ['Lihat juga', 'Lihat juga'],
  ['Simak juga', 'Simak juga'], ['Tonton juga', 'Tonton juga'], ['Artikel terkait', 'Artikel terkait'],
  ['Berita Terkait', 'Berita terkait'], ['Read also', 'Read also'], ['Tulisdem', 'Tulisdem'],
];
const PLACES = ['Jakarta', 'Banda Aceh', 'SURABAYA', 'Makassar', 'Tanjung Pinang'];
const SOURCES = ['Tulisdem', 'JurnalPagi', 'Antara'];
const DASHES = [' – ', ' - ', ' — ', '--'];

/** One piece of a page, with what the parser must make of it. */
type Piece =
  | { kind: 'paragraph'; text: string }
  | { kind: 'headline'; text: string; label?: [string, string]; ending: '' | '?' | '!' }
  | { kind: 'subheading'; text: string }
  | { kind: 'list'; leadIn: string; items: string[]; marker: 'number' | 'bullet' };

function textOfPiece(piece: Piece | undefined): string {
  if (piece === undefined) return '';
  return piece.kind === 'list' ? [piece.leadIn, ...piece.items].join(' ') : piece.text;
}

interface Page {
  title: string;
  dateline?: { place: string; source?: string; dash: string };
  pieces: Piece[];
  crlf: boolean;
  blankLines: number[];
  englishBoilerplate: boolean;
  editor?: string;
}

const fragment = (paragraph: string, start: number, length: number) => {
  const ws = words(paragraph.replace(/[.,;:!?“”"()]/g, ''));
  return ws.slice(start % Math.max(1, ws.length - length), (start % Math.max(1, ws.length - length)) + length).join(' ');
};

const pageArb: fc.Arbitrary<Page> = fc
  .record({
    title: fc.constantFrom(...HEADLINES),
    dateline: fc.option(fc.record({ place: fc.constantFrom(...PLACES), source: fc.option(fc.constantFrom(...SOURCES), { nil: undefined }), dash: fc.constantFrom(...DASHES) }), { nil: undefined }),
    paragraphs: fc.uniqueArray(fc.constantFrom(...PARAGRAPHS), { minLength: 2, maxLength: 7 }),
    extras: fc.array(
      fc.record({
        at: fc.nat(),
        kind: fc.constantFrom('labelled', 'bare', 'subheading', 'numbered', 'bullets'),
        headline: fc.constantFrom(...HEADLINES),
        label: fc.constantFrom(...LABELS),
        ending: fc.constantFrom('' as const, '?' as const, '!' as const),
        start: fc.nat(),
        count: fc.integer({ min: 2, max: 4 }),
      }),
      { maxLength: 4 },
    ),
    crlf: fc.boolean(),
    blankLines: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 40, maxLength: 40 }),
    englishBoilerplate: fc.boolean(),
    editor: fc.option(fc.constantFrom('Siti Zulikha', 'Budi Santoso', 'Rina Wulandari'), { nil: undefined }),
  })
  .map(({ title, dateline, paragraphs, extras, crlf, blankLines, englishBoilerplate, editor }) => {
    const pieces: Piece[] = paragraphs.map((text) => ({ kind: 'paragraph', text }));
    // Inserted from the last position backwards, always after the first paragraph (a line before it is the lead).
    const placed = extras.map((e) => ({ ...e, at: 1 + (e.at % paragraphs.length) })).sort((a, b) => b.at - a.at);
    for (const extra of placed) {
      const next = pieces[extra.at];
      const nextText = next?.kind === 'paragraph' ? next.text : undefined;
      let piece: Piece | undefined;
      if (extra.kind === 'labelled') {
        const label = extra.label[0] === 'Tulisdem' && dateline?.source ? ([dateline.source, dateline.source] as [string, string]) : extra.label;
        piece = { kind: 'headline', text: extra.headline, label, ending: extra.ending };
      } else if (extra.kind === 'bare') {
        // A bare headline stands between paragraphs and is about something else than its page: the title and
        // the paragraphs around it (a reader judges by the section it would open, so the next two count).
        // Labelled headlines are no part of that section (the parser skips them too).
        const section: string[] = [];
        for (let i = extra.at; i < pieces.length && section.length < 2; i++) {
          const later = pieces[i];
          if (later?.kind === 'headline' && later.label !== undefined) continue;
          section.push(textOfPiece(later));
        }
        const around = [title, textOfPiece(pieces[extra.at - 1]), ...section];
        if (nextText !== undefined && sharesNoLongWord(extra.headline, nextText) && around.every((text) => sharesNoLongWord(extra.headline, text))) {
          piece = { kind: 'headline', text: extra.headline, ending: extra.ending };
        }
      } else if (extra.kind === 'subheading') {
        // A subheading names the subject of the paragraph it opens, in that paragraph's words.
        // Its words name things: not function words such as "setidaknya" or "beberapa" (stopwords-iso lists them).
        const own = nextText ? [...new Set(nextText.match(/\p{L}{6,}/gu) ?? [])].filter((w) => !FUNCTION_WORDS.has(w.toLowerCase())).slice(0, 3 + (extra.start % 3)) : [];
        if (nextText && own.length >= 3) piece = { kind: 'subheading', text: own.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ') };
      } else {
        const source = nextText ?? textOfPiece(pieces[extra.at - 1]);
        const items = Array.from({ length: extra.count }, (_, i) => fragment(source, extra.start + i * 3, 3 + ((extra.start + i) % 4))).filter((t) => words(t).length >= 2);
        if (items.length >= 2) piece = { kind: 'list', leadIn: extra.kind === 'numbered' ? 'Berikut syarat yang harus dipenuhi:' : 'Keunggulannya antara lain:', items, marker: extra.kind === 'numbered' ? 'number' : 'bullet' };
      }
      if (piece) pieces.splice(extra.at, 0, piece);
    }
    const page: Page = { title, pieces, crlf, blankLines, englishBoilerplate };
    if (dateline) page.dateline = dateline.source === undefined ? { place: dateline.place, dash: dateline.dash } : { place: dateline.place, source: dateline.source, dash: dateline.dash };
    if (editor) page.editor = editor;
    return page;
  });

/** What the parser must return for a page. */
function expected(page: Page) {
  const body: string[] = [];
  const headlines: RelatedHeadline[] = [];
  for (const piece of page.pieces) {
    if (piece.kind === 'paragraph' || piece.kind === 'subheading') body.push(piece.text);
    else if (piece.kind === 'headline') headlines.push(piece.label ? { text: piece.text + piece.ending, label: piece.label[1] } : { text: piece.text + piece.ending });
    else body.push(piece.leadIn, ...piece.items.map((item, i) => (piece.marker === 'number' ? `${i + 1}. ${item}` : `● ${item}`)));
  }
  const dateline = page.dateline ? { place: page.dateline.place === 'SURABAYA' ? 'Surabaya' : page.dateline.place, ...(page.dateline.source ? { source: page.dateline.source } : {}) } : undefined;
  return { body, headlines, dateline };
}

function datelinePrefix(page: Page): string {
  if (!page.dateline) return '';
  return `${page.dateline.place}${page.dateline.source ? ` (${page.dateline.source})` : ''}${page.dateline.dash}`;
}

function rawPage(page: Page): string {
  const lines: string[] = [page.title];
  let first = true;
  for (const piece of page.pieces) {
    if (piece.kind === 'paragraph') {
      lines.push(first ? datelinePrefix(page) + piece.text : piece.text);
      first = false;
    } else if (piece.kind === 'headline') lines.push(piece.label ? `${piece.label[0]}: ${piece.text}${piece.ending}` : piece.text + piece.ending);
    else if (piece.kind === 'subheading') lines.push(piece.text);
    else lines.push(piece.leadIn, ...piece.items.map((item, i) => (piece.marker === 'number' ? `${i + 1}. ${item}` : `● ${item}`)));
  }
  if (page.editor) lines.push(`Redaktur : ${page.editor}`);
  lines.push('Hak Cipta © Tulisdem 2024');
  lines.push(...(page.englishBoilerplate ? ['Share this:', 'Facebook', 'WhatsApp', 'Leave a Reply', 'Your email address will not be published. Required fields are marked *'] : ['Bagikan:', 'Twitter', 'Cetak', 'Tinggalkan Balasan', 'Alamat email Anda tidak akan dipublikasikan. Ruas yang wajib ditandai *']));
  const eol = page.crlf ? '\r\n' : '\n';
  return lines.map((line, i) => (i === 0 ? line : eol.repeat(page.blankLines[i % page.blankLines.length] ?? 1) + line)).join('');
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** A single post page of a classic or block theme, with Jetpack sharing, ads and the comment form. */
function wordpressPage(page: Page, theme: 'classic' | 'block'): { html: string; urls: string[] } {
  const urls: string[] = [];
  const blocks: string[] = [];
  let first = true;
  for (const piece of page.pieces) {
    if (piece.kind === 'paragraph') {
      blocks.push(first && page.dateline ? `<p><strong>${escape(datelinePrefix(page).trim().replace(/\s*[–—-]+$/u, ''))}</strong>${escape(page.dateline.dash.trimEnd() === '--' ? '--' : page.dateline.dash.trimEnd())} ${escape(piece.text)}</p>` : `<p>${escape(piece.text)}</p>`);
      first = false;
    } else if (piece.kind === 'headline') {
      const url = `https://kabarpesisir.example/${slug(piece.text)}/`;
      urls.push(url);
      const link = `<a href="${url}" target="_blank" rel="noopener">${escape(piece.text + piece.ending)}</a>`;
      blocks.push(piece.label ? `<p><strong>${escape(piece.label[0])}:</strong> ${link}</p>` : `<p>${link}</p>`);
    } else if (piece.kind === 'subheading') {
      blocks.push(theme === 'block' ? `<h2 class="wp-block-heading">${escape(piece.text)}</h2>` : `<p><strong>${escape(piece.text)}</strong></p>`);
    } else {
      const tag = piece.marker === 'number' ? 'ol' : 'ul';
      blocks.push(`<p>${escape(piece.leadIn)}</p>`, `<${tag}${theme === 'block' ? ' class="wp-block-list"' : ''}>${piece.items.map((item) => `<li>${escape(item)}</li>`).join('')}</${tag}>`);
    }
  }
  if (page.editor) blocks.push(`<p>Redaktur: ${escape(page.editor)}<br>Hak Cipta © Tulisdem 2024</p>`);
  blocks.splice(Math.min(2, blocks.length), 0, '<div class="code-block code-block-2"><ins class="adsbygoogle"></ins><script>(adsbygoogle=window.adsbygoogle||[]).push({});</script></div>');
  const share = '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social"><h3 class="sd-title">Bagikan ini:</h3><ul><li><a href="#">Facebook</a></li><li><a href="#">WhatsApp</a></li></ul></div></div>';
  const comments = page.englishBoilerplate
    ? '<div id="respond" class="comment-respond"><h3 id="reply-title">Leave a Reply</h3><form><p>Your email address will not be published.</p><textarea></textarea></form></div>'
    : '<div id="respond" class="comment-respond"><h3 id="reply-title">Tinggalkan Balasan</h3><form><p>Alamat email Anda tidak akan dipublikasikan.</p><textarea></textarea></form></div>';
  const content = theme === 'classic' ? `<div class="entry-content">${blocks.join('\n')}${share}</div>` : `<div class="entry-content wp-block-post-content is-layout-flow">${blocks.join('\n')}${share}</div>`;
  const html = `<!DOCTYPE html><html lang="id-ID"><head><meta charset="UTF-8"><title>${escape(page.title)} – Kabar Pesisir</title>
<meta property="og:title" content="${escape(page.title).replace(/"/g, '&quot;')}"><meta property="article:published_time" content="2024-02-07T09:30:00+07:00">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","headline":"x"}]}</script></head>
<body class="single single-post postid-42"><div id="page"><article id="post-42" class="post-42 post type-post"><header class="entry-header"><h1 class="entry-title">${escape(page.title)}</h1></header>
${content}<footer class="entry-footer"><span class="cat-links"><a href="/c/" rel="category tag">Berita</a></span></footer></article>${theme === 'classic' ? comments : `<div class="wp-block-comments">${comments}</div>`}</div></body></html>`;
  return { html, urls };
}

/** Text of each block of sanitized body HTML, in order. */
function bodyBlocks(html: string): string[] {
  const doc = parseDocument(html);
  return DomUtils.findAll((el) => ['p', 'li', 'h2', 'h3'].includes(el.name), doc.children).map((el) => tidy(DomUtils.textContent(el)));
}

describe(`generated pages from ${fromShared ? '../shared/data/related/articles.jsonl' : 'the committed sample of real paragraphs'} (${PARAGRAPHS.length} paragraphs, ${HEADLINES.length} headlines)`, () => {
  test.prop([pageArb], { numRuns: RUNS, ...seed })(`raw text: body, headlines and dateline come back exactly (${RUNS} pages)`, (page) => {
    const draft = parseRawText(rawPage(page));
    const want = expected(page);
    expect(draft.title).toBe(page.title);
    expect(bodyBlocks(draft.bodyHtml)).toEqual(want.body);
    expect(draft.relatedHeadlines).toEqual(want.headlines);
    expect(draft.dateline).toEqual(want.dateline);
    expect(draft.editor).toBe(page.editor);
  }, TIME_LIMIT_MS);

  test.prop([pageArb, fc.constantFrom('classic' as const, 'block' as const)], { numRuns: RUNS, ...seed })(
    `WordPress: body, linked headlines and dateline come back exactly (${RUNS} pages)`,
    (page, theme) => {
      const { html, urls } = wordpressPage(page, theme);
      const draft = parseWordPressHtml(html);
      const want = expected(page);
      expect(draft.title).toBe(page.title);
      expect(bodyBlocks(draft.bodyHtml)).toEqual(want.body.map((b) => b.replace(/^(?:\d+\. |● )/u, '')));
      expect(draft.relatedHeadlines).toEqual(want.headlines.map((h, i) => ({ ...h, url: urls[i] })));
      expect(draft.dateline).toEqual(want.dateline);
    },
    TIME_LIMIT_MS,
  );
});
