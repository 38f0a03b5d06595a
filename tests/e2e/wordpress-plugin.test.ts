import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBodySignature } from '../../shared/auth/webhook-signature.js';
import { ArticleDraftSchema } from '../../shared/model/article.js';
import { startMainJobProcess, type RunningMainJob } from '../support/main-job-process.js';
import { phpString, startWordPressSite, wordpressUnavailable, type WordPressSite } from '../support/wordpress-site.js';

/** Each step runs WordPress (a PHP process per call) and waits for feeds; generous for a busy two-core machine. */
const STEP_TIMEOUT = 180_000;
const PLUGIN_DIR = fileURLToPath(new URL('../../integrations/wordpress/warta', import.meta.url));

interface FeedItem {
  id: string;
  url: string;
  title: string;
  summary?: string;
  content_html?: string;
  image?: string;
  tags?: string[];
  authors?: { name: string }[];
}

interface Delivery {
  id: string;
  last_attempt_gmt: string | null;
  next_attempt_gmt: string;
  post_id: string;
  article_id: string;
  reason: string;
  state: string;
  action: string;
  attempts: string;
  http_status: string | null;
  message: string;
}

/** A port N with N+1 also free: `warta start --port N` puts the ingest API on N+1, and restarts on the same ports. */
async function freePortPair(): Promise<number> {
  const listen = (port: number) =>
    new Promise<import('node:net').Server | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await listen(0);
    const address = first?.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const second = port > 0 && port < 65534 ? await listen(port + 1) : undefined;
    await new Promise((r) => (first ? first.close(r) : r(undefined)));
    if (second) {
      await new Promise((r) => second.close(r));
      return port;
    }
  }
  throw new Error('no two adjacent free ports on 127.0.0.1');
}

describe.skipIf(wordpressUnavailable !== undefined)(
  `the Warta WordPress plugin against a real WordPress and warta start${wordpressUnavailable ? `: skipped, ${wordpressUnavailable}` : ''}`,
  () => {
    let site: WordPressSite;
    let job: RunningMainJob | undefined;
    let dataDir: string;
    let port: number;
    const ids: Record<string, number> = {};

    const startWarta = async () => {
      job = await startMainJobProcess(['--port', String(port), '--data', dataDir, '--no-examples', '--quiet-edge']);
      return job;
    };
    const feed = async (): Promise<FeedItem[]> => {
      if (!job) throw new Error('warta is not running');
      for (let attempt = 1; ; attempt++) {
        const response = await fetch(`${job.edgeUrl}/feeds/latest.json`);
        if (response.status === 404) return [];
        const text = await response.text();
        try {
          if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
          return (JSON.parse(text) as { items: FeedItem[] }).items;
        } catch (error) {
          // While the builder rewrites the feed object the local edge can answer 502 or a torn body
          // (seen under heavy load, in the local S3 stand-in; not the plugin's doing). Read it again.
          if (attempt >= 10) throw new Error(`latest.json unreadable after ${attempt} reads: ${(error as Error).message}\n${text.slice(0, 500)}`);
          await new Promise((r) => setTimeout(r, 300));
        }
      }
    };
    const titles = async () => (await feed()).map((i) => i.title).sort();
    /** Runs WP-Cron, then polls the public feed until `done` holds (feeds are built just after ingest). */
    const cronUntil = async (done: (items: FeedItem[]) => boolean, what: string) => {
      const deadline = Date.now() + 60_000;
      let items: FeedItem[] = [];
      for (;;) {
        await site.runCron();
        items = await feed();
        if (done(items)) return items;
        if (Date.now() > deadline) {
          throw new Error(`${what}: not seen within 60 s. Feed titles: ${JSON.stringify(items.map((i) => i.title))}\ndeliveries: ${JSON.stringify(await deliveries(), null, 1)}\nwarta:\n${job?.output().slice(-3000)}`);
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    };
    const deliveries = () =>
      site.phpJson<Delivery[]>(`global $wpdb; return $wpdb->get_results("SELECT * FROM {$wpdb->prefix}warta_deliveries ORDER BY id");`);
    const restPost = async (body: Record<string, unknown>, id?: number) => {
      const response = await fetch(`${site.url}/wp-json/wp/v2/posts${id ? `/${id}` : ''}`, {
        method: 'POST',
        headers: { authorization: site.adminAuthorization, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await response.json()) as { id: number; status: string; link: string };
      expect(response.status, JSON.stringify(json)).toBeLessThan(300);
      return json;
    };

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'warta-wp-e2e-'));
      port = await freePortPair();
      [site] = await Promise.all([startWordPressSite({ constants: { WARTA_WEBHOOK_SECRET: 'rahasia-bersama-untuk-uji' } }), startWarta()]);
      await site.installPlugin(PLUGIN_DIR, 'warta/warta.php');
      await site.phpJson(`update_option('warta_settings', array('ingest_url' => ${phpString(`${job!.apiUrl}/articles`)}, 'post_types' => array('post'))); return true;`);
    }, 180_000);

    afterAll(async () => {
      await job?.stop();
      await site?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    }, STEP_TIMEOUT);

    it('sends a post published through the REST API as readers see it, and never a draft', async () => {
      const category = await site.phpJson<number>(`return wp_insert_term('Ekonomi', 'category')['term_id'];`);
      const post = await restPost({
        title: 'Harga beras &amp; cabai <em>turun</em> di Pasar Induk',
        content:
          '<!-- wp:paragraph --><p>Harga beras medium turun Rp500 per kilogram.</p><!-- /wp:paragraph -->\n[caption id="" align="alignnone" width="300"]<img src="https://example.test/pasar.jpg" width="300" height="200" /> Pedagang di Pasar Induk[/caption]',
        excerpt: 'Harga pangan mulai turun menjelang akhir bulan.',
        status: 'publish',
        categories: [category],
        tags: [],
      });
      ids['rest'] = post.id;
      await site.php(`wp_set_post_tags(${post.id}, array('pangan', 'harga'));`);
      const draft = await restPost({ title: 'Draf yang belum siap', content: '<p>Belum.</p>', status: 'draft' });
      ids['draft'] = draft.id;

      const items = await cronUntil((i) => i.some((x) => x.url === post.link), 'the published post');
      const item = items.find((x) => x.url === post.link)!;
      expect(item.title).toBe('Harga beras & cabai turun di Pasar Induk');
      expect(item.summary).toBe('Harga pangan mulai turun menjelang akhir bulan.');
      // the_content ran: the block comment is gone and the [caption] shortcode became a figure.
      expect(item.content_html).toContain('Harga beras medium turun Rp500 per kilogram.');
      expect(item.content_html).not.toContain('wp:paragraph');
      expect(item.content_html).not.toContain('[caption');
      expect(item.content_html).toMatch(/<figure[^>]*>[\s\S]*Pedagang di Pasar Induk[\s\S]*<\/figure>/);
      expect(item.tags).toEqual(expect.arrayContaining(['harga', 'pangan']));
      expect(item.authors).toEqual([{ name: 'admin' }]);
      expect(items.map((i) => i.title)).not.toContain('Draf yang belum siap');
      const sent = (await deliveries()).filter((d) => Number(d.post_id) === post.id);
      expect(sent.at(-1)).toMatchObject({ article_id: `wp-${post.id}`, state: 'sent', action: 'publish' });
      expect(await site.php(`echo get_post_status(${draft.id});`)).toBe('draft');
    }, STEP_TIMEOUT);

    it('sends an edit made with wp_update_post as an update of the same article', async () => {
      await site.php(`wp_update_post(array('ID' => ${ids['rest']}, 'post_title' => 'Harga beras turun lagi di Pasar Induk'));`);
      const items = await cronUntil((i) => i.some((x) => x.title === 'Harga beras turun lagi di Pasar Induk'), 'the edited title');
      expect(items.filter((i) => i.title.startsWith('Harga beras'))).toHaveLength(1);
      const last = (await deliveries()).filter((d) => Number(d.post_id) === ids['rest']).at(-1);
      expect(last).toMatchObject({ reason: 'updated', state: 'sent' });
      expect(last?.message).toMatch(/^updated \(version 2\)/);
    }, STEP_TIMEOUT);

    it('withdraws a published post that becomes password-protected, and never sends one protected from the start', async () => {
      const open = await site.phpJson<number>(`return wp_insert_post(array('post_title' => 'Rapat anggaran daerah dibuka', 'post_content' => '<p>Rapat dimulai pukul sembilan.</p>', 'post_status' => 'publish'), true);`);
      await cronUntil((i) => i.some((x) => x.title === 'Rapat anggaran daerah dibuka'), 'the open post');
      await site.php(`wp_update_post(array('ID' => ${open}, 'post_password' => 'rahasia'));`);
      const protectedFromStart = await site.phpJson<number>(`return wp_insert_post(array('post_title' => 'Laporan khusus untuk pelanggan', 'post_content' => '<p>Isi berbayar.</p>', 'post_status' => 'publish', 'post_password' => 'pelanggan'), true);`);
      const items = await cronUntil((i) => !i.some((x) => x.title === 'Rapat anggaran daerah dibuka'), 'the protected post withdrawn');
      expect(items.map((i) => i.title)).not.toContain('Laporan khusus untuk pelanggan');
      const rows = await deliveries();
      expect(rows.filter((d) => Number(d.post_id) === open).at(-1)).toMatchObject({ reason: 'password-protected', state: 'sent', action: 'withdraw' });
      expect(rows.filter((d) => Number(d.post_id) === protectedFromStart).at(-1)).toMatchObject({ state: 'skipped', action: 'none' });
    }, STEP_TIMEOUT);

    it('sends a scheduled post only when WordPress publishes it', async () => {
      const scheduled = await site.phpJson<{ id: number; status: string }>(`
        $gmt = gmdate('Y-m-d H:i:s', time() + HOUR_IN_SECONDS);
        $id = wp_insert_post(array('post_title' => 'Pengumuman pemenang lomba esai', 'post_content' => '<p>Pemenang diumumkan hari ini.</p>', 'post_status' => 'future', 'post_date_gmt' => $gmt, 'post_date' => get_date_from_gmt($gmt)), true);
        return array('id' => $id, 'status' => get_post_status($id));`);
      ids['scheduled'] = scheduled.id;
      expect(scheduled.status).toBe('future');
      await site.runCron();
      expect(await titles()).not.toContain('Pengumuman pemenang lomba esai');
      // The hour passes: the post's time is now, and WordPress's own publish_future_post event is due.
      await site.php(`
        global $wpdb;
        $gmt = gmdate('Y-m-d H:i:s', time() - 1);
        $wpdb->update($wpdb->posts, array('post_date_gmt' => $gmt, 'post_date' => get_date_from_gmt($gmt)), array('ID' => ${scheduled.id}));
        clean_post_cache(${scheduled.id});
        wp_clear_scheduled_hook('publish_future_post', array(${scheduled.id}));
        wp_schedule_single_event(time() - 1, 'publish_future_post', array(${scheduled.id}));`);
      await cronUntil((i) => i.some((x) => x.title === 'Pengumuman pemenang lomba esai'), 'the scheduled post');
      expect(await site.php(`echo get_post_status(${scheduled.id});`)).toBe('publish');
      expect((await deliveries()).filter((d) => Number(d.post_id) === scheduled.id).at(-1)).toMatchObject({ reason: 'scheduled post published', state: 'sent' });
    }, STEP_TIMEOUT);

    it('withdraws a trashed post', async () => {
      await site.php(`wp_trash_post(${ids['rest']});`);
      await cronUntil((i) => !i.some((x) => x.title.startsWith('Harga beras')), 'the trashed post withdrawn');
      expect((await deliveries()).filter((d) => Number(d.post_id) === ids['rest']).at(-1)).toMatchObject({ reason: 'trashed', state: 'sent', action: 'withdraw' });
    }, STEP_TIMEOUT);

    it('keeps posts published while Warta is down, backs off, gives up after three days, and delivers when Warta is back', async () => {
      expect(await job!.stop()).toBe(0);
      job = undefined;
      const [down, old] = await site.phpJson<[number, number]>(`return array(
        wp_insert_post(array('post_title' => 'Gempa kecil terasa di Sukabumi', 'post_content' => '<p>Tidak ada kerusakan dilaporkan.</p>', 'post_status' => 'publish'), true),
        wp_insert_post(array('post_title' => 'Jembatan baru diresmikan', 'post_content' => '<p>Jembatan menghubungkan dua desa.</p>', 'post_status' => 'publish'), true));`);
      await site.runCron();
      const delay = (d: Delivery | undefined) => (Date.parse(`${d?.next_attempt_gmt?.replace(' ', 'T')}Z`) - Date.parse(`${d?.last_attempt_gmt?.replace(' ', 'T')}Z`)) / 1000;
      const first = (await deliveries()).filter((d) => Number(d.post_id) === down).at(-1);
      expect(first).toMatchObject({ state: 'pending', attempts: '1' });
      expect(first?.message).not.toBe('');
      expect(delay(first)).toBe(60);
      const health = await site.phpJson<{ status: string; label: string }>(`return Warta_Site_Health::result();`);
      expect(health).toMatchObject({ status: 'recommended', label: '2 deliveries to Warta are being retried' });

      // Still down: the next wait doubles. The other post was queued more than three days ago: given up.
      await site.php(`global $wpdb; $wpdb->query($wpdb->prepare("UPDATE {$wpdb->prefix}warta_deliveries SET queued_gmt = %s WHERE post_id = %d", gmdate('Y-m-d H:i:s', time() - 4 * DAY_IN_SECONDS), ${old}));`);
      expect(await site.phpJson<number>(`return warta_retry_now();`)).toBe(2);
      await site.runCron();
      const second = (await deliveries()).filter((d) => Number(d.post_id) === down).at(-1);
      expect(second).toMatchObject({ state: 'pending', attempts: '2' });
      expect(delay(second)).toBe(120);
      const gaveUp = (await deliveries()).filter((d) => Number(d.post_id) === old).at(-1);
      expect(gaveUp).toMatchObject({ state: 'failed', attempts: '2' });
      expect(gaveUp?.message).toMatch(/^Gave up after three days of retries\. Last error: /);
      const critical = await site.phpJson<{ status: string; description: string }>(`return Warta_Site_Health::result();`);
      expect(critical.status).toBe('critical');
      expect(critical.description).toContain('Jembatan baru diresmikan');

      await startWarta();
      // The retry is due in two minutes; "Retry now" (the settings page's button) makes it, and the failed one, due at once.
      expect(await site.phpJson<number>(`return warta_retry_now();`)).toBe(2);
      const items = await cronUntil(
        (i) => i.some((x) => x.title === 'Gempa kecil terasa di Sukabumi') && i.some((x) => x.title === 'Jembatan baru diresmikan'),
        'the posts published while Warta was down',
      );
      expect(items.map((i) => i.title).sort()).toEqual(['Gempa kecil terasa di Sukabumi', 'Jembatan baru diresmikan', 'Pengumuman pemenang lomba esai']);
      expect((await deliveries()).filter((d) => Number(d.post_id) === down).at(-1)).toMatchObject({ state: 'sent', attempts: '3' });
      expect(await site.phpJson<{ status: string }>(`return Warta_Site_Health::result();`)).toMatchObject({ status: 'good' });
    }, STEP_TIMEOUT);

    it('withdraws a post unpublished to draft or deleted for good, and sends posts of a custom type once it is chosen', async () => {
      const [draftAgain, deleted] = await site.phpJson<[number, number]>(`
        $ids = array();
        foreach (array('Banjir rob di pesisir utara', 'Kereta cepat tambah jadwal') as $title) {
          $ids[] = wp_insert_post(array('post_title' => $title, 'post_content' => '<p>' . $title . '.</p>', 'post_status' => 'publish'), true);
        }
        return $ids;`);
      await cronUntil((i) => i.some((x) => x.title === 'Banjir rob di pesisir utara') && i.some((x) => x.title === 'Kereta cepat tambah jadwal'), 'two more posts');
      await site.php(`wp_update_post(array('ID' => ${draftAgain}, 'post_status' => 'draft')); wp_delete_post(${deleted}, true);`);
      await cronUntil((i) => !i.some((x) => x.title === 'Banjir rob di pesisir utara') && !i.some((x) => x.title === 'Kereta cepat tambah jadwal'), 'both withdrawn');
      const rows = await deliveries();
      expect(rows.filter((d) => Number(d.post_id) === draftAgain).at(-1)).toMatchObject({ reason: 'unpublished (draft)', state: 'sent', action: 'withdraw' });
      expect(rows.filter((d) => Number(d.post_id) === deleted).at(-1)).toMatchObject({ reason: 'deleted', state: 'sent', action: 'withdraw' });

      // A custom post type: not sent until it is chosen in the settings.
      await writeFile(
        join(site.root, 'wp-content', 'mu-plugins', 'warta-test-berita-type.php'),
        `<?php add_action('init', function () { register_post_type('berita', array('public' => true, 'label' => 'Berita', 'show_in_rest' => true)); });\n`,
      );
      const first = await site.phpJson<number>(`return wp_insert_post(array('post_type' => 'berita', 'post_title' => 'Berita tipe khusus pertama', 'post_content' => '<p>Isi.</p>', 'post_status' => 'publish'), true);`);
      await site.runCron();
      expect(await titles()).not.toContain('Berita tipe khusus pertama');
      expect((await deliveries()).some((d) => Number(d.post_id) === first)).toBe(false);
      await site.php(`update_option('warta_settings', array_merge(get_option('warta_settings'), array('post_types' => array('post', 'berita'))));`);
      await site.php(`wp_insert_post(array('post_type' => 'berita', 'post_title' => 'Berita tipe khusus kedua', 'post_content' => '<p>Isi.</p>', 'post_status' => 'publish'), true);`);
      await cronUntil((i) => i.some((x) => x.title === 'Berita tipe khusus kedua'), 'the custom post type');
    }, STEP_TIMEOUT);

    it('shows a refusal with Warta’s problems, does not retry it, and reports it in Site Health', async () => {
      const empty = await site.phpJson<number>(`return wp_insert_post(array('post_title' => 'Judul tanpa isi', 'post_content' => '', 'post_status' => 'publish'), true);`);
      await site.runCron();
      const refused = (await deliveries()).filter((d) => Number(d.post_id) === empty).at(-1);
      expect(refused).toMatchObject({ state: 'refused', http_status: '422' });
      expect(refused?.message).toMatch(/bodyHtml: is missing or empty/);
      // "Retry now" leaves a refusal with problems alone: only fixing the post sends it again.
      await site.phpJson(`return warta_retry_now();`);
      await site.runCron();
      expect((await deliveries()).filter((d) => Number(d.post_id) === empty).at(-1)).toMatchObject({ id: refused!.id, state: 'refused', attempts: '1' });
      const health = await site.phpJson<{ status: string; label: string; description: string }>(`return Warta_Site_Health::result();`);
      expect(health.status).toBe('critical');
      expect(health.description).toContain('Judul tanpa isi');
      expect(health.description).toContain('bodyHtml: is missing or empty');
      expect(await titles()).not.toContain('Judul tanpa isi');
    }, STEP_TIMEOUT);

    it('shows Settings → Warta with the last deliveries, and "Send test" reports that Warta answered', async () => {
      const response = await site.adminFetch('/wp-admin/options-general.php?page=warta');
      expect(response.status).toBe(200);
      const page = await response.text();
      expect(page).toContain(`value="${job!.apiUrl}/articles"`);
      expect(page).toContain('Set by WARTA_WEBHOOK_SECRET in wp-config.php');
      expect(page).toContain('Gempa kecil terasa di Sukabumi');
      expect(page).toMatch(/bodyHtml: is missing or empty/);
      expect(page).toContain('warta-state-refused');

      const nonce = /name="action" value="warta_send_test"[\s\S]*?name="_wpnonce" value="([0-9a-f]+)"/.exec(page)?.[1];
      expect(nonce).toBeDefined();
      const sent = await site.adminFetch('/wp-admin/admin-post.php', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ action: 'warta_send_test', _wpnonce: nonce! }),
      });
      expect(sent.status).toBe(302);
      const after = await (await site.adminFetch(new URL(sent.headers.get('location')!).pathname + new URL(sent.headers.get('location')!).search)).text();
      expect(after).toContain('Test sent.');
      expect(after).toContain('Warta answered and accepted the signed request.');
    }, STEP_TIMEOUT);

    it('never put a protected, private or draft post in any feed, and logged no PHP error from the plugin', async () => {
      const items = await feed();
      for (const title of ['Draf yang belum siap', 'Laporan khusus untuk pelanggan', 'Rapat anggaran daerah dibuka', 'Judul tanpa isi']) {
        expect(items.map((i) => i.title)).not.toContain(title);
      }
      const pluginLines = (await site.debugLog()).split('\n').filter((line) => line.includes('/plugins/warta/'));
      expect(pluginLines).toEqual([]);
    }, STEP_TIMEOUT);

    it('signs with the wp-config.php secret over the exact body, and sends image caption and credit, primary category and co-authors', async () => {
      const received: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
      const capture = createHttpServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'created', version: 1 }));
        });
      });
      await new Promise<void>((r) => capture.listen(0, '127.0.0.1', () => r()));
      const address = capture.address();
      const capturePort = typeof address === 'object' && address ? address.port : 0;
      try {
        // The settings page's secret differs: the wp-config.php constant must win.
        await site.phpJson(`update_option('warta_settings', array('ingest_url' => 'http://127.0.0.1:${capturePort}/articles', 'secret' => 'dari-halaman-pengaturan', 'post_types' => array('post'))); return true;`);
        // Stand-ins with the public API of Yoast SEO (WPSEO_Primary_Term) and Co-Authors Plus (get_coauthors),
        // which cannot be installed here (no internet): the plugin must use them when they are present.
        await writeFile(
          join(site.root, 'wp-content', 'mu-plugins', 'warta-test-yoast-coauthors.php'),
          `<?php
class WPSEO_Primary_Term { private $taxonomy; private $post_id;
  public function __construct($taxonomy, $post_id) { $this->taxonomy = $taxonomy; $this->post_id = $post_id; }
  public function get_primary_term() { return (int) get_post_meta($this->post_id, '_yoast_wpseo_primary_' . $this->taxonomy, true); } }
function get_coauthors($post_id = 0) { $names = get_post_meta($post_id, 'test_coauthors', true); return array_map(function ($n) { return (object) array('display_name' => $n); }, $names ? explode('|', $names) : array()); }
`,
        );
        const id = await site.phpJson<number>(`
          $politik = wp_insert_term('Politik', 'category')['term_id'];
          $daerah = wp_insert_term('Daerah', 'category')['term_id'];
          $image = wp_insert_attachment(array('post_title' => 'Foto', 'post_excerpt' => 'Warga antre di TPS 12', 'post_mime_type' => 'image/jpeg', 'post_status' => 'inherit'), '2024/02/tps.jpg');
          update_post_meta($image, '_wp_attached_file', '2024/02/tps.jpg');
          wp_update_attachment_metadata($image, array('width' => 1200, 'height' => 800, 'file' => '2024/02/tps.jpg', 'sizes' => array(), 'image_meta' => array('credit' => 'Antara/Rina Wijaya')));
          $id = wp_insert_post(array('post_title' => 'Pemungutan suara berjalan "lancar"', 'post_content' => "<p>Pemungutan suara di TPS 12 berjalan lancar.</p>\n<!--nextpage-->\n<p>Penghitungan dimulai pukul satu.</p>", 'post_status' => 'draft', 'post_category' => array($politik, $daerah)), true);
          set_post_thumbnail($id, $image);
          update_post_meta($id, '_yoast_wpseo_primary_category', $daerah);
          update_post_meta($id, 'test_coauthors', 'Rina Wijaya|Budi Santoso');
          wp_publish_post($id);
          return $id;`);
        const deadline = Date.now() + 30_000;
        while (!received.some((r) => r.method === 'POST') && Date.now() < deadline) await site.runCron();
        const request = received.find((r) => r.method === 'POST');
        expect(request).toBeDefined();
        expect(request!.url).toBe('/articles');
        expect(verifyBodySignature('rahasia-bersama-untuk-uji', request!.body, request!.headers['x-hub-signature-256'] as string)).toEqual({ ok: true });
        expect(verifyBodySignature('dari-halaman-pengaturan', request!.body, request!.headers['x-hub-signature-256'] as string).ok).toBe(false);
        const article = JSON.parse(request!.body.toString('utf8')) as Record<string, unknown>;
        const parsed = ArticleDraftSchema.safeParse(article);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
        expect(article).toMatchObject({
          id: `wp-${id}`,
          title: 'Pemungutan suara berjalan “lancar”',
          section: 'Daerah',
          authors: [{ name: 'Rina Wijaya' }, { name: 'Budi Santoso' }],
          images: [{ url: `${site.url}/wp-content/uploads/2024/02/tps.jpg`, width: 1200, height: 800, type: 'image/jpeg', caption: 'Warga antre di TPS 12', credit: 'Antara/Rina Wijaya' }],
        });
        // Both pages of a <!--nextpage--> post.
        expect(article['bodyHtml']).toContain('berjalan lancar');
        expect(article['bodyHtml']).toContain('Penghitungan dimulai pukul satu.');
        // Published straight from a draft with wp_publish_post(): WordPress leaves post_date_gmt empty,
        // and the local date in the site's timezone (Asia/Jakarta) gives the instant.
        const localDate = await site.php(`echo get_post(${id})->post_date;`);
        const expected = new Date(`${localDate.replace(' ', 'T')}+07:00`).toISOString().replace('.000Z', 'Z');
        expect(article['publishedAt']).toBe(expected);

        // A withdrawal is a signed DELETE of the same id with an empty body.
        received.length = 0;
        await site.php(`wp_update_post(array('ID' => ${id}, 'post_status' => 'private'));`);
        const until = Date.now() + 30_000;
        while (!received.some((r) => r.method === 'DELETE') && Date.now() < until) await site.runCron();
        const withdrawal = received.find((r) => r.method === 'DELETE');
        expect(withdrawal?.url).toBe(`/articles/wp-${id}`);
        expect(withdrawal?.body.length).toBe(0);
        expect(verifyBodySignature('rahasia-bersama-untuk-uji', '', withdrawal?.headers['x-hub-signature-256'] as string)).toEqual({ ok: true });
      } finally {
        await new Promise((r) => capture.close(r));
      }
    }, STEP_TIMEOUT);
  },
);
