import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMainJobProcess, type RunningMainJob } from '../support/main-job-process.js';
import { startWordPressSite, wordpressUnavailable, type WordPressSite } from '../support/wordpress-site.js';

const CLI = fileURLToPath(new URL('../../cli/warta.mjs', import.meta.url));

describe.skipIf(wordpressUnavailable !== undefined)(`warta sync against a real WordPress${wordpressUnavailable ? ` (skipped: ${wordpressUnavailable})` : ''}`, () => {
  let site: WordPressSite;
  let job: RunningMainJob;
  let dataDir: string;
  const ids: Record<string, number> = {};

  const sync = (...extra: string[]) => {
    const run = spawnSync(process.execPath, [CLI, 'sync', '--data', dataDir, '--wordpress', site.url, '--json', ...extra], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`warta sync exited ${run.status}: ${run.stderr}`);
    return JSON.parse(run.stdout);
  };
  const authenticated = () => ['--user', site.admin.login, '--app-password', site.admin.applicationPassword];
  const latestTitles = async () => {
    const text = await (await fetch(`${job.edgeUrl}/feeds/latest.json`)).text();
    if (!text.startsWith('{')) return [];
    return (JSON.parse(text) as { items: { title: string }[] }).items.map((i) => i.title).sort();
  };
  const insert = (key: string, fields: Record<string, unknown>) =>
    site.phpJson<number>(`
      $id = wp_insert_post(json_decode(${JSON.stringify(JSON.stringify(fields)).replace(/\$/g, '\\$')}, true), true);
      if (is_wp_error($id)) throw new Exception($id->get_error_message());
      return $id;`).then((id) => (ids[key] = id));

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'warta-sync-'));
    [site, job] = await Promise.all([
      startWordPressSite(),
      startMainJobProcess(['--memory', '--no-examples', '--port', '0', '--data', dataDir, '--inbox', join(dataDir, 'inbox'), '--quiet-edge']),
    ]);
    await site.php('wp_delete_post(1, true);'); // the "Hello world!" every new site starts with
    const category = await site.phpJson<number>(`return wp_insert_term('Metro & Kota', 'category')['term_id'];`);
    await insert('markup', { post_title: 'Banjir <em>rob</em> di "Pesisir" & sekitarnya', post_content: '<!-- wp:paragraph --><p>Air laut naik.</p><!-- /wp:paragraph -->', post_status: 'publish', post_category: [category], tags_input: ['banjir', 'rob'] });
    await insert('classic', { post_title: 'Pasar ikan buka lagi', post_content: 'Paragraf satu.\n\nParagraf dua.', post_status: 'publish' });
    await insert('draft', { post_title: 'Draf rahasia', post_content: 'Rahasia redaksi.', post_status: 'draft' });
    await insert('protected', { post_title: 'Untuk pelanggan', post_content: 'Rahasia redaksi.', post_status: 'publish', post_password: 'kunci' });
    await insert('scheduled', { post_title: 'Terjadwal', post_content: 'Rahasia redaksi.', post_status: 'future', post_date: '2035-01-01 08:00:00' });
  }, 300_000);

  afterAll(async () => {
    await Promise.all([job?.stop(), site?.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('publishes the public posts with their categories, tags and authors, and never the others', async () => {
    const summary = sync(...authenticated());
    expect(summary).toMatchObject({ created: 2, updated: 0, withdrawn: 0, refused: [], notPublic: { draft: 1, 'password-protected': 1, scheduled: 1 } });
    // The ingest API answers once an article is stored; the feeds follow within moments.
    await expect.poll(latestTitles, { timeout: 60_000, interval: 250 }).toEqual(['Banjir rob di “Pesisir” & sekitarnya', 'Pasar ikan buka lagi']);
    const section = JSON.parse(await (await fetch(`${job.edgeUrl}/feeds/section/metro-dan-kota.json`)).text()) as { items: { title: string; tags: string[]; authors: { name: string }[] }[] };
    // The REST API's title is what the site shows, smart quotes (wptexturize) included.
    expect(section.items[0]).toMatchObject({ title: 'Banjir rob di “Pesisir” & sekitarnya', authors: [{ name: 'admin' }] });
    expect(section.items[0]?.tags).toEqual(expect.arrayContaining(['banjir', 'rob']));
    const state = JSON.parse(await readFile(summary.stateFile, 'utf8'));
    expect(state).toMatchObject({ site: site.url, modifiedAfter: expect.stringMatching(/^\d{4}-/) });
  }, 180_000);

  it('fetches only what changed since the last run', async () => {
    const again = sync(...authenticated());
    expect(again).toMatchObject({ created: 0, updated: 0, withdrawn: 0 });
    expect(again.posts).toBeLessThan(5);
  }, 180_000);

  it('works without credentials on public posts only, from a given date', async () => {
    const summary = sync('--since', '2000-01-01', '--state', join(dataDir, 'anonymous.json'));
    // Anonymous visitors see the two public posts and the password-protected one (its content withheld).
    expect(summary).toMatchObject({ posts: 3, unchanged: 2, created: 0, withdrawn: 0, notPublic: { 'password-protected': 1 } });
  }, 180_000);
});
