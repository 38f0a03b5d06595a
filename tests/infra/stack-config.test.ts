import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StackContextError, parseStackContext } from '../../infra/stack-config.js';
import { partnerKeys } from './synth-helpers.js';

const problemsOf = (raw: Record<string, unknown>): string[] => {
  try {
    parseStackContext(raw);
  } catch (error) {
    if (error instanceof StackContextError) return error.problems;
    throw error;
  }
  throw new Error('expected the context to be rejected');
};

describe('stack context', () => {
  it('synthesizes a fresh clone: defaults for everything, deletion protection on, partner feeds off', () => {
    const settings = parseStackContext({});
    expect(settings.stage).toBe('prod');
    expect(settings.deletionProtection).toBe(true);
    expect(settings.partnerPublicKeys).toEqual([]);
    expect(settings.activePartnerKeyId).toBeUndefined();
    expect(settings.siteLanguage).toBe('id');
    expect(settings.feedMaxAgeSeconds).toBe(300);
  });

  it('turns deletion protection off by default for the dev stage, and lets context override either way', () => {
    expect(parseStackContext({ stage: 'dev' }).deletionProtection).toBe(false);
    expect(parseStackContext({ stage: 'dev', deletionProtection: 'true' }).deletionProtection).toBe(true);
    expect(parseStackContext({ deletionProtection: false }).deletionProtection).toBe(false);
  });

  it('accepts partner keys as a JSON string from `cdk -c` and picks the first as the active key', () => {
    const keys = partnerKeys(2);
    const settings = parseStackContext({ partnerPublicKeys: JSON.stringify(keys) });
    expect(settings.partnerPublicKeys.map((k) => k.id)).toEqual(['key-1', 'key-2']);
    expect(settings.activePartnerKeyId).toBe('key-1');
    expect(parseStackContext({ partnerPublicKeys: keys, activePartnerKeyId: 'key-2' }).activePartnerKeyId).toBe('key-2');
  });

  it('refuses a single partner key, because rotation needs the next key in the group first', () => {
    expect(problemsOf({ partnerPublicKeys: partnerKeys(1) }).join('\n')).toMatch(/partnerPublicKeys: give at least two/);
  });

  it('refuses keys CloudFront would reject at deploy time: not PEM, RSA-1024, P-384', () => {
    const weakRsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const problems = problemsOf({
      partnerPublicKeys: [
        { id: 'garbage', pem: 'not a key' },
        { id: 'weak', pem: weakRsa },
        { id: 'big-curve', pem: p384 },
      ],
    }).join('\n');
    expect(problems).toMatch(/key "garbage": pem is not a PEM public key/);
    expect(problems).toMatch(/key "weak": CloudFront needs RSA-2048 or ECDSA P-256, got rsa 1024/);
    expect(problems).toMatch(/key "big-curve": CloudFront needs RSA-2048 or ECDSA P-256, got ec secp384r1/);
  });

  it('refuses duplicate key ids and an active key id that is not in the list', () => {
    const [a, b] = partnerKeys(2);
    expect(problemsOf({ partnerPublicKeys: [a, { ...b, id: a?.id }] }).join('\n')).toMatch(/ids must be unique/);
    expect(problemsOf({ partnerPublicKeys: [a, b], activePartnerKeyId: 'key-9' }).join('\n')).toMatch(
      /activePartnerKeyId: no partner public key has id "key-9"/,
    );
  });

  it('requires domainName and certificateArn together, and the certificate in us-east-1', () => {
    expect(problemsOf({ domainName: 'feeds.example.co.id' }).join('\n')).toMatch(/certificateArn: domainName and certificateArn go together/);
    expect(
      problemsOf({
        domainName: 'feeds.example.co.id',
        certificateArn: 'arn:aws:acm:ap-southeast-3:123456789012:certificate/0f2a4c1e-1111-2222-3333-444455556666',
      }).join('\n'),
    ).toMatch(/certificateArn: .*us-east-1/);
  });

  it('names every bad value by its context key in one error', () => {
    const error = (() => {
      try {
        parseStackContext({ siteUrl: 'ftp://x', stage: 'Prod!', alarmEmail: 'nobody', feedMaxAgeSeconds: '-5' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(StackContextError);
    expect(error?.message).toMatch(/siteUrl/);
    expect(error?.message).toMatch(/stage/);
    expect(error?.message).toMatch(/alarmEmail/);
    expect(error?.message).toMatch(/feedMaxAgeSeconds/);
    expect(error?.message).toMatch(/docs\/deploy\.md/);
  });
});
