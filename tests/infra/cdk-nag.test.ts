import { Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { FIXTURE_FUNCTIONS_DIR, partnerKeys } from './synth-helpers.js';

// Each synth runs cdk-nag over the whole stack: seconds alone, far longer while the suite's other workers share the cores.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const CONTEXTS: Record<string, Record<string, unknown>> = {
  'fresh clone': {},
  'full configuration': {
    partnerPublicKeys: partnerKeys(2),
    domainName: 'feeds.example.co.id',
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f2a4c1e-1111-2222-3333-444455556666',
    alarmEmail: 'ops@example.co.id',
  },
  dev: { stage: 'dev' },
};

const build = (context: Record<string, unknown>) =>
  buildApp({ functionsDir: FIXTURE_FUNCTIONS_DIR, context: { 'aws:cdk:bundling-stacks': [], ...context } });

const acknowledgements = (root: IConstruct): Array<{ path: string; id: string; reason: string }> =>
  root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))),
  );

describe('cdk-nag', () => {
  it.each(Object.keys(CONTEXTS))('finds no unacknowledged error or warning in the %s stack (AwsSolutions and Serverless packs)', (name) => {
    const { app } = build(CONTEXTS[name] ?? {});
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      const report = pack.validateScope(app);
      expect(
        report.violations.map((v) => `${v.ruleName} (${v.severity}) at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
        pack.name,
      ).toEqual([]);
      expect(report.success).toBe(true);
    }
  });

  it('runs during synth and fails it on a new finding', () => {
    const { app, stack } = build({});
    // A bucket that neither enforces TLS nor logs access: exactly what the checks exist to stop.
    new Bucket(stack, 'CarelessBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S10|AwsSolutions-S1/);
  });

  it('gives every acknowledgement a specific reason', () => {
    const { app } = build(CONTEXTS['full configuration'] ?? {});
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(10);
    for (const ack of acks) {
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThanOrEqual(60);
      expect(ack.reason, `${ack.path} ${ack.id}`).not.toMatch(/^(n\/a|todo|ok|false positive)\b/i);
    }
    const ruleIds = new Set(acks.map((a) => a.id.replace(/^annotation::/i, '').replace(/\[.*$/, '')));
    // The acknowledged rules are a closed, reviewed list: a new kind of acknowledgement must be added here on purpose.
    expect([...ruleIds].sort()).toEqual(
      [
        'AwsSolutions-APIG4',
        'AwsSolutions-CFR1',
        'AwsSolutions-CFR2',
        'AwsSolutions-IAM4',
        'AwsSolutions-IAM5',
        'AwsSolutions-L1',
        'AwsSolutions-S1',
        'AwsSolutions-SMG4',
        'AwsSolutions-SNS2',
        'AwsSolutions-SQS3',
        'Serverless-LambdaDLQ',
        'Serverless-LambdaLatestVersion',
        'Serverless-SNSRedrivePolicy',
        'Serverless-SQSRedrivePolicy',
      ].sort(),
    );
  });
});
