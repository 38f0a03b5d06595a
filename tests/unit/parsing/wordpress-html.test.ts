import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ArticleDraftSchema } from '../../../shared/model/article.js';
import { parseWordPressHtml } from '../../../shared/parsing/wordpress-html.js';

function fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../fixtures/parsing/${name}`, import.meta.url)), 'utf8');
}

function paragraphs(bodyHtml: string): string[] {
  return [...bodyHtml.matchAll(/<p>(.*?)<\/p>/gs)].map((m) => m[1] ?? '');
}

describe('parseWordPressHtml on a full theme page', () => {
  const draft = parseWordPressHtml(fixture('wp-full-theme.html'));

  it('reads the post metadata from Open Graph, article metas and theme markup', () => {
    expect(draft).toMatchObject({
      id: 'wp-4812',
      title: 'Harga cabai rawit di Surabaya turun setelah panen raya',
      url: 'https://jurnalpagi.example/ekonomi/harga-cabai-rawit-surabaya-turun/',
      publishedAt: '2024-02-06T01:15:00.000Z',
      updatedAt: '2024-02-06T03:02:31.000Z',
      language: 'id',
      section: 'Ekonomi',
      authors: [{ name: 'Dewi Lestari' }],
      summary: 'Harga cabai rawit di pasar tradisional Surabaya turun hingga Rp40.000 per kilogram setelah panen raya di Kediri dan Blitar.',
    });
    // Second category joins the tags; the sidebar tag cloud ("Pemilu") is outside the post and ignored.
    expect(draft.tags).toEqual(['Pangan', 'Inflasi', 'Cabai', 'Jawa Timur']);
  });

  it('reads the featured image with its size and caption', () => {
    expect(draft.images).toEqual([
      {
        url: 'https://jurnalpagi.example/wp-content/uploads/2024/02/cabai-rawit.jpg',
        width: 1200,
        height: 675,
        type: 'image/jpeg',
        caption: 'Pedagang menata cabai rawit di Pasar Keputran, Surabaya, Selasa (6/2/2024).',
      },
    ]);
  });

  it('keeps only the article paragraphs, dateline cut, and pulls out conventions', () => {
    const body = paragraphs(draft.bodyHtml);
    expect(body).toHaveLength(4);
    expect(body[0]).toMatch(/^Harga cabai rawit di sejumlah pasar/);
    expect(draft.dateline).toEqual({ place: 'Surabaya', source: 'JurnalPagi' });
    expect(draft.editor).toBe('Bambang Wijaya / Rina Kartika');
    expect(draft.relatedHeadlines).toEqual([
      {
        text: 'Stok beras Bulog Jawa Timur aman hingga Lebaran',
        label: 'Baca juga',
        url: 'https://jurnalpagi.example/ekonomi/stok-beras-bulog-aman/',
      },
    ]);
    for (const junk of ['ADVERTISEMENT', 'adsbygoogle', 'script', 'Bagikan', 'Facebook', 'Terkait', 'Tinggalkan', 'Komentar', 'Pewarta', 'Editor', 'Baca juga', 'Terpopuler', 'Hak Cipta']) {
      expect(draft.bodyHtml, junk).not.toContain(junk);
    }
    expect(ArticleDraftSchema.safeParse(draft).success).toBe(true);
  });
});

describe('parseWordPressHtml on other page shapes', () => {
  it('reads everything from JSON-LD when the page has no Open Graph or article metas', () => {
    const draft = parseWordPressHtml(fixture('wp-json-ld-only.html'));
    expect(draft).toMatchObject({
      title: 'Timnas U-23 tiba di Doha untuk pemusatan latihan',
      url: 'https://jurnalpagi.example/olahraga/timnas-u23-doha/',
      publishedAt: '2024-02-09T12:40:00.000Z',
      updatedAt: '2024-02-10T00:05:00.000Z',
      authors: [{ name: 'Yoga Prasetyo' }],
      section: 'Olahraga',
      tags: ['Timnas', 'Sepak Bola'],
      summary: 'Skuad Garuda Muda mendarat di Doha dan langsung menjalani latihan ringan.',
      images: [{ url: 'https://jurnalpagi.example/wp-content/uploads/2024/02/timnas-doha.jpg' }],
      dateline: { place: 'Doha', source: 'JurnalPagi' },
      language: 'id',
    });
    expect(draft.id).toBeUndefined();
    expect(paragraphs(draft.bodyHtml)).toHaveLength(3);
    expect(ArticleDraftSchema.safeParse(draft).success).toBe(true);
  });

  it('uses <time datetime> and rel=author when metas are missing, and strips the <title> site suffix when no h1', () => {
    const page = fixture('wp-time-only.html');
    const draft = parseWordPressHtml(page);
    expect(draft).toMatchObject({
      title: 'Court sets date for port graft verdict',
      publishedAt: '2024-02-12T07:30:00.000Z',
      authors: [{ name: 'Ari Wibowo' }],
      section: 'Hukum',
      language: 'en',
      dateline: { place: 'Makassar' },
      relatedHeadlines: [
        { text: 'Witnesses describe cash handovers at port office', label: 'Read also', url: 'https://ledger.example/law/port-graft-hearing/' },
      ],
    });
    expect(draft.updatedAt).toBeUndefined();
    expect(draft.url).toBeUndefined();
    expect(paragraphs(draft.bodyHtml)).toHaveLength(3);
    const withoutH1 = parseWordPressHtml(page.replace(/<h1 class="entry-title">.*?<\/h1>/, ''));
    expect(withoutH1.title).toBe('Court sets date for port graft verdict');
  });

  it('survives a nasty page: unclosed tags, scripts, event handlers, javascript: links, nested share widgets', () => {
    const draft = parseWordPressHtml(fixture('wp-nasty.html'));
    expect(draft.title).toBe('Festival kuliner "Rasa Nusantara" digelar di Banda Aceh & Medan');
    expect(draft.id).toBe('wp-77');
    // Unparseable dates pass through so validation can name the field.
    expect(draft.publishedAt).toBe('kemarin sore');
    expect(draft.dateline).toEqual({ place: 'Banda Aceh' });
    expect(draft.editor).toBe('Cut Nyak Meutia');
    expect(draft.copyright).toBe('© 2024 JurnalPagi');
    expect(draft.images).toEqual([{ url: 'https://jurnalpagi.example/wp-content/uploads/festival.jpg' }]);
    expect(draft.relatedHeadlines).toEqual([
      { text: 'Kopi gayo tembus pasar Eropa', label: 'Baca juga', url: 'https://jurnalpagi.example/gaya-hidup/kopi-gayo-ekspor/' },
    ]);
    for (const bad of ['<script', 'onerror', 'onclick', 'javascript:', 'style=', 'injected', 'tracker.example', 'Bagikan', 'Share', 'Leave a Reply', '<b>BANDA']) {
      expect(draft.bodyHtml, bad).not.toContain(bad);
    }
    expect(draft.bodyHtml).toContain('sie reuboh &amp; kopi gayo');
    expect(draft.bodyHtml).toContain('50\u00a0ribu pengunjung');
    expect(draft.bodyHtml).toContain('<a href="https://jurnalpagi.example/daftar?ref=a&amp;b=1">laman resmi</a>');
    expect(draft.bodyHtml).toContain('<a href="https://www.youtube.com/watch?v=abcDEF12345">');
    expect(paragraphs(draft.bodyHtml)[0]).toMatch(/^Festival kuliner “Rasa Nusantara” dibuka/);
    const result = ArticleDraftSchema.safeParse(draft);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['publishedAt']);
  });

  it('reads credits and copyright sharing one paragraph split by <br>', () => {
    const draft = parseWordPressHtml(
      '<div class="entry-content"><p>Isi berita pertama yang cukup panjang.</p><p>Pewarta: Dewi Lestari<br>Editor: Agus Salim<br/>Hak Cipta © JurnalPagi 2024</p></div>',
    );
    expect(draft.authors).toEqual([{ name: 'Dewi Lestari' }]);
    expect(draft.editor).toBe('Agus Salim');
    expect(draft.copyright).toBe('Hak Cipta © JurnalPagi 2024');
    expect(draft.bodyHtml).toBe('<p>Isi berita pertama yang cukup panjang.</p>');
  });

  it('falls back to the article element without its header and footer, then to JSON-LD articleBody', () => {
    const fromArticle = parseWordPressHtml(
      '<article><header class="entry-header"><h1 class="entry-title">Judul</h1></header><p>Paragraf satu.</p><p>Paragraf dua.</p><footer>Kategori: Nasional</footer></article>',
    );
    expect(fromArticle.title).toBe('Judul');
    expect(fromArticle.bodyHtml).toBe('<p>Paragraf satu.</p><p>Paragraf dua.</p>');
    const fromLd = parseWordPressHtml(
      '<script type="application/ld+json">[{"@type":"WebSite"},{"@type":["NewsArticle"],"headline":"Judul LD","articleBody":"Baris satu & dua.\\n\\nBaris <tiga>."}]</script>',
    );
    expect(fromLd.title).toBe('Judul LD');
    expect(fromLd.bodyHtml).toBe('<p>Baris satu &amp; dua.</p>\n<p>Baris &lt;tiga&gt;.</p>');
  });

  it('drops a comment form written into the content and everything after it', () => {
    const draft = parseWordPressHtml(
      '<div class="entry-content"><div><p>Isi berita yang tetap ada.</p><p>Tinggalkan Balasan</p><p>Nama *</p></div><p>Komentar pembaca yang panjang sekali.</p></div>',
    );
    expect(draft.bodyHtml).toBe('<p>Isi berita yang tetap ada.</p>');
  });

  it('never throws on garbage and reports an empty draft', () => {
    for (const input of ['', 'not html at all', '<<<>>>&&&', '<script type="application/ld+json">{broken</script>']) {
      const draft = parseWordPressHtml(input);
      expect(draft.bodyHtml).toBe('');
      expect(typeof draft.title).toBe('string');
    }
  });
});

describe('parseWordPressHtml: a read-also item is a link or a labelled paragraph', () => {
  it('keeps unlinked, unlabelled short paragraphs in the body and reads linked or labelled ones as headlines', () => {
    const html = `<html><body><article><h1 class="entry-title">Aturan Baru Parkir</h1><div class="entry-content">
<p>Dinas perhubungan menaikkan tarif parkir di pusat kota mulai bulan depan.</p>
<p>Berikut isi lengkap aturannya</p>
<p>Tarif naik bagi semua kendaraan</p>
<p><a href="https://kabar.example/banjir-rob">Banjir Rob Rendam Pesisir Utara</a></p>
<p>Baca juga: Warga Keluhkan Antrean SPBU</p>
<p>* Penulis adalah pengamat transportasi</p>
</div></article></body></html>`;
    const draft = parseWordPressHtml(html);
    expect(draft.relatedHeadlines).toEqual([
      { text: 'Banjir Rob Rendam Pesisir Utara', url: 'https://kabar.example/banjir-rob' },
      { text: 'Warga Keluhkan Antrean SPBU', label: 'Baca juga' },
    ]);
    for (const kept of ['Berikut isi lengkap aturannya', 'Tarif naik bagi semua kendaraan', '* Penulis adalah pengamat transportasi']) expect(draft.bodyHtml).toContain(kept);
  });
});
