import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { DomUtils, parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { isBoilerplate, matchCredit, matchDateline, readAloneHeadlineLabel } from '../../../shared/parsing/newsroom-conventions.js';
import { parseRawText } from '../../../shared/parsing/raw-text.js';
import { parseWordPressHtml } from '../../../shared/parsing/wordpress-html.js';

/**
 * The classes of real newsroom material the labelled corpus (tests/fixtures/parsing/corpus) showed, each
 * checked as a class: hard-wrapped exports, datelines with particles and domain-named outlets, combined and
 * initials credits, video promos, subheadings judged against the article, a list's closing line, read-also
 * lists and labels set apart by markup, featured images and tag lists inside the content, AMP video.
 * Generated cases use the committed sample of real paragraphs (tests/fixtures/parsing/real-paragraphs.json).
 */
const SAMPLE = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/parsing/real-paragraphs.json'), 'utf8')) as {
  articles: { title: string; paragraphs: string[] }[];
};
const tidy = (text: string) => text.replace(/\s+/g, ' ').trim();
// Paragraphs a greedy wrap cannot turn into a line that opens like a list item, a credit or a label.
const PARAGRAPHS = [...new Set(SAMPLE.articles.flatMap((a) => a.paragraphs.map(tidy)))].filter(
  (p) => p.length > 90 && /[.!?”"]$/u.test(p) && !/\s(?:\d{1,3}[.)]|\(?[a-z][.)]|[-–—•●*·▪◦■□➢►✓✔])\s/u.test(p) && !/:/u.test(p) && !/^[\p{L} ]{1,40}(?:,[^–—-]{1,40})?\s*(?:\([^)]*\))?\s*[–—-]\s/u.test(p),
);
const TITLES = [...new Set(SAMPLE.articles.map((a) => tidy(a.title)))].filter((t) => !/[.,;:…"”'’]$/u.test(t));
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Greedy wrap at `width` columns, as mail clients and some CMS exports do. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

function bodyBlocks(html: string): string[] {
  return DomUtils.findAll((el) => ['p', 'li', 'h2', 'h3'].includes(el.name), parseDocument(html).children).map((el) => tidy(DomUtils.textContent(el)));
}

describe('raw text exports', () => {
  test.prop(
    [
      fc.constantFrom(...TITLES),
      fc.uniqueArray(fc.constantFrom(...PARAGRAPHS), { minLength: 2, maxLength: 6 }),
      fc.integer({ min: 60, max: 80 }),
      fc.constantFrom('\n', '\r\n'),
      fc.boolean(),
    ],
    { numRuns: 200 },
  )('a hard-wrapped export comes back as its paragraphs, credits and copyright apart', (title, paragraphs, width, eol, blankBeforeCredits) => {
    const groups = paragraphs.map((p) => wrap(p, width).join(eol));
    const credits = ['Editor: Lukman Hakim', 'Hak Cipta © Statistik Kini 2025'].join(eol);
    const text = [title, ...groups].join(eol + eol) + (blankBeforeCredits ? eol + eol : eol) + credits + eol;
    const draft = parseRawText(text);
    expect(draft.title).toBe(title);
    expect(bodyBlocks(draft.bodyHtml)).toEqual(paragraphs);
    expect(draft.editor).toBe('Lukman Hakim');
    expect(draft.copyright).toBe('Hak Cipta © Statistik Kini 2025');
  });

  it('keeps short one-line paragraphs apart even when no line is wide', () => {
    const lines = ['Judul Berita Pendek', 'Warga antre sejak pagi.', 'Harga beras turun.', 'Pasokan dari Jawa tiba hari ini.'];
    expect(bodyBlocks(parseRawText(lines.join('\n')).bodyHtml)).toEqual(lines.slice(1));
  });

  const title = 'Fakta Ngeri Mami Dibunuh Suami Siri: Digorok 3 Kali-Tidur Bareng Mayat';
  const p1 = 'Polisi mengungkap kronologi pembunuhan seorang pengelola bar di Jakarta Barat oleh suami sirinya.';
  const p2 = 'Pelaku sempat bermalam di kamar yang sama sebelum akhirnya kabur ke rumah kerabatnya.';
  const p3 = 'Jenazah korban ditemukan keesokan harinya oleh petugas kebersihan.';

  it('reads a short line as a subheading when its words recur in the title or the section it opens', () => {
    const draft = parseRawText([title, p1, 'Tidur Bareng Mayat Semalaman', p2, p3].join('\n\n'));
    expect(bodyBlocks(draft.bodyHtml)).toEqual([p1, 'Tidur Bareng Mayat Semalaman', p2, p3]);
    expect(draft.relatedHeadlines).toEqual([]);
  });

  it('reads a short line about another story as a headline, and a long headline even when it shares words', () => {
    const other = 'Harga Cabai Rawit Tembus Rekor!';
    const long = 'Polisi Tangkap Pelaku Pembunuhan Bos Bar di Jakarta Barat Saat Bersembunyi di Rumah Kerabat';
    const draft = parseRawText([title, p1, other, p2, long, p3].join('\n\n'));
    expect(bodyBlocks(draft.bodyHtml)).toEqual([p1, p2, p3]);
    expect(draft.relatedHeadlines).toEqual([{ text: other }, { text: long }]);
  });

  it("keeps the line closing a list in the body when it continues the list's subject, and takes an unrelated one as a headline", () => {
    const lead = 'Adapun barang yang disita kejaksaan dari rumah tersangka yaitu:';
    const items = ['1. Kendaraan roda empat 7 unit senilai Rp 3,5 miliar', '2. Logam mulia 645 gram senilai Rp 1,29 miliar'];
    const total = 'Total aset yang disita senilai Rp 38,5 miliar';
    const closing = parseRawText(['Judul', p1, lead, ...items, total, p2].join('\n\n'));
    expect(bodyBlocks(closing.bodyHtml)).toEqual([p1, lead, ...items, total, p2]);
    const unrelated = 'Harga Cabai Rawit Tembus Rekor!';
    const after = parseRawText(['Judul', p1, lead, ...items, unrelated, p2].join('\n\n'));
    expect(after.relatedHeadlines).toEqual([{ text: unrelated }]);
    // A headline-length line sharing one incidental word with the list ("miliar") is another story.
    const sharing = 'Rupiah Melemah, Cadangan Devisa Turun Rp 3,5 Miliar dalam Sepekan Terakhir';
    const shared = parseRawText(['Judul', p1, lead, ...items, sharing, p2].join('\n\n'));
    expect(bodyBlocks(shared.bodyHtml)).toEqual([p1, lead, ...items, p2]);
    expect(shared.relatedHeadlines).toEqual([{ text: sharing }]);
  });
});

describe('datelines, credits and promos', () => {
  const PLACES: [written: string, place: string][] = [
    ['Rio de Janeiro', 'Rio de Janeiro'], ['Dar es Salaam', 'Dar es Salaam'], ['Den Haag', 'Den Haag'], ['JAKARTA', 'Jakarta'], ['Kuala Lumpur', 'Kuala Lumpur'], ['Los Angeles', 'Los Angeles'],
  ];
  test.prop([
    fc.constantFrom(...PLACES),
    fc.stringMatching(/^[A-Z][A-Za-z0-9]{2,9}(?:-[A-Z][a-z]{2,6})?\.(?:com|id|co\.id|net)$/),
    fc.constantFrom(' – ', ' - ', ' — ', '--'),
    fc.constantFrom(...PARAGRAPHS),
  ])('reads a place with particles and a domain-named outlet after a comma', ([written, place], outlet, dash, rest) => {
    const paragraph = `${written}, ${outlet}${dash}${rest}`;
    const match = matchDateline(paragraph);
    expect(match?.dateline).toEqual({ place, source: outlet });
    expect(paragraph.slice(match?.length ?? 0)).toBe(rest);
  });

  test.prop([fc.constantFrom(...PLACES), fc.constantFrom(' – ', ' - ', ' — '), fc.constantFrom(...PARAGRAPHS)])(
    'reads a place with particles before the outlet in brackets',
    ([written, place], dash, rest) => {
      expect(matchDateline(`${written} (Kabar Dunia)${dash}${rest}`)?.dateline).toEqual({ place, source: 'Kabar Dunia' });
    },
  );

  it('takes no province after a comma for an outlet', () => {
    expect(matchDateline('Surabaya, Jawa Timur – Isi berita.')?.dateline.source).toBeUndefined();
  });

  it.each([
    ['Penulis/Editor: Fadli Rahman', ['Fadli Rahman']],
    ['Reporter & Editor: Ani Kusuma', ['Ani Kusuma']],
    ['Pewarta dan Editor : Dwi Putra', ['Dwi Putra']],
  ])('reads %s as the writer who also edited', (line, names) => {
    expect(matchCredit(line)).toEqual({ kind: 'reporter', names, alsoEditor: true });
    const draft = parseRawText(['Judul', 'Paragraf pertama yang cukup panjang untuk sebuah berita.', line].join('\n\n'));
    expect(draft.authors).toEqual(names.map((name) => ({ name })));
    expect(draft.editor).toBe(names.join(' / '));
  });

  it.each([['(ant/rdp)', 'ant/rdp'], ['(idn / imk)', 'idn/imk'], ['(rdp/imk/fas)', 'rdp/imk/fas']])('reads the desk initials %s as the editor', (line, editor) => {
    expect(matchCredit(line)).toEqual({ kind: 'editor', name: editor });
  });

  it.each(['(Rp 5/kg)', '(a/b)', '(Jakarta/Bandung)'])('reads %s as no credit', (line) => {
    expect(matchCredit(line)).toBeUndefined();
  });

  test.prop([
    fc.constantFrom('Simak', 'Tonton', 'Lihat', 'Saksikan', 'SIMAK', 'simak'),
    fc.constantFrom('', ' juga', ' Juga'),
    fc.constantFrom('Video', 'video', 'VIDEO', 'Live'),
    fc.constantFrom(...TITLES),
    fc.constantFrom(': ', ' ', ' "', " '"),
  ])('drops a video promo line as not article text', (verb, also, kind, headline, joint) => {
    expect(isBoilerplate(`${verb}${also} ${kind}${joint}${headline}`)).toBe(true);
  });

  it('keeps a "Lihat juga:" read-also line and prose about a video', () => {
    expect(isBoilerplate('Lihat juga: Harga Cabai Rawit Tembus Rekor')).toBe(false);
    expect(isBoilerplate('Video itu kemudian viral di media sosial dan ditonton jutaan kali.')).toBe(false);
  });

  it.each([['Baca Juga', 'Baca juga'], ['BACA JUGA :', 'Baca juga'], ['Artikel Terkait:', 'Artikel terkait'], ['Tulisdem', 'Tulisdem']])('reads %s standing alone as the label %s', (text, label) => {
    expect(readAloneHeadlineLabel(text)).toBe(label);
  });

  it.each(['Baca juga: Harga Cabai', 'Berikut daftarnya:', ''])('reads %s as no standalone label', (text) => {
    expect(readAloneHeadlineLabel(text)).toBeUndefined();
  });
});

describe('WordPress content', () => {
  const page = (content: string, extra = '') =>
    `<!DOCTYPE html><html lang="id"><head><title>Judul Berita – Situs</title><link rel="canonical" href="https://situs.example/berita/judul/"></head><body class="single postid-7"><article id="post-7">${extra}<h1 class="entry-title">Judul Berita</h1><div class="entry-content">${content}</div></article></body></html>`;
  const [first, second] = PARAGRAPHS;

  test.prop([
    fc.uniqueArray(fc.constantFrom(...TITLES), { minLength: 1, maxLength: 4 }),
    fc.constantFrom(
      ['<p><strong>Baca Juga:</strong></p>', 'Baca juga'],
      ['<p>BACA JUGA</p>', 'Baca juga'],
      ['<h3>Artikel Terkait</h3>', 'Artikel terkait'],
      ['<p><span style="color:#c00">Berita Terkait :</span></p>', 'Berita terkait'],
    ),
    fc.constantFrom('ul', 'ol'),
    fc.boolean(),
  ])('reads a list of links after a read-also label as related headlines, in order', (titles, [labelHtml, label], tag, boxed) => {
    const urls = titles.map((_, i) => `https://situs.example/berita/lain-${i}/`);
    const list = `${labelHtml}<${tag}>${titles.map((t, i) => `<li><a href="${urls[i]}">${escape(t)}</a></li>`).join('')}</${tag}>`;
    const draft = parseWordPressHtml(page(`<p>${escape(first ?? '')}</p>${boxed ? `<div class="box-baca-juga">${list}</div>` : list}<p>${escape(second ?? '')}</p>`));
    expect(draft.relatedHeadlines).toEqual(titles.map((text, i) => ({ text, label, url: urls[i] })));
    expect(bodyBlocks(draft.bodyHtml)).toEqual([first, second]);
  });

  it('keeps a list of links without a read-also label in the body', () => {
    const draft = parseWordPressHtml(page(`<p>${escape(first ?? '')}</p><p>Sumber data:</p><ul><li><a href="https://bps.example/">Badan Pusat Statistik</a></li></ul>`));
    expect(draft.relatedHeadlines).toEqual([]);
    expect(bodyBlocks(draft.bodyHtml)).toEqual([first, 'Sumber data:', 'Badan Pusat Statistik']);
  });

  test.prop([fc.constantFrom(...TITLES), fc.constantFrom('<span class="label">Baca Juga</span> ', '<strong>BACA JUGA</strong>', '<b>Lihat juga</b> ')])(
    'reads a label set apart by markup, without a colon, before one link',
    (title, labelHtml) => {
      const draft = parseWordPressHtml(page(`<p>${escape(first ?? '')}</p><div class="baca-juga-box">${labelHtml}<a href="/lain/">${escape(title)}</a></div><p>${escape(second ?? '')}</p>`));
      expect(draft.relatedHeadlines).toEqual([{ text: title, label: /lihat/i.test(labelHtml) ? 'Lihat juga' : 'Baca juga', url: 'https://situs.example/lain/' }]);
      expect(bodyBlocks(draft.bodyHtml)).toEqual([first, second]);
    },
  );

  it('reads a featured image inside the content as the article image with its caption, not as body text', () => {
    const featured = '<div class="td-post-featured-image"><figure><img src="https://situs.example/foto.jpg" width="696" height="392"><figcaption class="wp-caption-text">Keterangan foto utama.</figcaption></figure></div>';
    const draft = parseWordPressHtml(page(`${featured}<p>${escape(first ?? '')}</p>`));
    expect(draft.images).toEqual([{ url: 'https://situs.example/foto.jpg', width: 696, height: 392, caption: 'Keterangan foto utama.' }]);
    expect(bodyBlocks(draft.bodyHtml)).toEqual([first]);
  });

  it('keeps a figure of the text, with its caption, in the body', () => {
    const draft = parseWordPressHtml(page(`<p>${escape(first ?? '')}</p><figure class="wp-block-image"><img src="https://situs.example/b.jpg"><figcaption>Suasana pasar pagi ini.</figcaption></figure>`));
    expect(draft.bodyHtml).toContain('https://situs.example/b.jpg');
    expect(DomUtils.textContent(parseDocument(draft.bodyHtml))).toContain('Suasana pasar pagi ini.');
  });

  it('reads a tag list inside the content as tags, not body text', () => {
    const tags = '<div class="post-bottom-meta post-bottom-tags"><span>Tags</span> <a href="/tag/banjir/" rel="tag">Banjir</a> <a href="/tag/pantura/" rel="tag">Pantura</a></div>';
    const draft = parseWordPressHtml(page(`<p>${escape(first ?? '')}</p>${tags}`));
    expect(draft.tags).toEqual(['Banjir', 'Pantura']);
    expect(tidy(DomUtils.textContent(parseDocument(draft.bodyHtml)))).toBe(first);
  });

  it("turns AMP's amp-youtube into a link to the video, as it does a YouTube iframe", () => {
    const draft = parseWordPressHtml(page(`<p>${escape(first ?? '')}</p><amp-youtube data-videoid="Hn3kP0aZx1Q" layout="responsive" width="480" height="270"></amp-youtube>`));
    expect(bodyBlocks(draft.bodyHtml)).toEqual([first, 'https://www.youtube.com/watch?v=Hn3kP0aZx1Q']);
  });

  it("takes the image size from JSON-LD's ImageObject when the page gives no other", () => {
    const ld = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Judul Berita","image":{"@type":"ImageObject","url":"https://situs.example/utama.jpg","width":1200,"height":675}}</script>';
    const draft = parseWordPressHtml(page(`<p>${escape(first ?? '')}</p>`).replace('</head>', `${ld}</head>`));
    expect(draft.images).toEqual([{ url: 'https://situs.example/utama.jpg', width: 1200, height: 675 }]);
  });
});
