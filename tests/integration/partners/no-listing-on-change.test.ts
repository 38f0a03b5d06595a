import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartnerSchema, type PartnerInput } from '../../../shared/partners/partner.js';
import { rebuildAllPartnerOutputs } from '../../../shared/partners/build-partner-outputs.js';
import { updateRelated } from '../../../shared/related/update-related.js';
import { feedBuildDependencies, partnerOutputDependencies } from '../../../shared/runtime/dependencies.js';
import { buildFeedsForArticles } from '../../../shared/usecases/build-feeds.js';
import { ingestArticle, withdrawArticle } from '../../../shared/usecases/ingest-article.js';
import { jsonArticle, startTestStack, type TestStack } from '../../support/local-stack.js';

/**
 * Every S3 request an article change causes, counted by a middleware on the real S3 client talking
 * to s3rver: the publish path (ingest, feed and partner outputs, related) must never list a prefix,
 * whose cost grows with the archive.
 */
describe('an article change lists nothing in S3 (dynalite + s3rver)', () => {
  let t: TestStack;
  const requests = new Map<string, number>();
  const count = (command: string) => requests.get(command) ?? 0;

  const partner = (input: Partial<PartnerInput> & { id: string }) => PartnerSchema.parse({ name: input.id, ...input });
  /** One article change as the pipeline runs it: ingest, then the feed builder and the related builder on its id. */
  const change = async (fields: Record<string, unknown> | { withdraw: string }) => {
    const ingestDeps = { articles: t.deps.articles, clock: t.clock, site: t.deps.config.site };
    const outcome = 'withdraw' in fields ? await withdrawArticle(ingestDeps, String(fields.withdraw)) : await ingestArticle(ingestDeps, jsonArticle(fields));
    if (outcome.status === 'refused') throw new Error(`refused: ${JSON.stringify(outcome)}`);
    const id = outcome.article.id;
    await buildFeedsForArticles(feedBuildDependencies(t.deps), [id]);
    await updateRelated({ articles: t.deps.articles, store: t.deps.related, publisher: t.deps.publisher, site: t.deps.config.site, clock: t.clock }, [id]);
  };

  beforeAll(async () => {
    t = await startTestStack({ feedItemLimit: 5 });
    t.stack.s3.middlewareStack.add(
      (next, context) => async (args) => {
        requests.set(context.commandName ?? '?', count(context.commandName ?? '?') + 1);
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    await t.deps.partners.put(partner({ id: 'kabar', sections: ['Nusantara'], formats: ['rss', 'json'], fullText: true }));
    await t.deps.partners.put(partner({ id: 'warta-sport', tags: ['Sepak Bola'] }));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('publishes, updates, moves out of the licence and withdraws with 0 ListObjectsV2, each partner output as it should be', async () => {
    requests.clear();
    // First change a partner sees: its whole output is built from the table.
    await change({ id: 'banjir-1', publishedAt: '2024-02-07T01:00:00+07:00' });
    expect(await t.readObject('partners/kabar/ninjs/banjir-1.json')).toBeDefined();
    expect((await t.readObject('partners/kabar/index.json'))?.body).toContain('ninjs/banjir-1.json');
    // The other partner's first build publishes its (still empty) index and feeds.
    expect(JSON.parse((await t.readObject('partners/warta-sport/index.json'))?.body ?? '{}')).toMatchObject({ ninjs: [] });

    for (let i = 2; i <= 5; i++) await change({ id: `banjir-${i}`, title: `Banjir rob hari ke-${i} rendam pesisir utara Jakarta`, publishedAt: `2024-02-07T0${i}:00:00+07:00` });
    await change({ id: 'bola-1', section: 'Olahraga', tags: ['Sepak Bola'], title: 'Persija menang tipis atas Persib di Jakarta' });
    expect(await t.readObject('partners/warta-sport/ninjs/bola-1.json')).toBeDefined();

    // An update rewrites the document; a move out of the licence deletes it; a withdrawal cancels it.
    await change({ id: 'banjir-3', title: 'Banjir rob hari ketiga surut di pesisir utara Jakarta', publishedAt: '2024-02-07T03:00:00+07:00' });
    expect((await t.readObject('partners/kabar/ninjs/banjir-3.json'))?.body).toContain('hari ketiga surut');
    await change({ id: 'banjir-4', section: 'Ekonomi', tags: ['Pasar'], title: 'Banjir rob hari ke-4 rendam pasar', publishedAt: '2024-02-07T04:00:00+07:00' });
    expect(await t.readObject('partners/kabar/ninjs/banjir-4.json')).toBeUndefined();
    await change({ withdraw: 'banjir-5' });
    expect(JSON.parse((await t.readObject('partners/kabar/ninjs/banjir-5.json'))?.body ?? '{}')).toMatchObject({ pubstatus: 'canceled' });

    // A partner suspended in the registry is emptied by the next change, from its record alone.
    const kabar = await t.deps.partners.get('kabar');
    await t.deps.partners.put({ ...(kabar as NonNullable<typeof kabar>), status: 'suspended' });
    await change({ id: 'bola-2', section: 'Olahraga', tags: ['Sepak Bola'], title: 'Timnas berlatih di Bali jelang laga' });
    for (const key of ['partners/kabar/index.json', 'partners/kabar/feed.rss', 'partners/kabar/ninjs/banjir-1.json', 'partners/kabar/ninjs/banjir-5.json']) {
      expect(await t.readObject(key), key).toBeUndefined();
    }

    expect(count('ListObjectsV2Command')).toBe(0);
    expect(count('PutObjectCommand')).toBeGreaterThan(0);
  }, 120_000);

  it('lists the prefix only in the repair rebuild that registry commands run', async () => {
    requests.clear();
    const result = await rebuildAllPartnerOutputs(partnerOutputDependencies(t.deps), ['kabar']);
    expect(count('ListObjectsV2Command')).toBe(1);
    expect(result.written).toEqual([]);
  });
});
