import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../../functions/ingest.js';
import { postJsonEvent as post } from '../../support/api-gateway-event.js';
import { jsonArticle, startTestStack, type TestStack } from '../../support/local-stack.js';

const VERSIONS = 20;
const updatedAtOf = (minute: number) => new Date(Date.UTC(2024, 1, 8, 1, minute)).toISOString();

describe('many versions of one article sent at once (ingest handler on dynalite)', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  });
  afterAll(async () => {
    await t.close();
  });

  it('always keeps the newest updatedAt, whatever the arrival order; 409 only for older versions, never 503', async () => {
    const handler = createIngestHandler({ ...t.deps });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([...Array(VERSIONS).keys()], { minLength: VERSIONS, maxLength: VERSIONS }),
        fc.boolean(),
        async (order, storedFirst) => {
          const id = `rebutan-${run++}`;
          const version = (minute: number) => jsonArticle({ id, title: `Versi menit ${minute}`, editor: minute % 2 === 0 ? 'Nurul Hidayah' : undefined, updatedAt: updatedAtOf(minute) }).body;
          // Half the runs race on an article that already exists (updates), half on a new one (creates).
          if (storedFirst) expect((await handler(post(jsonArticle({ id, title: 'Awal', updatedAt: '2024-02-08T00:00:00.000Z' }).body))).statusCode).toBe(201);
          const responses = await Promise.all(order.map(async (minute) => ({ minute, response: await handler(post(version(minute))) })));

          const stored = await t.deps.articles.get(id);
          const newest = VERSIONS - 1;
          expect(stored?.updatedAt).toBe(updatedAtOf(newest));
          expect(stored?.title).toBe(`Versi menit ${newest}`);
          // Optional fields follow the stored version: minute 19 has no editor.
          expect(stored?.editor).toBeUndefined();
          for (const { minute, response } of responses) {
            expect([200, 201, 409]).toContain(response.statusCode);
            if (response.statusCode === 409) expect(minute).toBeLessThan(newest);
          }
          const newestResponse = responses.find((r) => r.minute === newest)?.response;
          expect([200, 201]).toContain(newestResponse?.statusCode);
          // Versions count every accepted write exactly once, with no number given twice.
          const accepted = responses.filter((r) => r.response.statusCode !== 409).map((r) => JSON.parse(r.response.body ?? '{}').version as number);
          expect(new Set(accepted).size).toBe(accepted.length);
          expect(stored?.version).toBe(accepted.length + (storedFirst ? 1 : 0));
          expect(Math.max(...accepted)).toBe(stored?.version);
        },
      ),
      { numRuns: 12 },
    );
  }, 60_000);
});
