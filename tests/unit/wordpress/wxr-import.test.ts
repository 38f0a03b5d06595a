import { readFileSync } from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { ArticleDraft } from '../../../shared/model/article.js';
import { renderPostContent } from '../../../shared/wordpress/wordpress-content.js';
import { importWxr, type WxrImportOptions } from '../../../shared/wordpress/wxr-import.js';
import { readWxr, type WxrEvent } from '../../../shared/wordpress/wxr-reader.js';

const FIXTURE = readFileSync(new URL('../../fixtures/wordpress/edge-cases.xml', import.meta.url), 'utf8');

async function* chunked(text: string, cuts: number[] = []): AsyncGenerator<string> {
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    yield text.slice(from, cut);
    from = cut;
  }
  yield text.slice(from);
}

async function collect(text: string, cuts: number[] = []): Promise<WxrEvent[]> {
  const events: WxrEvent[] = [];
  for await (const event of readWxr(chunked(text, cuts))) events.push(event);
  return events;
}

async function importText(text: string, options: WxrImportOptions = {}) {
  const drafts: ArticleDraft[] = [];
  const summary = await importWxr(() => chunked(text), async (draft) => {
    drafts.push(draft);
    return { status: 'created' };
  }, options);
  return { summary, drafts };
}

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.1/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:excerpt="http://wordpress.org/export/1.1/excerpt/">
<channel>
<wp:wxr_version>1.1</wp:wxr_version>
`;

function post(id: number, title: string, content = 'Isi berita yang cukup panjang.'): string {
  return `<item>
<title>${title}</title>
<link>https://site.example/?p=${id}</link>
<content:encoded><![CDATA[${content}]]></content:encoded>
<wp:post_id>${id}</wp:post_id>
<wp:post_date_gmt>2024-01-0${(id % 9) + 1} 00:00:00</wp:post_date_gmt>
<wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type>
<wp:post_password></wp:post_password>
</item>
`;
}

const exportOf = (...items: string[]) => `${HEAD}${items.join('')}</channel>\n</rss>\n`;

describe('the WXR reader', () => {
  test.prop([fc.uniqueArray(fc.integer({ min: 1, max: FIXTURE.length - 1 }), { maxLength: 40 })], { numRuns: 40 })(
    'reads the same items however the stream is cut into chunks',
    async (cuts) => {
      const whole = await collect(FIXTURE);
      expect(await collect(FIXTURE, cuts)).toEqual(whole);
    },
  );

  it('keeps an item whole when its content holds </item> or <item> inside CDATA or a comment', async () => {
    const text = exportOf(post(1, 'Tentang XML', 'Tulis <code>&lt;/item&gt;</code> atau ]]><![CDATA[</item><item>]]><![CDATA[ di dalam CDATA.'), '<!-- <item> -->', post(2, 'Kedua'));
    const items = (await collect(text)).filter((e) => e.kind === 'item');
    expect(items.map((e) => e.kind === 'item' && e.item.title)).toEqual(['Tentang XML', 'Kedua']);
    expect(items[0]?.kind === 'item' && items[0].item.content).toContain('</item><item>');
  });

  it('reads WordPress.com-style exports: WXR 1.2 namespaces, comments, postmeta, categories', async () => {
    const events = await collect(FIXTURE);
    const first = events.find((e) => e.kind === 'item');
    expect(first?.kind === 'item' && first.item).toMatchObject({
      postId: '101',
      title: 'Title <em>With</em> <b>Markup</b>',
      creator: 'siti',
      categories: [
        { domain: 'category', nicename: 'metro', name: 'Metro' },
        { domain: 'post_tag', nicename: 'banjir', name: 'banjir' },
      ],
    });
    expect(first?.kind === 'item' && first.item.meta.get('_thumbnail_id')).toBe('201');
    expect(events.filter((e) => e.kind === 'author').map((e) => e.kind === 'author' && e.author)).toEqual([
      { login: 'siti', displayName: 'Siti Rahma' },
      { login: 'budi', displayName: `Budi "Bung" O'Hara` },
    ]);
  });
});

describe('a hostile or broken export', () => {
  it('never resolves an external entity: no file is read, the item is reported and the rest imported', async () => {
    const text = `<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "http://127.0.0.1:1/x">]>\n${exportOf(post(1, 'Rahasia &xxe; &net;'), post(2, 'Aman')).replace(/^<\?xml[^>]*>\n/, '')}`;
    const { summary, drafts } = await importText(text);
    expect(drafts.map((d) => d.title)).toEqual(['Aman']);
    expect(JSON.stringify(drafts)).not.toContain('root:');
    expect(summary.doctypeIgnored).toBe(true);
    expect(summary.skipped['malformed']).toBe(1);
    expect(summary.malformed[0]).toMatchObject({ postId: '1', message: 'undefined entity' });
  });

  it('never expands entities (no billion laughs): the item is refused at once', async () => {
    const lol = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`)].join('');
    const text = exportOf(post(1, '&lol9;'), post(2, 'Aman')).replace('<rss', `<!DOCTYPE rss [${lol}]>\n<rss`);
    const started = process.memoryUsage().heapUsed;
    const { summary, drafts } = await importText(text);
    expect(drafts.map((d) => d.title)).toEqual(['Aman']);
    expect(summary.skipped['malformed']).toBe(1);
    expect(process.memoryUsage().heapUsed - started).toBeLessThan(50 * 1024 * 1024);
  });

  it('skips a malformed item with its line and column and imports the items around it', async () => {
    const text = exportOf(post(1, 'Pertama'), post(2, 'Fish & Chips'), post(3, 'Ketiga'));
    const { summary, drafts } = await importText(text);
    expect(drafts.map((d) => d.title)).toEqual(['Pertama', 'Ketiga']);
    const line = text.split('\n').findIndex((l) => l.includes('Fish & Chips')) + 1;
    expect(summary.malformed).toEqual([{ line, column: expect.any(Number), message: 'a bare "&" that is not an entity (write &amp;)', postId: '2' }]);
    expect(summary.malformed[0]?.column).toBe(text.split('\n')[line - 1]!.indexOf('&') + 1);
  });

  it('reports an item left open and a file cut short', async () => {
    const open = exportOf(post(1, 'Pertama').replace('</item>', ''), post(2, 'Kedua'));
    const first = await importText(open);
    expect(first.drafts.map((d) => d.title)).toEqual(['Kedua']);
    expect(first.summary.malformed[0]).toMatchObject({ line: 5, message: 'this item has no </item> before the next <item>' });

    const cut = exportOf(post(1, 'Pertama'), post(2, 'Kedua')).slice(0, -60);
    const second = await importText(cut);
    expect(second.drafts.map((d) => d.title)).toEqual(['Pertama']);
    expect(second.summary.malformed).toHaveLength(1);
  });

  it('says when a file is not a WordPress export, with where XML errors are', async () => {
    const html = await importText('<html><body><p>Bukan ekspor & bukan XML</body></html>');
    expect(html.drafts).toEqual([]);
    expect(html.summary.documentErrors[0]).toMatchObject({ line: 1, column: expect.any(Number) });
    const rss = await importText('<?xml version="1.0"?><rss version="2.0"><channel><title>RSS biasa</title></channel></rss>');
    expect(rss.summary.documentErrors).toEqual([{ line: 1, column: 1, message: 'this is not a WordPress export: no <wp:wxr_version> in its channel' }]);
  });
});

describe('posts of an export', () => {
  it('imports the chosen post types with --types', async () => {
    const { drafts, summary } = await importText(FIXTURE, { types: ['post', 'page'] });
    // wp-112 is scheduled (status future): imported, held until its time.
    expect(drafts.map((d) => d.id).sort()).toEqual(['wp-101', 'wp-102', 'wp-103', 'wp-104', 'wp-112', 'wp-301']);
    expect(summary.skipped['type page']).toBeUndefined();
  });

  it('resolves featured images from attachments that come after the post, and dates without GMT by the site offset', async () => {
    const { drafts } = await importText(FIXTURE);
    const byId = new Map(drafts.map((d) => [d.id, d]));
    expect(byId.get('wp-101')?.images).toEqual([
      { url: 'https://kabarpesisir.example/wp-content/uploads/2024/02/rob.jpg', caption: 'Air laut masuk ke permukiman warga di Muara Angke & sekitarnya.' },
    ]);
    // 14:15 local on a site whose posts show +07:00 between local and GMT dates.
    expect(byId.get('wp-103')?.publishedAt).toBe('2024-02-09T07:15:00.000Z');
    expect((await importText(FIXTURE, { utcOffsetMinutes: 0 })).drafts.find((d) => d.id === 'wp-103')?.publishedAt).toBe('2024-02-09T14:15:00.000Z');
    expect(byId.get('wp-104')?.tags).toHaveLength(50);
    expect(byId.get('wp-104')?.tags?.slice(0, 4)).toEqual(['Metro', 'Politik', 'Hukum & Kriminal', 'tag 01']);
    expect(byId.get('wp-102')?.summary).toBe('Harga naik tajam & cepat.');
    expect(byId.get('wp-101')?.summary).toBe('Banjir rob kembali merendam kawasan pesisir utara pada Rabu pagi. Warga mengungsi ke masjid terdekat [sic] sejak subuh.');
  });
});

describe('post content as the site shows it', () => {
  it('removes block delimiters and the more and nextpage markers, keeping every page', () => {
    const { html, teaserHtml } = renderPostContent('<!-- wp:paragraph -->\n<p>Satu</p>\n<!-- /wp:paragraph -->\n<!--more Baca-->\n<!-- wp:paragraph {"align":"center"} -->\n<p>Dua</p>\n<!-- /wp:paragraph --><!--nextpage--><p>Tiga</p>');
    expect(html).not.toMatch(/<!--/);
    expect(html.match(/<p>(Satu|Dua|Tiga)<\/p>/g)).toEqual(['<p>Satu</p>', '<p>Dua</p>', '<p>Tiga</p>']);
    expect(teaserHtml).toBe('<p>Satu</p>');
  });

  it('makes paragraphs of a classic post and HTML of the core shortcodes', () => {
    const { html } = renderPostContent('Satu\n\nDua\n[caption id="a" width="300"]<img src="https://s.example/a.jpg" alt="A"> Keterangan[/caption]\n\n[video mp4="https://s.example/v.mp4"][/video]');
    expect(html).toBe('<p>Satu</p>\n<p>Dua</p>\n<figure><img src="https://s.example/a.jpg" alt="A"><figcaption>Keterangan</figcaption></figure>\n<p><a href="https://s.example/v.mp4">https://s.example/v.mp4</a></p>');
  });

  test.prop([fc.stringMatching(/^[a-z][a-z0-9]{0,8}[-_][a-z0-9]{1,8}$/), fc.stringMatching(/^[A-Za-z ]{1,20}$/)])(
    'removes unknown shortcodes cleanly, keeps their enclosed text and leaves ordinary brackets alone',
    (name, inner) => {
      const { html } = renderPostContent(`Awal [${name} id="5"] tengah [${name}]${inner}[/${name}] [sic] [1] akhir`);
      expect(html).toBe(`<p>Awal  tengah ${inner} [sic] [1] akhir</p>`);
    },
  );
});

describe('scheduled posts in an export (status future)', () => {
  const scheduled = (id: number, gmt: string) =>
    post(id, `Terjadwal ${id}`).replace('<wp:status>publish</wp:status>', '<wp:status>future</wp:status>').replace(/<wp:post_date_gmt>[^<]*<\/wp:post_date_gmt>/, gmt ? `<wp:post_date_gmt>${gmt}</wp:post_date_gmt>` : '');

  it('are imported with their future publication time, held until then, and listed; one without a date is skipped', async () => {
    const { summary, drafts } = await importText(exportOf(post(1, 'Terbit'), scheduled(2, '2030-03-01 01:00:00'), scheduled(3, '')));
    expect(drafts.map((d) => [d.id, d.publishedAt])).toEqual([
      ['wp-1', '2024-01-02T00:00:00.000Z'],
      ['wp-2', '2030-03-01T01:00:00.000Z'],
    ]);
    expect(summary).toMatchObject({ posts: 3, created: 2, skipped: { 'scheduled without a date': 1 } });
    expect(summary.scheduled).toEqual([{ id: 'wp-2', title: 'Terjadwal 2', publishAt: '2030-03-01T01:00:00.000Z' }]);
  });
});
