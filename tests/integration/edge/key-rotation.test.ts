import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgeServer, type EdgeServer } from '../../../cli/local/edge-server.js';
import { ensureLocalKeyPair, loadTrustedPublicKeys, retireLocalKey, rotateLocalKeyPair } from '../../../cli/local/key-pair.js';
import { startS3, type S3Fixture } from './s3rver-fixture.js';

const NOW = new Date('2024-02-07T10:00:00Z');

describe('key rotation through the local key pair files', () => {
  let fixture: S3Fixture;
  let edge: EdgeServer;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'warta-keys-'));
    fixture = await startS3();
    await fixture.s3.send(
      new PutObjectCommand({ Bucket: fixture.bucket, Key: 'partners/acme/feed.json', Body: '{}', ContentType: 'application/feed+json; charset=utf-8' }),
    );
    edge = await startEdgeServer({
      s3: fixture.s3,
      bucket: fixture.bucket,
      host: '127.0.0.1',
      port: 0,
      trustedKeys: () => loadTrustedPublicKeys(dataDir),
      clock: { now: () => NOW },
    });
  });

  afterAll(async () => {
    await edge?.close();
    await fixture?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const sign = (keyPairId: string, privateKey: string) => {
    const url = getSignedUrl({
      url: `${edge.url}/partners/acme/feed.json`,
      policy: JSON.stringify({
        Statement: [{ Resource: `${edge.url}/partners/acme/*`, Condition: { DateLessThan: { 'AWS:EpochTime': NOW.getTime() / 1000 + 3600 } } }],
      }),
      keyPairId,
      privateKey,
    });
    return fetch(url).then(async (r) => ({ status: r.status, text: await r.text() }));
  };

  it('creates a CloudFront-shaped key pair once, with a private key only the owner can read', async () => {
    const first = await ensureLocalKeyPair(dataDir);
    expect(first.keyPairId).toMatch(/^K[A-Z0-9]{13}$/);
    expect(first.dir).toBe(join(dataDir, 'keys'));
    const mode = (await stat(join(first.dir, `${first.keyPairId}.private.pem`))).mode & 0o777;
    expect(mode).toBe(0o600);
    expect((await readFile(join(first.dir, 'active-key-id'), 'utf8')).trim()).toBe(first.keyPairId);
    const again = await ensureLocalKeyPair(dataDir);
    expect(again).toEqual(first);
    expect([...(await loadTrustedPublicKeys(dataDir)).keys()]).toEqual([first.keyPairId]);
  });

  it('trusts old and new keys during rotation and refuses old URLs once the old key is retired', async () => {
    const old = await ensureLocalKeyPair(dataDir);
    expect((await sign(old.keyPairId, old.privateKeyPem)).status).toBe(200);

    const next = await rotateLocalKeyPair(dataDir);
    expect(next.keyPairId).not.toBe(old.keyPairId);
    expect((await ensureLocalKeyPair(dataDir)).keyPairId).toBe(next.keyPairId);
    expect(new Set((await loadTrustedPublicKeys(dataDir)).keys())).toEqual(new Set([old.keyPairId, next.keyPairId]));
    // No restart: the edge re-reads the trusted keys on every request.
    expect((await sign(old.keyPairId, old.privateKeyPem)).status).toBe(200);
    expect((await sign(next.keyPairId, next.privateKeyPem)).status).toBe(200);

    await expect(retireLocalKey(dataDir, next.keyPairId)).rejects.toThrow(/active signing key/);
    await retireLocalKey(dataDir, old.keyPairId);
    const refused = await sign(old.keyPairId, old.privateKeyPem);
    expect(refused).toEqual({ status: 403, text: 'Forbidden: unknown key\n' });
    expect((await sign(next.keyPairId, next.privateKeyPem)).status).toBe(200);
  });
});
