import { Logger } from '@aws-lambda-powertools/logger';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWordPressSyncHandler, type WordPressSyncHandlerDeps } from '../../../functions/wordpress-sync.js';
import { ENV } from '../../../shared/config/env-names.js';
import { StorageError } from '../../../shared/errors.js';
import { decodeIds, DynamoDbWordPressSyncState, encodeIds, MAX_LISTED_BYTES } from '../../../shared/storage/dynamodb-wordpress-sync-state.js';
import { loadWordPressSyncConfig } from '../../../shared/wordpress/sync-config.js';
import { seededRandom } from '../../../bench/seeded-random.js';
import { startFakeWordPressRest, type FakePost, type FakeWordPress } from '../../support/fake-wordpress-rest.js';
import { startTestStack, type TestStack } from '../../support/local-stack.js';

const USER = 'redaksi';
const APP_PASSWORD = 'abcd efgh ijkl mnop qrst uvwx';
const day = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 3_600_000).toISOString().slice(0, 19);
const post = (id: number, fields: Partial<FakePost> = {}): FakePost => ({
  id,
  status: 'publish',
  title: `Berita nomor ${id}`,
  content: `<p>Isi berita nomor ${id}.</p>`,
  modified: day(id),
  date: day(id),
  ...fields,
});

describe('the scheduled WordPress sync Lambda on dynalite', () => {
  let t: TestStack;
  let site: FakeWordPress;
  let state: DynamoDbWordPressSyncState;
  const handlerFor = (url: string, extra: Partial<WordPressSyncHandlerDeps> = {}) =>
    createWordPressSyncHandler({
      config: { site: t.deps.config.site, wordpressSyncUrl: url },
      articles: t.deps.articles,
      state,
      clock: t.clock,
      logger: new Logger({ serviceName: 'warta-test', logLevel: 'SILENT' }),
      ...extra,
    });

  beforeAll(async () => {
    [t, site] = await Promise.all([startTestStack(), startFakeWordPressRest({ user: USER, applicationPassword: APP_PASSWORD.replace(/ /g, '') })]);
    t.clock.set('2024-06-01T00:00:00Z');
    state = new DynamoDbWordPressSyncState(t.deps.documentClient, t.deps.config.articlesTableName);
    for (let id = 1; id <= 250; id++) site.posts.set(id, post(id));
    site.posts.set(251, post(251, { password: 'kunci' }));
    site.posts.set(252, post(252, { status: 'draft' }));
    // Scheduled while the editor worked on it: its modification time is from then, not from when it goes out.
    site.posts.set(253, post(253, { status: 'future', modified: day(10), date: '2024-06-01T06:00:00' }));
  }, 120_000);
  afterAll(async () => {
    await Promise.all([t?.close(), site?.close()]);
  });

  const withCredentials = { credentials: async () => ({ user: USER, applicationPassword: APP_PASSWORD }) };

  it('ingests every published post through the use case and keeps its position in the table', async () => {
    const summary = await handlerFor(site.url, withCredentials)({});
    expect(summary).toMatchObject({ created: 251, scheduled: 1, pages: 3, withdrawn: 0, refused: [], notPublic: { 'password-protected': 1, draft: 1 }, listed: 251, complete: true });
    expect(await t.deps.articles.get('wp-42')).toMatchObject({ title: 'Berita nomor 42', status: 'published' });
    // The scheduled post is stored with its future time: the embargo keeps it out of every output until then.
    expect(await t.deps.articles.get('wp-253')).toMatchObject({ publishedAt: '2024-06-01T06:00:00.000Z', status: 'published' });
    expect(await t.deps.articles.get('wp-251')).toBeUndefined();
    const saved = await state.load(site.url);
    expect(saved?.listed).toHaveLength(251);
    expect(saved?.modifiedAfter).toBe(new Date(Date.parse(`${day(252)}Z`) - 1000).toISOString());
  });

  it('asks for nothing more than the changes and one count when nothing changed', async () => {
    site.requests.length = 0;
    const summary = await handlerFor(site.url, withCredentials)({});
    expect(summary).toMatchObject({ created: 0, updated: 0, withdrawn: 0, idPages: 1 });
    // The probe of the route, one page of changes, one page of the ids dated since the day before the last run, one count.
    expect(site.requests).toHaveLength(4);
  });

  it('takes in an edit, withdraws a post made private and one deleted, and sees the scheduled post go out', async () => {
    t.clock.set('2024-06-01T07:00:00Z');
    site.posts.set(5, post(5, { title: 'Berita nomor 5, diperbarui', modified: day(24 * 100) }));
    site.posts.set(9, post(9, { status: 'private', modified: day(24 * 100) }));
    site.posts.delete(7);
    site.posts.set(253, { ...(site.posts.get(253) as FakePost), status: 'publish' });
    const summary = await handlerFor(site.url, withCredentials)({});
    // WordPress published the scheduled post without moving its modification time: the ids dated since the
    // day before the last run show it, and Warta already holds it (unchanged).
    expect(summary).toMatchObject({ created: 0, updated: 1, withdrawn: 2, withdrawnBy: { private: 1, deleted: 1 }, listed: 250, idPages: 4 });
    expect(summary.unchanged).toBeGreaterThanOrEqual(1);
    expect(await t.deps.articles.get('wp-5')).toMatchObject({ title: 'Berita nomor 5, diperbarui', status: 'published' });
    expect(await t.deps.articles.get('wp-7')).toMatchObject({ status: 'withdrawn' });
    expect(await t.deps.articles.get('wp-9')).toMatchObject({ status: 'withdrawn' });
    expect(await t.deps.articles.get('wp-253')).toMatchObject({ status: 'published' });
    expect((await state.load(site.url))?.listed).toHaveLength(250);
  });

  it('stops taking pages a minute before its timeout and the next run resumes from there', async () => {
    const other = await startFakeWordPressRest();
    try {
      for (let id = 1001; id <= 1230; id++) other.posts.set(id, post(id, { title: `Kabar lain ${id}`, modified: day(id - 1000) }));
      const handler = handlerFor(other.url);
      const first = await handler({}, { getRemainingTimeInMillis: () => 30_000 });
      expect(first).toMatchObject({ created: 100, pages: 1, complete: false });
      const second = await handler({}, { getRemainingTimeInMillis: () => 600_000 });
      // The last post of the first page comes back unchanged (the position starts a second early).
      expect(second).toMatchObject({ created: 130, unchanged: 1, complete: true, listed: 230 });
      // A scheduled post, never visible to this anonymous sync, goes out without a new modification time.
      other.posts.set(1231, post(1231, { title: 'Kabar terjadwal', modified: day(5), date: '2024-06-01T06:30:00' }));
      const third = await handler({}, { getRemainingTimeInMillis: () => 600_000 });
      expect(third).toMatchObject({ created: 1, listed: 231 });
      expect(await t.deps.articles.get('wp-1231')).toMatchObject({ title: 'Kabar terjadwal', status: 'published' });
    } finally {
      await other.close();
    }
  });

  it('fails the run (for the error alarm) when the site refuses the credentials, keeping the saved position', async () => {
    const before = await state.load(site.url);
    await expect(handlerFor(site.url, { credentials: async () => ({ user: USER, applicationPassword: 'wrong' }) })({})).rejects.toThrow(/HTTP 401/);
    expect(await state.load(site.url)).toEqual(before);
  });
});

describe('the sync state item', () => {
  test.prop([fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 40 }), { maxLength: 500 })])('keeps every id through its compact form', (ids) => {
    expect(decodeIds(encodeIds(ids))).toEqual([...ids].sort((a, b) => a - b));
  });

  it('holds 100,000 ids of a busy site in far less than the item limit, and refuses clearly what would not fit', async () => {
    // Posts share WordPress's id sequence with revisions and attachments: random gaps of 1 to 8
    // (measured: about 50 KB for 100,000 ids, 244 KB for 500,000).
    const random = seededRandom(9);
    let id = 0;
    const dense = Array.from({ length: 100_000 }, () => (id += 1 + Math.floor(random() * 8)));
    expect(encodeIds(dense).length).toBeLessThan(MAX_LISTED_BYTES / 5);
    let sparse = 0;
    const scattered = Array.from({ length: 300_000 }, (_, i) => (sparse += 1 + ((i * 2_654_435_761) % 1_000_003)));
    const store = new DynamoDbWordPressSyncState({ send: async () => ({}) } as never, 'table');
    await expect(store.save({ site: 'https://news.example', listed: scattered })).rejects.toThrow(StorageError);
    await expect(store.save({ site: 'https://news.example', listed: scattered })).rejects.toThrow(/300000 post ids https:\/\/news.example lists take \d+ bytes compressed/);
  });
});

describe('the sync configuration', () => {
  const env = {
    [ENV.articlesTableName]: 'warta-articles',
    [ENV.siteUrl]: 'https://news.example',
    [ENV.siteTitle]: 'Kabar',
    [ENV.siteDescription]: 'Berita',
    [ENV.feedsBaseUrl]: 'https://feeds.news.example',
    [ENV.wordpressSyncUrl]: 'https://wp.news.example/',
  };

  it('is read once from the environment', () => {
    expect(loadWordPressSyncConfig(env)).toMatchObject({ wordpressSyncUrl: 'https://wp.news.example', articlesTableName: 'warta-articles' });
  });

  it('names each missing or malformed variable', () => {
    expect(() => loadWordPressSyncConfig({ ...env, [ENV.wordpressSyncUrl]: 'ftp://wp.example', [ENV.articlesTableName]: undefined })).toThrow(
      /WORDPRESS_SYNC_URL: must be the http\(s\) URL of the WordPress site.*|ARTICLES_TABLE_NAME/,
    );
    expect(() => loadWordPressSyncConfig({ ...env, [ENV.wordpressSyncSecretArn]: 'warta/wp' })).toThrow(/WORDPRESS_SYNC_SECRET_ARN/);
  });
});
