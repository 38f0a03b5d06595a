import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnersCommand } from '../../../cli/commands/partners.js';
import { signUrlCommand } from '../../../cli/commands/sign-url.js';
import { startEdgeServer, type EdgeServer } from '../../../cli/local/edge-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmbeddedStack, type EmbeddedStack } from '../../../cli/local/embedded-stack.js';
import { ensureLocalKeyPair, loadTrustedPublicKeys } from '../../../cli/local/key-pair.js';
import { createPartnerAccessHandler } from '../../../functions/partner-access.js';
import { DynamoDbPartnerRepository } from '../../../shared/storage/dynamodb-partner-repository.js';

const TABLE = 'warta-test';
const BUCKET = 'warta-feeds';
const NOW = new Date('2024-02-07T10:00:00Z');

function sink() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

describe('partner registry, access endpoint and CLI against dynalite, s3rver and the local edge', () => {
  let stack: EmbeddedStack;
  let edge: EdgeServer;
  let dataDir: string;
  let repository: DynamoDbPartnerRepository;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'warta-partners-'));
    stack = await startEmbeddedStack({ memory: true, tableName: TABLE, buckets: [BUCKET] });
    repository = new DynamoDbPartnerRepository(DynamoDBDocumentClient.from(stack.dynamodb), TABLE);
    for (const key of ['partners/kabar-nusantara/index.json', 'partners/teknoekonomi/index.json']) {
      await stack.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: '{}', ContentType: 'application/json; charset=utf-8' }));
    }
    edge = await startEdgeServer({
      s3: stack.s3,
      bucket: BUCKET,
      host: '127.0.0.1',
      port: 0,
      trustedKeys: () => loadTrustedPublicKeys(dataDir),
      clock: { now: () => NOW },
    });
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoEndpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });
  });

  afterAll(async () => {
    process.env = savedEnv;
    await edge?.close();
    await stack?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const run = async (args: string[]) => {
    const out = sink();
    const err = sink();
    const code = await partnersCommand(args, { repository, stdout: out.stream, stderr: err.stream });
    return { code, out: out.text(), err: err.text() };
  };

  const signUrl = async (args: string[]) => {
    const out = sink();
    const err = sink();
    const code = await signUrlCommand(args, { dataDir, edgeBaseUrl: edge.url, stdout: out.stream, stderr: err.stream, now: () => NOW });
    return { code, out: out.text(), err: err.text() };
  };

  it('syncs the example registry into DynamoDB and lists it', async () => {
    const synced = await run(['sync', 'examples/partners.json']);
    expect(synced).toMatchObject({ code: 0, err: '' });
    expect(synced.out).toContain('synced 3 partner(s)');
    const listed = await run(['list']);
    expect(listed.out.trim().split('\n').map((l) => l.split('\t').slice(0, 2))).toEqual([
      ['arena-sport', 'suspended'],
      ['kabar-nusantara', 'active'],
      ['teknoekonomi', 'active'],
    ]);
    expect((await repository.get('teknoekonomi'))?.formats).toEqual(['json']);
  });

  it('refuses bad registry files and bad usage', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'warta-bad-'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ partners: [{ id: 'Bad Id', name: 'x', formats: ['pdf'] }] }));
    const bad = await run(['sync', join(dir, 'bad.json')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('partners.0.id');
    expect(bad.err).toContain('partners.0.formats.0');
    expect((await run(['suspend'])).code).toBe(2);
    expect((await run(['explode'])).code).toBe(2);
    expect((await run(['suspend', 'nobody'])).code).toBe(1);
    await rm(dir, { recursive: true, force: true });
  });

  it('signs URLs from the CLI that the local edge accepts for that partner only', async () => {
    const signed = await signUrl(['--partner', 'kabar-nusantara', '--expires', '2h', '--table', TABLE]);
    expect(signed.code).toBe(0);
    const url = signed.out.trim();
    expect(url.split('\n')).toHaveLength(1);
    expect(url.startsWith(`${edge.url}/partners/kabar-nusantara/index.json?Policy=`)).toBe(true);
    expect((await fetch(url)).status).toBe(200);
    const other = url.replace('/kabar-nusantara/', '/teknoekonomi/');
    expect((await fetch(other)).status).toBe(403);

    const fromFile = await signUrl(['--partner', 'teknoekonomi', '--sha256']);
    expect(fromFile.code).toBe(0);
    expect(fromFile.out).toContain('Hash-Algorithm=SHA256');
    expect((await fetch(fromFile.out.trim())).status).toBe(200);
  });

  it('refuses unknown and suspended partners, and bad options', async () => {
    expect(await signUrl(['--partner', 'arena-sport'])).toMatchObject({ code: 1, out: '' });
    expect((await signUrl(['--partner', 'nobody'])).err).toContain('unknown partner');
    expect((await signUrl([])).code).toBe(2);
    expect((await signUrl(['--partner', 'teknoekonomi', '--expires', 'soon'])).code).toBe(2);
    expect((await signUrl(['--partner', 'teknoekonomi', '--ip', '999.1.1.1/8'])).code).toBe(2);
    expect((await signUrl(['--partner', 'teknoekonomi', '--not-before', '3h', '--expires', '2h'])).code).toBe(2);
    expect((await signUrl(['--partner', 'teknoekonomi', '--bogus'])).code).toBe(2);
    expect((await signUrl(['--help'])).out).toContain('Usage: warta sign-url');
  });

  it('acts on suspension at once, without a deploy', async () => {
    expect((await run(['suspend', 'teknoekonomi'])).out).toBe('teknoekonomi: suspended\n');
    expect((await signUrl(['--partner', 'teknoekonomi', '--table', TABLE])).code).toBe(1);
    expect((await run(['activate', 'teknoekonomi'])).code).toBe(0);
    expect((await signUrl(['--partner', 'teknoekonomi', '--table', TABLE])).code).toBe(0);
  });

  describe('POST /partner-access/signed-url', () => {
    let key: Awaited<ReturnType<typeof ensureLocalKeyPair>>;
    let fetchedKey = 0;

    const makeHandler = () =>
      createPartnerAccessHandler({
        logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
        access: {
          partners: repository,
          baseUrl: edge.url,
          keyPairId: key.keyPairId,
          privateKeyPem: async () => {
            fetchedKey += 1;
            return key.privateKeyPem;
          },
          maxLifetimeSeconds: 3600,
          now: () => NOW,
        },
      });

    const event = (token: string | undefined, body?: unknown): APIGatewayProxyEventV2 =>
      ({
        headers: token ? { authorization: `Bearer ${token}` } : {},
        body: body === undefined ? undefined : JSON.stringify(body),
        isBase64Encoded: false,
        requestContext: { http: { sourceIp: '192.0.2.1' } },
      }) as unknown as APIGatewayProxyEventV2;

    beforeAll(async () => {
      key = await ensureLocalKeyPair(dataDir);
    });

    it('trades a partner token for a signed URL to that partner only', async () => {
      const reply = await makeHandler()(event('local-token-kabar-nusantara', { lifetimeSeconds: 600 }));
      expect(reply.statusCode).toBe(200);
      const body = JSON.parse(String(reply.body)) as { url: string; expiresAt: string; cookies: Record<string, string> };
      expect(body.expiresAt).toBe('2024-02-07T10:10:00.000Z');
      expect(body.cookies['CloudFront-Key-Pair-Id']).toBe(key.keyPairId);
      expect(String(reply.body)).not.toContain('PRIVATE KEY');
      expect((await fetch(body.url)).status).toBe(200);
      expect((await fetch(body.url.replace('/kabar-nusantara/', '/teknoekonomi/'))).status).toBe(403);
    });

    it('refuses missing or wrong tokens, suspended partners and over-long lifetimes', async () => {
      const h = makeHandler();
      expect((await h(event(undefined))).statusCode).toBe(401);
      expect((await h(event('local-token-kabar-nusantarx'))).statusCode).toBe(401);
      expect((await h(event('local-token-arena-sport'))).statusCode).toBe(403);
      expect(JSON.parse(String((await h(event('local-token-arena-sport'))).body))).toEqual({ message: 'partner suspended' });
      expect((await h(event('local-token-teknoekonomi', { lifetimeSeconds: 7200 }))).statusCode).toBe(400);
      expect((await h(event('local-token-teknoekonomi', { partner: 'kabar-nusantara' }))).statusCode).toBe(400);
      expect((await h(event('local-token-teknoekonomi', { ipRange: 'everywhere' }))).statusCode).toBe(400);
      const ok = await h(event('local-token-teknoekonomi', { ipRange: '203.0.113.0/24' }));
      expect(ok.statusCode).toBe(200);
      // Signed for another address range: the edge (socket address 127.0.0.1) refuses it.
      const url = (JSON.parse(String(ok.body)) as { url: string }).url;
      const refused = await fetch(url);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('ip not allowed');
      expect(fetchedKey).toBeGreaterThan(0);
    });
  });
});
