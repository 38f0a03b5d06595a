/**
 * Measures the memory of `warta import` on a large WordPress export: writes a synthetic WXR file of the
 * given size (default 100 MB; posts, block and classic, with attachments after them, as exports have),
 * then imports it in --dry-run mode (every check ingest makes, nothing sent) and prints the peak RSS.
 * The file is written to the system's temp folder and removed afterwards; it is never committed.
 *
 *   npx tsx scripts/wordpress-export-memory.ts [MEGABYTES]
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiteConfigSchema } from '../shared/config/load-config.js';
import { prepareArticle } from '../shared/usecases/ingest-article.js';
import { importWxr } from '../shared/wordpress/wxr-import.js';

const megabytes = Number(process.argv[2] ?? 100);
const file = join(tmpdir(), `warta-wxr-${process.pid}.xml`);

const PARAGRAPH =
  'Pemerintah kota menyiapkan pompa tambahan di kawasan pesisir utara setelah banjir rob merendam permukiman warga selama tiga hari berturut-turut, kata kepala dinas kepada wartawan.';

async function writeExport(): Promise<number> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Besar</title><language>id-ID</language><wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://besar.example</wp:base_site_url>
<wp:author><wp:author_login><![CDATA[redaksi]]></wp:author_login><wp:author_display_name><![CDATA[Redaksi]]></wp:author_display_name></wp:author>
`);
  let written = 0;
  let id = 1;
  const target = megabytes * 1024 * 1024;
  while (written < target) {
    const block = id % 2 === 0;
    const paragraphs = Array.from({ length: 12 }, (_, i) => (block ? `<!-- wp:paragraph -->\n<p>${i + 1}. ${PARAGRAPH}</p>\n<!-- /wp:paragraph -->` : `${i + 1}. ${PARAGRAPH}`)).join('\n\n');
    const item = `<item><title><![CDATA[Berita nomor ${id} &amp; <em>lanjutannya</em>]]></title><link>https://besar.example/${id}/</link><dc:creator><![CDATA[redaksi]]></dc:creator>
<content:encoded><![CDATA[${paragraphs}]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>${id}</wp:post_id><wp:post_date><![CDATA[2024-01-01 07:00:00]]></wp:post_date><wp:post_date_gmt><![CDATA[2024-01-01 00:00:00]]></wp:post_date_gmt>
<wp:status><![CDATA[publish]]></wp:status><wp:post_type><![CDATA[post]]></wp:post_type><wp:post_password><![CDATA[]]></wp:post_password>
<category domain="category" nicename="metro"><![CDATA[Metro]]></category><category domain="post_tag" nicename="t${id % 500}"><![CDATA[Topik ${id % 500}]]></category>
<wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key><wp:meta_value><![CDATA[${id + 10_000_000}]]></wp:meta_value></wp:postmeta></item>
`;
    await write(item);
    written += Buffer.byteLength(item);
    id++;
  }
  // Attachments after all posts, as many exports have them: the featured images must still resolve.
  for (let n = 1; n < id; n++) {
    const item = `<item><title>foto ${n}</title><wp:post_id>${n + 10_000_000}</wp:post_id><wp:post_parent>${n}</wp:post_parent><wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type><wp:post_password></wp:post_password><wp:attachment_url>https://besar.example/uploads/${n}.jpg</wp:attachment_url><excerpt:encoded><![CDATA[Keterangan foto ${n}]]></excerpt:encoded></item>\n`;
    await write(item);
  }
  await write('</channel>\n</rss>\n');
  out.end();
  await once(out, 'finish');
  return id - 1;
}

const posts = await writeExport();
const size = (await stat(file)).size;
const site = SiteConfigSchema.parse({ siteUrl: 'https://besar.example', siteTitle: 't', siteDescription: 'd', feedsBaseUrl: 'https://besar.example' });
const baseline = process.memoryUsage().rss;
const started = Date.now();
let withImage = 0;
const summary = await importWxr(() => createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 }), async (draft) => {
  if (draft.images?.length) withImage++;
  const prepared = prepareArticle({ body: JSON.stringify(draft), contentType: 'application/json' }, site, new Date());
  return prepared.ok ? { status: 'valid' } : { status: 'refused', problems: prepared.problems };
});
const seconds = (Date.now() - started) / 1000;
await rm(file, { force: true });
console.log(
  JSON.stringify(
    {
      exportBytes: size,
      posts,
      valid: summary.valid,
      withFeaturedImage: withImage,
      refused: summary.refused,
      seconds,
      rssBeforeImportMB: Math.round(baseline / 1048576),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    },
    null,
    1,
  ),
);
