import { describe, expect, it } from 'vitest';
import {
  cleanLine,
  isBoilerplate,
  isCommentFormHeading,
  isCopyrightLine,
  matchCredit,
  matchDateline,
  matchRelatedHeadline,
} from '../../../shared/parsing/newsroom-conventions.js';

describe('matchDateline', () => {
  it.each([
    ['Jakarta (JurnalPagi) – Isi berita.', { place: 'Jakarta', source: 'JurnalPagi' }, 'Isi berita.'],
    ['Jakarta (JurnalPagi) —Isi berita.', { place: 'Jakarta', source: 'JurnalPagi' }, 'Isi berita.'],
    ['JAKARTA - Isi berita.', { place: 'Jakarta' }, 'Isi berita.'],
    ['BANDA ACEH -- Isi berita.', { place: 'Banda Aceh' }, 'Isi berita.'],
    ['Tanjung Pinang, 5/2 (Outlet) - Isi berita.', { place: 'Tanjung Pinang', source: 'Outlet' }, 'Isi berita.'],
    ['Jakarta, Rabu (7/2/2024) (Antara) – Isi berita.', { place: 'Jakarta', source: 'Antara' }, 'Isi berita.'],
    ['Jakarta, 7 Februari 2024 – Isi berita.', { place: 'Jakarta' }, 'Isi berita.'],
    ['McAllen (Wire) – Isi berita.', { place: 'McAllen', source: 'Wire' }, 'Isi berita.'],
  ])('%s', (paragraph, dateline, rest) => {
    const match = matchDateline(paragraph);
    expect(match?.dateline).toEqual(dateline);
    expect(paragraph.slice(match?.length ?? 0)).toBe(rest);
  });

  it.each([
    'Pemerintah kota menyiapkan pompa air - kata pejabat.',
    'Presiden Joko Widodo mengatakan hal itu kepada wartawan.',
    'jakarta - huruf kecil bukan dateline.',
    '“Kami siap” – katanya.',
    '2024 - tahun pemilu.',
  ])('finds no dateline in %s', (paragraph) => {
    expect(matchDateline(paragraph)).toBeUndefined();
  });
});

describe('credits, copyright and boilerplate', () => {
  it('reads credits and rejects prose that starts like one', () => {
    expect(matchCredit('Redaktur : Siti Zulikha')).toEqual({ kind: 'editor', name: 'Siti Zulikha' });
    expect(matchCredit('Editor: A/B')).toEqual({ kind: 'editor', name: 'A / B' });
    expect(matchCredit('(Red: Nurul)')).toEqual({ kind: 'editor', name: 'Nurul' });
    expect(matchCredit('Pewarta: Rudi dan Lina')).toEqual({ kind: 'reporter', names: ['Rudi', 'Lina'] });
    expect(matchCredit('Editor senior itu mengatakan redaksi akan menambah liputan daerah.')).toBeUndefined();
    expect(matchCredit(`Editor: ${'nama '.repeat(30)}`)).toBeUndefined();
  });

  it('recognises copyright lines only at the start, or the legal phrase anywhere', () => {
    expect(isCopyrightLine('Hak Cipta © JurnalPagi 2024')).toBe(true);
    expect(isCopyrightLine('(c) Outlet 2024')).toBe(true);
    expect(isCopyrightLine('Seluruh isi situs ini hak cipta dilindungi undang-undang')).toBe(true);
    expect(isCopyrightLine('Sengketa hak cipta lagu itu dibawa ke pengadilan niaga.')).toBe(false);
  });

  it('tells comment-form headings and boilerplate from article text', () => {
    expect(isCommentFormHeading('Tinggalkan Balasan')).toBe(true);
    expect(isCommentFormHeading('Leave a Reply')).toBe(true);
    expect(isCommentFormHeading('3 Komentar')).toBe(true);
    expect(isCommentFormHeading('Komentar warganet beragam soal kebijakan itu.')).toBe(false);
    expect(isBoilerplate('Situs Web')).toBe(true);
    expect(isBoilerplate('Simak juga Video "Banjir Kaligawe"')).toBe(true);
    expect(isBoilerplate('Iklan rokok dilarang tayang di televisi pada siang hari.')).toBe(false);
  });
});

describe('matchRelatedHeadline', () => {
  it('reads labelled and bare headlines', () => {
    expect(matchRelatedHeadline('Tulisdem: Platform media sosial bertanggung jawab atasi misinformasi pemilu')).toEqual({
      text: 'Platform media sosial bertanggung jawab atasi misinformasi pemilu',
      label: 'Tulisdem',
    });
    expect(matchRelatedHeadline('BACA JUGA: Kopi gayo tembus pasar Eropa »')).toEqual({ text: 'Kopi gayo tembus pasar Eropa', label: 'Baca juga' });
    expect(matchRelatedHeadline('Kematangan demokrasi tercermin di ruang digital pemilu 2024')).toEqual({
      text: 'Kematangan demokrasi tercermin di ruang digital pemilu 2024',
    });
  });

  it('reads headlines ending with ? or !, and a colon inside a headline as its own text', () => {
    expect(matchRelatedHeadline('Apa Kata Warga Soal Tarif Baru?')).toEqual({ text: 'Apa Kata Warga Soal Tarif Baru?' });
    expect(matchRelatedHeadline('Harga Cabai Tembus Rekor!')).toEqual({ text: 'Harga Cabai Tembus Rekor!' });
    expect(matchRelatedHeadline('Revisi UU Pers: Dewan Minta Masukan Publik')).toEqual({ text: 'Revisi UU Pers: Dewan Minta Masukan Publik' });
    expect(matchRelatedHeadline('Simak Juga: Tarif Baru Berlaku Mulai Senin')).toEqual({ text: 'Tarif Baru Berlaku Mulai Senin', label: 'Simak juga' });
    expect(matchRelatedHeadline('Kabar Pesisir: Nelayan Melaut Lagi', ['Kabar Pesisir'])).toEqual({ text: 'Nelayan Melaut Lagi', label: 'Kabar Pesisir' });
  });

  it('rejects sentences, quotations, fragments and long lines', () => {
    for (const line of [
      'Air mulai surut sore ini.',
      '1. Salinan akta pendirian perusahaan',
      '● Bunga tabungan tiga persen setahun',
      '* Penulis adalah pengajar ekonomi',
      '“Kami siap bekerja”',
      'Usman mengatakan: “Jadi yang dilakukan adalah meminta mereka”',
      'Bersambung',
      'Catatan: penting',
      'Kata demi kata yang terus bertambah panjang hingga melewati batas wajar sebuah judul berita daring biasa di situs',
      'Ia mengatakan,',
    ]) {
      expect(matchRelatedHeadline(line), line).toBeUndefined();
    }
  });

  it('cleans BOMs, non-breaking spaces and runs of whitespace', () => {
    expect(cleanLine('\ufeff  Judul\u00a0berita \t  utama  ')).toBe('Judul berita utama');
  });
});
