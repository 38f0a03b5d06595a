import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { partnerKeys, synthesize } from './synth-helpers.js';

// Each synth runs cdk-nag over the whole stack: seconds alone, far longer while the suite's other workers share the cores.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

/**
 * The logical ids of every resource as synthesized before infra/warta-stack.ts was split into
 * constructs (tests/infra/fixtures/logical-ids-before-split.json). A resource whose logical id
 * changes is replaced by CloudFormation: for these types that loses data or changes what the
 * outside world holds (articles, published feeds, the webhook secret the CMS signs with, the
 * partner signing key, the API and CloudFront URLs, failed events waiting in dead-letter queues,
 * the builders' positions in the stream).
 */
const STATEFUL_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::S3::Bucket',
  'AWS::SecretsManager::Secret',
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Stage',
  'AWS::CloudFront::Distribution',
  'AWS::CloudFront::PublicKey',
  'AWS::CloudFront::KeyGroup',
  'AWS::SQS::Queue',
  'AWS::Lambda::EventSourceMapping',
];

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/logical-ids-before-split.json', import.meta.url), 'utf8'),
) as { contexts: Record<string, Record<string, string>> };

const CONTEXTS: Record<string, Record<string, unknown>> = {
  'fresh clone': {},
  'full configuration': {
    partnerPublicKeys: partnerKeys(2),
    domainName: 'feeds.example.co.id',
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f2a4c1e-1111-2222-3333-444455556666',
    alarmEmail: 'ops@example.co.id',
  },
};

describe('logical ids of stateful resources', () => {
  it('the fixture covers both contexts and every stateful type the stack has', () => {
    expect(Object.keys(fixture.contexts).sort()).toEqual(Object.keys(CONTEXTS).sort());
    const typesInFixture = new Set(Object.values(fixture.contexts['full configuration'] ?? {}));
    for (const type of STATEFUL_TYPES) expect(typesInFixture, type).toContain(type);
  });

  it.each(Object.keys(CONTEXTS))('are the same as before the split into constructs (%s)', (name) => {
    const before = Object.entries(fixture.contexts[name] ?? {}).filter(([, type]) => STATEFUL_TYPES.includes(type));
    expect(before.length).toBeGreaterThan(8);
    const resources = synthesize(CONTEXTS[name] ?? {}).template.toJSON().Resources as Record<string, { Type: string }>;
    const now = Object.entries(resources)
      .filter(([, r]) => STATEFUL_TYPES.includes(r.Type))
      .map(([id, r]) => [id, r.Type]);
    // Every stateful resource of then is still there under the same id; new ones may have been added since.
    expect(Object.fromEntries(now)).toMatchObject(Object.fromEntries(before));
  });
});
