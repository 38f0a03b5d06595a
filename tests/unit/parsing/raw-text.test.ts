import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ArticleDraftSchema } from '../../../shared/model/article.js';
import { parseRawText } from '../../../shared/parsing/raw-text.js';

const samplePath = fileURLToPath(new URL('../../../examples/articles/000_1274e15701f62eef.txt', import.meta.url));

function paragraphs(bodyHtml: string): string[] {
  return [...bodyHtml.matchAll(/<p>(.*?)<\/p>/gs)].map((m) => m[1] ?? '');
}

/** A small article in the outlet's format; `lines` are joined by `eol`. */
function article(lines: string[], eol = '\n'): string {
  return lines.join(eol);
}

const P1 = 'Pemerintah kota menyiapkan 40 pompa air tambahan untuk menghadapi puncak musim hujan tahun ini.';
const P2 = 'Kepala dinas pekerjaan umum mengatakan pompa itu akan ditempatkan di enam titik rawan genangan.';
const P3 = 'Warga diminta melapor melalui layanan pengaduan bila genangan tidak surut dalam dua jam.';

describe('parseRawText on the outlet sample', () => {
  const draft = parseRawText(readFileSync(samplePath, 'utf8'));
  const body = paragraphs(draft.bodyHtml);

  it('reads title, dateline, editor and copyright', () => {
    expect(draft.title).toBe(
      'Kementerian Komunikasi dan Informatika mengoordinasikan platform untuk menjaga keamanan layanan dalam pemilu',
    );
    expect(draft.dateline).toEqual({ place: 'Jakarta', source: 'JurnalPagi' });
    expect(draft.editor).toBe('Siti Zulikha');
    expect(draft.copyright).toBe('Hak Cipta © JurnalPagi 2024');
    expect(draft.publishedAt).toBeUndefined();
  });

  it('keeps exactly the 11 body paragraphs, in order, with the dateline removed', () => {
    expect(body).toHaveLength(11);
    expect(body[0]).toMatch(/^Kementerian Komunikasi dan Informatika \(Kemenkominfo\) tengah mengkoordinasikan/);
    expect(body[1]).toMatch(/^Hal ini dilakukan/);
    expect(body[10]).toMatch(/^Di akhir, Osman mengatakan/);
    expect(draft.bodyHtml).not.toContain('JurnalPagi) –');
  });

  it('turns the three inline headlines into related headlines, not body text', () => {
    expect(draft.relatedHeadlines).toEqual([
      { text: 'Platform media sosial bertanggung jawab atasi misinformasi pemilu', label: 'Tulisdem' },
      { text: 'Kematangan demokrasi tercermin di ruang digital pemilu 2024' },
      { text: 'Pemerintah berkomitmen melindungi hak individu di ruang digital untuk demokrasi' },
    ]);
    for (const h of draft.relatedHeadlines ?? []) expect(draft.bodyHtml).not.toContain(h.text);
  });

  it('leaves no credit, copyright or comment-form boilerplate in the body', () => {
    for (const junk of ['Redaktur', 'Hak Cipta', 'Tinggalkan Balasan', 'Alamat email', 'Ruas yang wajib']) {
      expect(draft.bodyHtml).not.toContain(junk);
    }
  });

  it('escapes text and produces a draft the schema accepts', () => {
    expect(ArticleDraftSchema.safeParse(draft).success).toBe(true);
    expect(draft.bodyHtml).toContain('“Jadi kami berkoordinasi');
  });
});

describe('parseRawText variants', () => {
  it('handles CRLF line endings, a BOM, trailing spaces and non-breaking spaces', () => {
    const text = '\ufeff' + article(['Judul banjir  ', '', `Bandung (JurnalPagi) –\u00a0${P1}   `, '', `${P2}\t`, '', 'Redaktur : Ani'], '\r\n');
    const draft = parseRawText(text);
    expect(draft.title).toBe('Judul banjir');
    expect(draft.dateline).toEqual({ place: 'Bandung', source: 'JurnalPagi' });
    expect(paragraphs(draft.bodyHtml)).toEqual([P1, P2]);
    expect(draft.editor).toBe('Ani');
  });

  it('tolerates stray blank lines and paragraphs separated by single newlines', () => {
    const draft = parseRawText(article(['', '', 'Judul', '', '', '', P1, P2, '', '', '', P3, '', '']));
    expect(draft.title).toBe('Judul');
    expect(paragraphs(draft.bodyHtml)).toEqual([P1, P2, P3]);
  });

  it('reads datelines without a source, with a date, multi-word and all-caps places, and other dashes', () => {
    const cases: [string, { place: string; source?: string }][] = [
      [`JAKARTA - ${P1}`, { place: 'Jakarta' }],
      [`Banda Aceh (Antara) — ${P1}`, { place: 'Banda Aceh', source: 'Antara' }],
      [`TANJUNG PINANG, 5/2 (JurnalPagi) -- ${P1}`, { place: 'Tanjung Pinang', source: 'JurnalPagi' }],
      [`Jakarta, 5/2 (Outlet) - ${P1}`, { place: 'Jakarta', source: 'Outlet' }],
      [`Makassar (JurnalPagi)-${P1}`, { place: 'Makassar', source: 'JurnalPagi' }],
    ];
    for (const [first, dateline] of cases) {
      const draft = parseRawText(article(['Judul', '', first, '', P2]));
      expect(draft.dateline, first).toEqual(dateline);
      expect(paragraphs(draft.bodyHtml)[0], first).toBe(P1);
    }
  });

  it('leaves the first paragraph whole when there is no dateline', () => {
    const draft = parseRawText(article(['Judul', '', P1, '', P2]));
    expect(draft.dateline).toBeUndefined();
    expect(paragraphs(draft.bodyHtml)).toEqual([P1, P2]);
  });

  it('reads "Baca juga" labels in their usual spellings and headlines without a label', () => {
    const draft = parseRawText(
      article([
        'Judul', '', P1, '',
        'Baca juga: Pompa air baru dipasang di Kelurahan Sukajadi', '',
        'BACA JUGA: Tanggul sungai diperkuat sebelum puncak hujan', '',
        'Baca Juga : Warga bergotong royong membersihkan saluran', '',
        'Lihat juga: Peta genangan diperbarui setiap jam', '',
        'Read also: City adds pumps before rainy season peak', '',
        P2, '',
        'Relawan membuka dapur umum di tiga kecamatan', '',
        P3,
      ]),
    );
    expect(draft.relatedHeadlines).toEqual([
      { text: 'Pompa air baru dipasang di Kelurahan Sukajadi', label: 'Baca juga' },
      { text: 'Tanggul sungai diperkuat sebelum puncak hujan', label: 'Baca juga' },
      { text: 'Warga bergotong royong membersihkan saluran', label: 'Baca juga' },
      { text: 'Peta genangan diperbarui setiap jam', label: 'Lihat juga' },
      { text: 'City adds pumps before rainy season peak', label: 'Read also' },
      { text: 'Relawan membuka dapur umum di tiga kecamatan' },
    ]);
    expect(paragraphs(draft.bodyHtml)).toEqual([P1, P2, P3]);
  });

  it('keeps a short paragraph ending with a period and a quotation as body text', () => {
    const draft = parseRawText(article(['Judul', '', P1, '', 'Air mulai surut sore ini.', '', '“Kami tetap siaga di lokasi”', '', P2]));
    expect(draft.relatedHeadlines).toEqual([]);
    expect(paragraphs(draft.bodyHtml)).toEqual([P1, 'Air mulai surut sore ini.', '“Kami tetap siaga di lokasi”', P2]);
  });

  it('reads editor and reporter credit variants', () => {
    const cases: [string, string | undefined, string[]][] = [
      ['Redaktur: Budi Santoso', 'Budi Santoso', []],
      ['Editor: Maria Ulfa', 'Maria Ulfa', []],
      ['Penyunting: Agus Salim', 'Agus Salim', []],
      ['(Red: Nurul Hidayah)', 'Nurul Hidayah', []],
      ['Editor : Maria Ulfa / Agus Salim', 'Maria Ulfa / Agus Salim', []],
      ['Pewarta: Rudi Hartono, Lina Marlina', undefined, ['Rudi Hartono', 'Lina Marlina']],
    ];
    for (const [line, editor, authors] of cases) {
      const draft = parseRawText(article(['Judul', '', P1, '', line]));
      expect(draft.editor, line).toBe(editor);
      expect((draft.authors ?? []).map((a) => a.name), line).toEqual(authors);
      expect(paragraphs(draft.bodyHtml), line).toEqual([P1]);
    }
  });

  it('reads copyright variants as written', () => {
    for (const line of ['Copyright © 2024 Outlet', '© 2024 Outlet', '(c) Outlet 2024', 'Hak cipta dilindungi undang-undang', 'HAK CIPTA © JURNALPAGI 2024']) {
      const draft = parseRawText(article(['Judul', '', P1, '', `${line}  `]));
      expect(draft.copyright, line).toBe(line);
      expect(paragraphs(draft.bodyHtml), line).toEqual([P1]);
    }
  });

  it('drops the English comment form, share prompts and ad markers', () => {
    const draft = parseRawText(
      article([
        'Judul', '', P1, '', 'ADVERTISEMENT', '', 'SCROLL TO CONTINUE WITH CONTENT', '', P2, '',
        'Simak juga Video "Banjir di jalan protokol"', '', 'Share this:', 'WhatsApp', 'Facebook', '',
        'Leave a Reply', '', 'Your email address will not be published. Required fields are marked *', '',
        'Comment *', 'Name *', 'Email *', 'Website', 'Save my name, email, and website in this browser for the next time I comment.', 'Post Comment', '',
        'A reader wrote this long comment that must never reach the body of the article.',
      ]),
    );
    expect(paragraphs(draft.bodyHtml)).toEqual([P1, P2]);
    expect(draft.relatedHeadlines).toEqual([]);
  });

  it('drops the Indonesian comment form fields', () => {
    const draft = parseRawText(
      article([
        'Judul', '', P1, '', 'Bagikan:', 'Cetak', '', 'Tinggalkan Balasan', 'Komentar', 'Nama *', 'Email *', 'Situs Web',
        'Simpan nama, email, dan situs web saya pada peramban ini untuk komentar saya berikutnya.', 'Kirim Komentar',
      ]),
    );
    expect(paragraphs(draft.bodyHtml)).toEqual([P1]);
  });

  it('escapes HTML-looking text instead of passing it through', () => {
    const draft = parseRawText(article(['Judul <b>tebal</b>', '', 'Harga naik 5% & <script>alert(1)</script> tetap teks.']));
    expect(draft.title).toBe('Judul <b>tebal</b>');
    expect(draft.bodyHtml).toBe('<p>Harga naik 5% &amp; &lt;script&gt;alert(1)&lt;/script&gt; tetap teks.</p>');
  });

  it('returns an empty title and body for empty input instead of throwing', () => {
    const draft = parseRawText('\ufeff \r\n \n');
    expect(draft.title).toBe('');
    expect(draft.bodyHtml).toBe('');
    expect(ArticleDraftSchema.safeParse(draft).success).toBe(false);
  });
});

describe('parseRawText: headlines, subheadings and lists (docs/parsing.md)', () => {
  const A = 'Dinas perhubungan menaikkan tarif parkir di pusat kota mulai bulan depan untuk mengurangi kemacetan.';
  const B = 'Pedagang di sekitar alun-alun mengaku khawatir pembeli akan berkurang karena tarif yang lebih mahal.';

  it('takes a bare headline ending with ? or ! and one with a colon in its own text', () => {
    const draft = parseRawText(article(['Judul', '', A, '', 'Apa Kata Warga Soal Banjir Rob?', '', B, '', 'Harga Cabai Tembus Rekor!', '', P3, '', 'Revisi UU Pers: Dewan Minta Masukan Publik', '', P1]));
    expect(draft.relatedHeadlines).toEqual([{ text: 'Apa Kata Warga Soal Banjir Rob?' }, { text: 'Harga Cabai Tembus Rekor!' }, { text: 'Revisi UU Pers: Dewan Minta Masukan Publik' }]);
    expect(paragraphs(draft.bodyHtml)).toEqual([A, B, P3, P1]);
  });

  it('keeps numbered lists, bullets, a company line with its ticker and a subheading of the next paragraph in the body', () => {
    const lines = [
      'Judul', '', A, '',
      'Berikut dokumen yang harus disiapkan', '', '1. Salinan akta pendirian perusahaan', '', '2. Surat keterangan domisili usaha', '',
      '● Bunga tabungan tiga persen setahun', '',
      'PT Bank Jago Tbk (ARTO)', '', 'Saham bank digital itu naik dua persen pada perdagangan pagi.', '',
      'Tarif Parkir Pusat Kota', '', 'Tarif parkir pusat kota naik menjadi Rp 5.000 per jam bagi mobil.', '',
      '* Penulis adalah pengajar ekonomi', '',
    ];
    const draft = parseRawText(article(lines));
    expect(draft.relatedHeadlines).toEqual([]);
    expect(paragraphs(draft.bodyHtml)).toEqual(lines.slice(2).filter((l) => l !== ''));
  });

  it('reads the outlet named in the dateline as a headline label', () => {
    const draft = parseRawText(article(['Judul', '', `Semarang (Kabar Pesisir) – ${A}`, '', 'Kabar Pesisir: Nelayan Kembali Melaut', '', B]));
    expect(draft.relatedHeadlines).toEqual([{ text: 'Nelayan Kembali Melaut', label: 'Kabar Pesisir' }]);
  });
});
