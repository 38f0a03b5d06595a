import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import { main } from '../../cli/main.js';
import { createWordPressSyncHandler } from '../../functions/wordpress-sync.js';
import { DynamoDbWordPressSyncState } from '../../shared/storage/dynamodb-wordpress-sync-state.js';
import { startTestStack } from '../support/local-stack.js';
import { startMainJobProcess, type RunningMainJob } from '../support/main-job-process.js';
import { startWordPressSite, wordpressUnavailable, type WordPressSite } from '../support/wordpress-site.js';

describe.skipIf(wordpressUnavailable !== undefined)(`warta sync against a real WordPress${wordpressUnavailable ? ` (skipped: ${wordpressUnavailable})` : ''}`, () => {
  let site: WordPressSite;
  let job: RunningMainJob;
  let dataDir: string;
  const ids: Record<string, number> = {};

  // The command in this process (as `warta sync` runs it, minus a process start per run); Warta and
  // WordPress are separate processes.
  const sync = async (...extra: string[]) => {
    let out = '';
    let err = '';
    const stdout = new PassThrough().on('data', (c: Buffer) => (out += c.toString('utf8')));
    const stderr = new PassThrough().on('data', (c: Buffer) => (err += c.toString('utf8')));
    const code = await main(['sync', '--data', dataDir, '--wordpress', site.url, '--json', ...extra], { stdout, stderr, now: () => new Date() });
    if (code !== 0) throw new Error(`warta sync exited ${code}: ${err}`);
    return JSON.parse(out);
  };
  const authenticated = () => ['--user', site.admin.login, '--app-password', site.admin.applicationPassword];
  const latestTitles = async () => {
    const text = await (await fetch(`${job.edgeUrl}/feeds/latest.json`)).text();
    if (!text.startsWith('{')) return [];
    return (JSON.parse(text) as { items: { title: string }[] }).items.map((i) => i.title).sort();
  };
  // Each post gets its own date in the past, which WordPress also takes as its modification time when
  // inserting: the order of the posts, and so where a run stops, does not depend on the test's speed.
  // All in one PHP run: each run loads WordPress anew, about a second on a busy machine.
  const insertAll = async (posts: [key: string, fields: Record<string, unknown>][]) => {
    const fields = posts.map(([, f], i) => ({ post_date: `2024-03-${String(i + 1).padStart(2, '0')} 08:00:00`, ...f }));
    const created = await site.phpJson<number[]>(`
      $ids = [];
      foreach (json_decode(${phpJson(fields)}, true) as $post) {
        $id = wp_insert_post($post, true);
        if (is_wp_error($id)) throw new Exception($id->get_error_message());
        $ids[] = $id;
      }
      return $ids;`);
    posts.forEach(([key], i) => (ids[key] = created[i] as number));
  };
  /** The five changes a post can go through between two runs: edited, made private, password-protected, trashed, deleted for good. */
  const changeGroup = (group: string, editedTitle: string) =>
    site.php(`
      $edit = wp_update_post(['ID' => ${ids[`${group}-edit`]}, 'post_title' => ${phpString(editedTitle)}, 'post_content' => '<p>Koreksi: angka terbaru.</p>'], true);
      $private = wp_update_post(['ID' => ${ids[`${group}-private`]}, 'post_status' => 'private'], true);
      $protect = wp_update_post(['ID' => ${ids[`${group}-protect`]}, 'post_password' => 'kunci'], true);
      if (is_wp_error($edit) || is_wp_error($private) || is_wp_error($protect)) throw new Exception('update failed');
      if (!wp_trash_post(${ids[`${group}-trash`]}) || !wp_delete_post(${ids[`${group}-delete`]}, true)) throw new Exception('trash or delete failed');`);
  const CHANGES = ['edit', 'private', 'protect', 'trash', 'delete'] as const;
  const GROUPS = {
    anon: ['Harga beras naik', 'Rapat tertutup', 'Laporan khusus', 'Berita keliru', 'Berita ganda'],
    auth: ['Jalan tol baru', 'Catatan internal', 'Analisis premium', 'Ralat', 'Duplikat'],
  } as const;
  const ALL_PUBLIC = ['Banjir rob di “Pesisir” & sekitarnya', 'Pasar ikan buka lagi', ...GROUPS.anon, ...GROUPS.auth].sort();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'warta-sync-'));
    [site, job] = await Promise.all([
      startWordPressSite(),
      startMainJobProcess(['--memory', '--no-examples', '--port', '0', '--data', dataDir, '--inbox', join(dataDir, 'inbox'), '--quiet-edge']),
    ]);
    await site.php('wp_delete_post(1, true);'); // the "Hello world!" every new site starts with
    const category = await site.phpJson<number>(`return wp_insert_term('Metro & Kota', 'category')['term_id'];`);
    await insertAll([
      ['markup', { post_title: 'Banjir <em>rob</em> di "Pesisir" & sekitarnya', post_content: '<!-- wp:paragraph --><p>Air laut naik.</p><!-- /wp:paragraph -->', post_status: 'publish', post_category: [category], tags_input: ['banjir', 'rob'] }],
      ['classic', { post_title: 'Pasar ikan buka lagi', post_content: 'Paragraf satu.\n\nParagraf dua.', post_status: 'publish' }],
      ...Object.entries(GROUPS).flatMap(([group, titles]) =>
        CHANGES.map((change, i): [string, Record<string, unknown>] => [`${group}-${change}`, { post_title: titles[i], post_content: `<p>${titles[i]}: isi berita.</p>`, post_status: 'publish' }]),
      ),
      ['draft', { post_title: 'Draf rahasia', post_content: 'Rahasia redaksi.', post_status: 'draft' }],
      ['protected', { post_title: 'Untuk pelanggan', post_content: 'Rahasia redaksi.', post_status: 'publish', post_password: 'kunci' }],
      ['scheduled', { post_title: 'Terjadwal', post_content: 'Rahasia redaksi.', post_status: 'future', post_date: '2035-01-01 08:00:00' }],
    ]);
  }, 300_000);

  afterAll(async () => {
    await Promise.all([job?.stop(), site?.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('publishes the public posts with their categories, tags and authors, and never the others', async () => {
    const summary = await sync(...authenticated());
    // The scheduled post is sent with its future date: stored, and in no feed until then.
    expect(summary).toMatchObject({ created: 13, scheduled: 1, updated: 0, withdrawn: 0, refused: [], notPublic: { draft: 1, 'password-protected': 1 } });
    // The ingest API answers once an article is stored; the feeds follow within moments.
    await expect.poll(latestTitles, { timeout: 60_000, interval: 250 }).toEqual(ALL_PUBLIC);
    const section = JSON.parse(await (await fetch(`${job.edgeUrl}/feeds/section/metro-dan-kota.json`)).text()) as { items: { title: string; tags: string[]; authors: { name: string }[] }[] };
    // The REST API's title is what the site shows, smart quotes (wptexturize) included.
    expect(section.items[0]).toMatchObject({ title: 'Banjir rob di “Pesisir” & sekitarnya', authors: [{ name: 'admin' }] });
    expect(section.items[0]?.tags).toEqual(expect.arrayContaining(['banjir', 'rob']));
    const state = JSON.parse(await readFile(summary.stateFile, 'utf8'));
    // The ids listed as published: the twelve public posts and the password-protected one.
    expect(state).toMatchObject({ site: site.url, modifiedAfter: expect.stringMatching(/^\d{4}-/), listed: expect.any(Array) });
    expect(state.listed).toHaveLength(13);
  }, 180_000);

  it('fetches only what changed since the last run; the recently dated ids and one count show nothing joined or left', async () => {
    const again = await sync(...authenticated());
    // The newest post again (modified_after starts a second early) and the scheduled one, whose
    // modification time WordPress set to its future date.
    expect(again).toMatchObject({ created: 0, updated: 0, withdrawn: 0, listed: 13, idPages: 1 });
    expect(again.posts).toBeLessThanOrEqual(2);
  }, 180_000);

  it('works without credentials on public posts only, from a given date', async () => {
    const summary = await sync('--since', '2000-01-01', '--state', join(dataDir, 'anonymous.json'));
    // Anonymous visitors see the public posts and the password-protected one (its content withheld).
    expect(summary).toMatchObject({ posts: 13, unchanged: 12, created: 0, withdrawn: 0, notPublic: { 'password-protected': 1 }, listed: 13 });
  }, 180_000);

  it('without credentials, takes in an edit and withdraws posts made private, password-protected, trashed or deleted', async () => {
    await changeGroup('anon', 'Harga beras turun');
    const summary = await sync('--state', join(dataDir, 'anonymous.json'));
    // The protected post is still listed (changed, so seen); the other three are simply no longer listed.
    expect(summary).toMatchObject({ updated: 1, withdrawn: 4, withdrawnBy: { 'password-protected': 1, unlisted: 3 }, refused: [], listed: 10, idPages: 2 });
    const expected = ALL_PUBLIC.filter((t) => !GROUPS.anon.includes(t as never)).concat('Harga beras turun').sort();
    await expect.poll(latestTitles, { timeout: 60_000, interval: 250 }).toEqual(expected);
    const feed = JSON.parse(await (await fetch(`${job.edgeUrl}/feeds/latest.json`)).text()) as { items: { title: string; content_html?: string }[] };
    expect(feed.items.find((i) => i.title === 'Harga beras turun')?.content_html).toContain('Koreksi: angka terbaru.');
  }, 180_000);

  it('with credentials, names why each post was withdrawn', async () => {
    await changeGroup('auth', 'Jalan tol baru dibuka');
    const summary = await sync(...authenticated());
    // The anonymous run already withdrew the first group: those are counted as not public, not withdrawn again.
    expect(summary).toMatchObject({ updated: 1, withdrawn: 4, withdrawnBy: { private: 1, 'password-protected': 1, trash: 1, deleted: 1 }, refused: [], listed: 7 });
    expect(summary.notPublic).toMatchObject({ private: 1, trash: 1, deleted: 1 });
    const expected = ['Banjir rob di “Pesisir” & sekitarnya', 'Pasar ikan buka lagi', 'Harga beras turun', 'Jalan tol baru dibuka'].sort();
    await expect.poll(latestTitles, { timeout: 60_000, interval: 250 }).toEqual(expected);
  }, 180_000);

  it('runs as the scheduled Lambda against the same WordPress, ingesting into DynamoDB (dynalite) and keeping its position there', async () => {
    const t = await startTestStack();
    try {
      t.clock.set(new Date().toISOString());
      const state = new DynamoDbWordPressSyncState(t.deps.documentClient, t.deps.config.articlesTableName);
      const handler = createWordPressSyncHandler({
        config: { site: t.deps.config.site, wordpressSyncUrl: site.url },
        articles: t.deps.articles,
        state,
        clock: t.clock,
        logger: new Logger({ serviceName: 'warta-test', logLevel: 'SILENT' }),
        credentials: async () => ({ user: site.admin.login, applicationPassword: site.admin.applicationPassword }),
      });
      const first = await handler({}, { getRemainingTimeInMillis: () => 600_000 });
      // The four public posts and the scheduled one; listed: those four and three password-protected ones.
      expect(first).toMatchObject({ created: 5, scheduled: 1, refused: [], withdrawn: 0, listed: 7, complete: true });
      expect(await t.deps.articles.get(`wp-${ids['auth-edit']}`)).toMatchObject({ title: 'Jalan tol baru dibuka', status: 'published' });
      // Its time as WordPress keeps it in GMT (the site's own time zone is not UTC).
      const scheduledGmt = await site.phpJson<string>(`return get_post_field('post_date_gmt', ${ids['scheduled']});`);
      expect(await t.deps.articles.get(`wp-${ids['scheduled']}`)).toMatchObject({ title: 'Terjadwal', publishedAt: `${scheduledGmt.replace(' ', 'T')}.000Z` });
      expect(await t.deps.articles.get(`wp-${ids['auth-private']}`)).toBeUndefined();
      expect((await state.load(site.url))?.listed).toHaveLength(7);
      expect(await handler({}, { getRemainingTimeInMillis: () => 600_000 })).toMatchObject({ created: 0, updated: 0, withdrawn: 0, idPages: 1 });
    } finally {
      await t.close();
    }
  }, 120_000);
});

/** A PHP string literal. */
function phpString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A PHP string literal holding `value` as JSON. */
function phpJson(value: unknown): string {
  return phpString(JSON.stringify(value));
}
