import { describe, expect, it } from 'vitest';
import { toNinjs } from '../../../shared/partners/ninjs.js';
import { makeArticle } from './in-memory.js';

describe('toNinjs', () => {
  const article = makeArticle({
    id: 'kominfo-pemilu-2024',
    title: 'Kementerian Komunikasi dan Informatika mengoordinasikan platform untuk menjaga keamanan layanan dalam pemilu',
    section: 'Teknologi',
    tags: ['Pemilu 2024', 'Media Sosial', 'teknologi'],
    authors: [{ name: 'Siti Zulikha' }, { name: 'Usman Kansong' }],
    dateline: { place: 'Jakarta', source: 'JurnalPagi' },
    copyright: 'Hak Cipta © JurnalPagi 2024',
    version: 3,
    publishedAt: '2024-02-07T09:30:00.000Z',
    updatedAt: '2024-02-07T11:00:00.000Z',
    images: [
      { url: 'https://img.jurnalpagi.example/kominfo.jpg', width: 1200, height: 675, caption: 'Gedung Kominfo' },
      { url: 'https://img.jurnalpagi.example/x', type: 'image/webp' },
    ],
  });

  it('maps a published article to a full ninjs 2.1 text item', () => {
    const doc = toNinjs(article, {
      includeImages: true,
      fullText: true,
      siteUrl: 'https://jurnalpagi.example',
      related: [{ id: 'debat-kelima', title: 'Debat kelima', url: 'https://jurnalpagi.example/berita/debat-kelima' }],
    });
    expect(doc).toMatchObject({
      standard: { name: 'ninjs', version: '2.1' },
      uri: 'tag:jurnalpagi.example,2024:article:kominfo-pemilu-2024',
      type: 'text',
      representationtype: 'full',
      version: '3',
      firstcreated: '2024-02-07T09:30:00.000Z',
      versioncreated: '2024-02-07T11:00:00.000Z',
      pubstatus: 'usable',
      language: 'id',
      headlines: [{ role: 'main', value: article.title }],
      by: 'Siti Zulikha, Usman Kansong',
      located: 'Jakarta',
      infosources: [{ name: 'JurnalPagi', role: 'source' }],
      copyrightnotice: 'Hak Cipta © JurnalPagi 2024',
    });
    expect(doc.bodies).toEqual([
      { role: 'main', contenttype: 'text/html', value: article.bodyHtml },
      { role: 'main', contenttype: 'text/plain', charcount: [...article.bodyText].length, value: article.bodyText },
    ]);
    // The section is the main subject; a tag equal to the section (by slug) is not repeated.
    expect(doc.subjects.map((s) => [s.name, s.rel])).toEqual([
      ['Teknologi', 'section'],
      ['Pemilu 2024', 'tag'],
      ['Media Sosial', 'tag'],
    ]);
    expect(doc.subjects[1]?.uri).toBe('https://jurnalpagi.example/tag/pemilu-2024');
    expect(doc.renditions).toEqual([
      { name: 'main', href: 'https://img.jurnalpagi.example/kominfo.jpg', contenttype: 'image/jpeg', width: 1200, height: 675, title: 'Gedung Kominfo' },
      { name: 'image2', href: 'https://img.jurnalpagi.example/x', contenttype: 'image/webp' },
    ]);
    expect(doc.associations).toEqual([
      {
        name: 'related1',
        uri: 'tag:jurnalpagi.example,2024:article:debat-kelima',
        type: 'text',
        headlines: [{ role: 'main', value: 'Debat kelima' }],
        altids: [{ role: 'webpage', value: 'https://jurnalpagi.example/berita/debat-kelima' }],
      },
    ]);
    expect(doc.altids).toContainEqual({ role: 'webpage', value: article.url });
  });

  it('keeps the uri stable across versions and slug edits', () => {
    const edited = { ...article, slug: 'judul-baru', url: 'https://jurnalpagi.example/berita/judul-baru', version: 4 };
    expect(toNinjs(edited, { includeImages: false, fullText: false }).uri).toBe(
      toNinjs(article, { includeImages: false, fullText: false }).uri,
    );
  });

  it('marks a withdrawn article canceled and strips its content', () => {
    const doc = toNinjs({ ...article, status: 'withdrawn', version: 4 }, { includeImages: true, fullText: true, related: [{ id: 'x', title: 'X', url: 'https://jurnalpagi.example/x' }] });
    expect(doc.pubstatus).toBe('canceled');
    expect(doc.version).toBe('4');
    expect(doc.bodies).toEqual([]);
    expect(doc.descriptions).toEqual([]);
    expect(doc.renditions).toBeUndefined();
    expect(doc.associations).toBeUndefined();
    expect(doc.headlines[0]?.value).toBe(article.title);
  });

  it('gives a summary but no body or images when the licence excludes them', () => {
    const doc = toNinjs(article, { includeImages: false, fullText: false });
    expect(doc.representationtype).toBe('partial');
    expect(doc.bodies).toEqual([]);
    expect(doc.descriptions).toEqual([{ role: 'summary', contenttype: 'text/plain', value: 'Ringkasan singkat berita.' }]);
    expect(doc.renditions).toBeUndefined();
  });
});
