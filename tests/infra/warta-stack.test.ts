import { runInNewContext } from 'node:vm';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../shared/config/env-names.js';
import { loadConfig } from '../../shared/config/load-config.js';
import { loadPartnerAccessConfig } from '../../shared/partners/issue-partner-access.js';
import {
  actionsOf,
  partnerKeys,
  resourcesOf,
  statementsByPolicy,
  synthesize,
  type Statement,
  type Synthesized,
} from './synth-helpers.js';

// Each synth runs cdk-nag over the whole stack: seconds alone, far longer while the suite's other workers share the cores.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const CERT_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0f2a4c1e-1111-2222-3333-444455556666';
const WARTA_FUNCTIONS = ['Ingest', 'Inbox', 'FeedBuilder', 'RelatedBuilder', 'SitemapRefresh', 'EmbargoRelease', 'PartnerAccess'] as const;

type Resource = { Properties: Record<string, unknown>; DeletionPolicy?: string };
type Template = Synthesized['template'];

const logicalIdOf = (template: Template, type: string, prefix: string): string => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids, `${type} ${prefix}`).toHaveLength(1);
  return ids[0] as string;
};
const functionId = (template: Template, name: string) => logicalIdOf(template, 'AWS::Lambda::Function', `${name}Function`);
const policyOf = (template: Template, name: string): Statement[] => {
  const statements = statementsByPolicy(template)[logicalIdOf(template, 'AWS::IAM::Policy', `${name}RoleDefaultPolicy`)];
  if (statements === undefined) throw new Error(`no policy for ${name}`);
  return statements;
};
const propsOf = (template: Template, type: string, id: string): Record<string, unknown> => {
  const resource = resourcesOf(template, type)[id];
  if (resource === undefined) throw new Error(`no ${type} ${id}`);
  return resource.Properties;
};
/** Resources in an IAM statement, rendered to strings so references to logical ids can be matched. */
const resourceStrings = (statement: Statement): string[] =>
  (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map((r) => JSON.stringify(r));

describe('Warta stack, full configuration (partner keys, custom domain, alarm email)', () => {
  let synth: Synthesized;
  let template: Template;
  beforeAll(() => {
    synth = synthesize({
      stage: 'prod',
      siteUrl: 'https://www.example.co.id',
      partnerPublicKeys: [...partnerKeys(1, 'rsa'), ...partnerKeys(1)].map((k, i) => ({ ...k, id: `key-${i + 1}` })),
      domainName: 'feeds.example.co.id',
      certificateArn: CERT_ARN,
      alarmEmail: 'ops@example.co.id',
    });
    template = synth.template;
  });

  it('defines exactly the seven Warta functions plus CDK\'s bucket-notification handler', () => {
    const ids = Object.keys(template.findResources('AWS::Lambda::Function'));
    for (const name of WARTA_FUNCTIONS) expect(ids.filter((id) => id.startsWith(`${name}Function`))).toHaveLength(1);
    expect(ids.filter((id) => !WARTA_FUNCTIONS.some((n) => id.startsWith(`${n}Function`)))).toEqual([
      expect.stringMatching(/^BucketNotificationsHandler/),
    ]);
  });

  it('runs every Warta function on Node 22 and ARM64, with source maps, tracing and its own log group with retention', () => {
    const logGroups = resourcesOf(template, 'AWS::Logs::LogGroup');
    for (const name of WARTA_FUNCTIONS) {
      const props = propsOf(template, 'AWS::Lambda::Function', functionId(template, name));
      expect(props.Runtime, name).toBe('nodejs22.x');
      expect(props.Architectures, name).toEqual(['arm64']);
      expect(props.Handler, name).toBe('index.handler');
      expect(props.TracingConfig, name).toEqual({ Mode: 'Active' });
      const env = (props.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.NODE_OPTIONS, name).toBe('--enable-source-maps');
      const logGroupRef = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(logGroupRef, name).toMatch(new RegExp(`^${name}LogGroup`));
      expect(logGroups[logGroupRef]?.Properties.RetentionInDays, name).toBe(30);
    }
  });

  it('gives each function exactly the environment variables its handler reads, named from ENV', () => {
    const site = [ENV.siteUrl, ENV.siteTitle, ENV.siteDescription, ENV.siteLanguage, ENV.defaultSection, ENV.feedsBaseUrl];
    const expected: Record<string, string[]> = {
      Ingest: [ENV.articlesTableName, ENV.feedBucketName, ENV.webhookSecretArn, ...site],
      Inbox: [ENV.articlesTableName, ENV.feedBucketName, ENV.inboxBucketName, ...site],
      // The feed builder also schedules releases of articles published for later (tests/infra/embargo-stack.test.ts).
      FeedBuilder: [ENV.articlesTableName, ENV.feedBucketName, ENV.feedItemLimit, ENV.feedMaxAgeSeconds, ENV.fragmentCacheMiB, ENV.releaseScheduleGroup, ENV.releaseFunctionArn, ENV.releaseSchedulerRoleArn, ...site],
      EmbargoRelease: [ENV.articlesTableName, ENV.feedBucketName, ENV.feedItemLimit, ENV.feedMaxAgeSeconds, ...site],
      RelatedBuilder: [ENV.articlesTableName, ENV.feedBucketName, ENV.feedMaxAgeSeconds, ...site],
      SitemapRefresh: [ENV.articlesTableName, ENV.feedBucketName, ENV.feedMaxAgeSeconds, ...site],
      // The handler also loads the shared runtime configuration, which names the bucket and the site.
      PartnerAccess: [
        ENV.articlesTableName,
        ENV.feedBucketName,
        ENV.signingKeySecretArn,
        ENV.signingKeyPairId,
        ENV.partnerUrlMaxLifetimeSeconds,
        ...site,
      ],
    };
    for (const name of WARTA_FUNCTIONS) {
      const env = (propsOf(template, 'AWS::Lambda::Function', functionId(template, name)).Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(Object.keys(env).filter((k) => k !== 'NODE_OPTIONS').sort(), name).toEqual([...(expected[name] ?? [])].sort());
    }
    const ingestEnv = (propsOf(template, 'AWS::Lambda::Function', functionId(template, 'Ingest')).Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(ingestEnv[ENV.siteUrl]).toBe('https://www.example.co.id');
    expect(ingestEnv[ENV.feedsBaseUrl]).toBe('https://feeds.example.co.id');
  });

  it('sets an environment each function\'s configuration loader accepts at cold start', () => {
    // Deploy-time references (table name, ARNs, key id, domain) get values of the shape CloudFormation resolves them to.
    const resolved = (name: string, value: unknown): string => {
      if (typeof value === 'string') return value;
      if (name.endsWith('_ARN')) return 'arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:warta-AbCdEf';
      if (name === ENV.signingKeyPairId) return 'K2JCJMDEHXQW5F';
      if (name === ENV.feedsBaseUrl) return 'https://d111111abcdef8.cloudfront.net';
      return 'warta-resolved-name';
    };
    for (const name of WARTA_FUNCTIONS) {
      const raw = (propsOf(template, 'AWS::Lambda::Function', functionId(template, name)).Environment as { Variables: Record<string, unknown> })
        .Variables;
      const env = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, resolved(k, v)]));
      expect(() => loadConfig(env), name).not.toThrow();
      if (name === 'PartnerAccess') expect(() => loadPartnerAccessConfig(env), name).not.toThrow();
      if (name === 'Ingest') expect(loadConfig(env).webhookSecretArn, name).toBeDefined();
    }
  });

  it('keeps stateful resources at stable logical ids, so a refactor cannot silently replace them', () => {
    for (const [type, id] of [
      ['AWS::DynamoDB::Table', 'ArticlesTableA36865D8'],
      ['AWS::S3::Bucket', 'FeedBucket0A59BD93'],
      ['AWS::S3::Bucket', 'InboxBucket637291F4'],
      ['AWS::SecretsManager::Secret', 'WebhookSecretF21E29CC'],
    ] as const) {
      expect(Object.keys(template.findResources(type)), id).toContain(id);
    }
  });

  it('stores articles in an on-demand, point-in-time-recoverable, protected, encrypted table with a NEW_AND_OLD_IMAGES stream', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        // SSEEnabled without a key id means the AWS managed key aws/dynamodb.
        SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent() },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      },
    });
  });

  it('keeps the feed bucket private, TLS-only, encrypted, versioned with noncurrent versions expiring, and logged', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' })]),
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 's3/feed-bucket/' }),
    });
    for (const [id, bucket] of Object.entries(resourcesOf(template, 'AWS::S3::Bucket'))) {
      expect(bucket.Properties.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption, id).toBeDefined();
    }
  });

  it('has no public bucket policy: every Allow names a service principal, and every bucket denies non-TLS requests', () => {
    const policies = resourcesOf(template, 'AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(3);
    for (const [id, policy] of Object.entries(policies)) {
      const statements = (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
      expect(
        statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } })),
        id,
      ).toBe(true);
      for (const s of statements.filter((st) => st.Effect === 'Allow')) {
        expect(s.Principal, id).not.toBe('*');
        expect(JSON.stringify(s.Principal), id).not.toContain('"AWS":"*"');
        expect(Object.keys(s.Principal as object), id).toEqual(['Service']);
      }
    }
    const feedPolicy = Object.values(policies).find((p) => JSON.stringify(p.Properties.Bucket).includes('FeedBucket0A59BD93'));
    const allows = (feedPolicy?.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement.filter(
      (s) => s.Effect === 'Allow',
    );
    expect(allows.length).toBeGreaterThan(0);
    for (const s of allows) {
      expect(s.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
      expect(JSON.stringify(s.Condition)).toMatch(/AWS:SourceArn.*Distribution/);
    }
  });

  it('serves feeds/, related/, sitemaps/ and stories/ publicly through CloudFront with OAC, compression, HTTP/2+3 and origin max-age honoured', () => {
    const distribution = Object.values(resourcesOf(template, 'AWS::CloudFront::Distribution'))[0]?.Properties
      .DistributionConfig as Record<string, unknown>;
    expect(distribution.HttpVersion).toBe('http2and3');
    expect(distribution.Aliases).toEqual(['feeds.example.co.id']);
    expect(distribution.ViewerCertificate).toMatchObject({ AcmCertificateArn: CERT_ARN, MinimumProtocolVersion: 'TLSv1.2_2021' });
    expect(distribution.Logging).toMatchObject({ Prefix: 'cloudfront/' });
    const origins = distribution.Origins as Array<Record<string, unknown>>;
    expect(origins).toHaveLength(1);
    expect(origins[0]?.OriginAccessControlId).toBeDefined();
    const behaviors = distribution.CacheBehaviors as Array<Record<string, unknown>>;
    const byPattern = new Map(behaviors.map((b) => [b.PathPattern, b]));
    expect([...byPattern.keys()].sort()).toEqual(['feeds.opml', 'feeds/*', 'index.html', 'partners/*', 'related/*', 'sitemaps/*', 'stories/*']);
    const publicPolicyId = logicalIdOf(template, 'AWS::CloudFront::CachePolicy', 'PublicFeedCachePolicy');
    for (const pattern of ['feeds/*', 'related/*', 'sitemaps/*', 'stories/*', 'index.html', 'feeds.opml']) {
      const b = byPattern.get(pattern);
      expect(b, pattern).toMatchObject({
        Compress: true,
        ViewerProtocolPolicy: 'redirect-to-https',
        AllowedMethods: ['GET', 'HEAD'],
        CachePolicyId: { Ref: publicPolicyId },
      });
      expect(b?.TrustedKeyGroups, pattern).toBeUndefined();
    }
    const cacheConfig = propsOf(template, 'AWS::CloudFront::CachePolicy', publicPolicyId).CachePolicyConfig as Record<string, unknown>;
    // MinTTL 0 lets a short origin max-age win; MaxTTL caps how long CloudFront may keep an object that says more.
    expect(cacheConfig).toMatchObject({ MinTTL: 0, DefaultTTL: 60, MaxTTL: 86_400 });
    expect(cacheConfig.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
      EnableAcceptEncodingGzip: true,
      EnableAcceptEncodingBrotli: true,
      QueryStringsConfig: { QueryStringBehavior: 'none' },
      CookiesConfig: { CookieBehavior: 'none' },
    });
  });

  it('puts partners/* behind a trusted key group of every configured key, cached no longer than the feed max-age', () => {
    const distribution = Object.values(resourcesOf(template, 'AWS::CloudFront::Distribution'))[0]?.Properties
      .DistributionConfig as Record<string, unknown>;
    const partners = (distribution.CacheBehaviors as Array<Record<string, unknown>>).find((b) => b.PathPattern === 'partners/*');
    const keyGroupId = logicalIdOf(template, 'AWS::CloudFront::KeyGroup', 'PartnerKeyGroup');
    expect(partners?.TrustedKeyGroups).toEqual([{ Ref: keyGroupId }]);
    const keyGroup = propsOf(template, 'AWS::CloudFront::KeyGroup', keyGroupId).KeyGroupConfig as { Items: Array<{ Ref: string }> };
    expect(keyGroup.Items).toHaveLength(2);
    const publicKeyIds = Object.keys(template.findResources('AWS::CloudFront::PublicKey'));
    expect(keyGroup.Items.map((i) => i.Ref).sort()).toEqual(publicKeyIds.sort());
    const partnerPolicyId = logicalIdOf(template, 'AWS::CloudFront::CachePolicy', 'PartnerFeedCachePolicy');
    expect(partners?.CachePolicyId).toEqual({ Ref: partnerPolicyId });
    expect(propsOf(template, 'AWS::CloudFront::CachePolicy', partnerPolicyId).CachePolicyConfig).toMatchObject({
      MinTTL: 0,
      DefaultTTL: 0,
      MaxTTL: 300,
    });
    const env = (propsOf(template, 'AWS::Lambda::Function', functionId(template, 'PartnerAccess')).Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env[ENV.signingKeyPairId]).toEqual({ Ref: logicalIdOf(template, 'AWS::CloudFront::PublicKey', 'PartnerKeykey1') });
  });

  it('answers 404 on every other path with a viewer-request function, so no other bucket key is reachable', () => {
    const distribution = Object.values(resourcesOf(template, 'AWS::CloudFront::Distribution'))[0]?.Properties
      .DistributionConfig as Record<string, unknown>;
    const defaultBehavior = distribution.DefaultCacheBehavior as Record<string, unknown>;
    const fnId = logicalIdOf(template, 'AWS::CloudFront::Function', 'NotFoundFunction');
    expect(defaultBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnId, 'FunctionARN'] } },
    ]);
    const code = propsOf(template, 'AWS::CloudFront::Function', fnId).FunctionCode as string;
    const run = (uri: string) => runInNewContext(`${code}; handler({ request: { uri: ${JSON.stringify(uri)}, headers: {} } })`) as Record<string, unknown>;
    for (const uri of ['/partners/acme/latest.rss', '/index.htm', '/feeds.opml.bak', '/.env', '/logs/cloudfront/x.gz']) {
      expect(run(uri).statusCode, uri).toBe(404);
    }
  });

  it('serves the discovery page at / (default root object, cached and compressed like the feeds) and the OPML beside it', () => {
    const distribution = Object.values(resourcesOf(template, 'AWS::CloudFront::Distribution'))[0]?.Properties
      .DistributionConfig as Record<string, unknown>;
    expect(distribution.DefaultRootObject).toBe('index.html');
    const publicPolicyId = logicalIdOf(template, 'AWS::CloudFront::CachePolicy', 'PublicFeedCachePolicy');
    expect(distribution.DefaultCacheBehavior).toMatchObject({ CachePolicyId: { Ref: publicPolicyId }, Compress: true, AllowedMethods: ['GET', 'HEAD'] });
    // The viewer-request function sends the root to index.html itself and lets nothing else through.
    const fnId = logicalIdOf(template, 'AWS::CloudFront::Function', 'NotFoundFunction');
    const code = propsOf(template, 'AWS::CloudFront::Function', fnId).FunctionCode as string;
    const rewritten = runInNewContext(`${code}; handler({ request: { uri: '/', headers: {} } })`) as { uri?: string; statusCode?: number };
    expect(rewritten).toEqual({ uri: '/index.html', headers: {} });
    // The feed builder may write exactly these two root files, without a wildcard.
    const statements = policyOf(template, 'FeedBuilder');
    const objectWrites = statements.filter((s) => actionsOf(s).includes('s3:PutObject'));
    const written = objectWrites.flatMap(resourceStrings).filter((r) => !r.includes('/feeds/') && !r.includes('/sitemaps/') && !r.includes('/partners/'));
    expect(written.map((r) => r.match(/\/([^/"]+)"\]/)?.[1]).sort()).toEqual(['feeds.opml', 'index.html']);
  });

  it('writes CloudFront standard logs to an ACL-enabled, private log bucket', () => {
    const distribution = Object.values(resourcesOf(template, 'AWS::CloudFront::Distribution'))[0]?.Properties
      .DistributionConfig as Record<string, unknown>;
    const logBucketId = logicalIdOf(template, 'AWS::S3::Bucket', 'LogBucket');
    expect(JSON.stringify((distribution.Logging as Record<string, unknown>).Bucket)).toContain(logBucketId);
    expect(propsOf(template, 'AWS::S3::Bucket', logBucketId).OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }],
    });
  });

  it('feeds both builders from the table stream: batch 100 within 1 s, partial failures, bisect, bounded retries and age, SQS on-failure, article items only', () => {
    const mappings = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(2);
    const targets = mappings.map((m) => (m.Properties.FunctionName as { Ref: string }).Ref).sort();
    expect(targets).toEqual([functionId(template, 'FeedBuilder'), functionId(template, 'RelatedBuilder')].sort());
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    for (const m of mappings) {
      expect(m.Properties).toMatchObject({
        EventSourceArn: { 'Fn::GetAtt': ['ArticlesTableA36865D8', 'StreamArn'] },
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 21_600,
        ParallelizationFactor: 1,
      });
      const destination = (m.Properties.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } } }).OnFailure
        .Destination['Fn::GetAtt'][0];
      expect(queues).toContain(destination);
      const filters = (m.Properties.FilterCriteria as { Filters: Array<{ Pattern: string }> }).Filters;
      expect(filters.map((f) => JSON.parse(f.Pattern) as unknown)).toEqual([
        { dynamodb: { Keys: { pk: { S: [{ prefix: 'ARTICLE#' }] }, sk: { S: ['A'] } } } },
      ]);
    }
  });

  it('gives every asynchronously invoked function an on-failure destination or a dead-letter queue', () => {
    const permissions = Object.values(resourcesOf(template, 'AWS::Lambda::Permission'));
    const asyncPrincipals = new Set(['s3.amazonaws.com', 'sns.amazonaws.com', 'events.amazonaws.com']);
    const asyncTargets = permissions
      .filter((p) => asyncPrincipals.has(p.Properties.Principal as string))
      .map((p) => (p.Properties.FunctionName as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    const queueOf: Record<string, string> = { [functionId(template, 'Inbox')]: 'InboxDlq', [functionId(template, 'SitemapRefresh')]: 'SitemapRefreshDlq' };
    expect(asyncTargets.sort()).toEqual(Object.keys(queueOf).sort());
    const configs = Object.values(resourcesOf(template, 'AWS::Lambda::EventInvokeConfig'));
    for (const target of asyncTargets) {
      const config = configs.find((c) => (c.Properties.FunctionName as { Ref: string }).Ref === target);
      const fn = propsOf(template, 'AWS::Lambda::Function', target);
      const onFailure = (config?.Properties.DestinationConfig as { OnFailure?: { Destination: unknown } } | undefined)?.OnFailure;
      expect(onFailure ?? fn.DeadLetterConfig, target).toBeDefined();
      expect(JSON.stringify(onFailure)).toContain(queueOf[target]);
    }
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          { Events: ['s3:ObjectCreated:*'], LambdaFunctionArn: { 'Fn::GetAtt': [functionId(template, 'Inbox'), 'Arn'] } },
        ],
      },
    });
  });

  it('alarms on errors of every function and on visible messages in every dead-letter queue, all to the alarm topic', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const topicId = logicalIdOf(template, 'AWS::SNS::Topic', 'AlarmTopic');
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
    for (const name of WARTA_FUNCTIONS) {
      const fid = functionId(template, name);
      expect(
        alarms.some((a) => a.MetricName === 'Errors' && JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: fid } }])),
        name,
      ).toBe(true);
    }
    for (const queueId of Object.keys(template.findResources('AWS::SQS::Queue'))) {
      expect(
        alarms.some(
          (a) =>
            a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
            JSON.stringify(a.Dimensions).includes(queueId) &&
            a.Threshold === 1 &&
            a.ComparisonOperator === 'GreaterThanOrEqualToThreshold',
        ),
        queueId,
      ).toBe(true);
    }
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.co.id' });
  });

  it('grants no wildcard actions, and "*" resources only to actions that have no resource-level permissions', () => {
    const resourceless = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'dynamodb:ListStreams']);
    for (const [policy, statements] of Object.entries(statementsByPolicy(template))) {
      for (const s of statements) {
        for (const action of actionsOf(s)) {
          expect(action, policy).not.toBe('*');
          expect(action, policy).not.toMatch(/:\*$/);
        }
        if (s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*'))) {
          for (const action of actionsOf(s)) expect(resourceless.has(action), `${policy} ${action} on *`).toBe(true);
        }
      }
    }
    for (const name of WARTA_FUNCTIONS) {
      const role = propsOf(template, 'AWS::IAM::Role', logicalIdOf(template, 'AWS::IAM::Role', `${name}Role`));
      expect(role.ManagedPolicyArns, name).toBeUndefined();
    }
  });

  it('lets ingest touch only the table (GetItem, PutItem) and the webhook secret', () => {
    const statements = policyOf(template, 'Ingest');
    const actions = statements.flatMap(actionsOf).sort();
    expect(actions).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    const table = statements.find((s) => actionsOf(s).includes('dynamodb:PutItem'));
    expect(table?.Resource).toEqual({ 'Fn::GetAtt': ['ArticlesTableA36865D8', 'Arn'] });
    const secret = statements.find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    expect(secret?.Resource).toEqual({ Ref: 'WebhookSecretF21E29CC' });
    expect(JSON.stringify(statements)).not.toContain('FeedBucket');
  });

  it('lets the inbox read only inbox objects and put articles', () => {
    const statements = policyOf(template, 'Inbox');
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3.flatMap(actionsOf)).toEqual(['s3:GetObject']);
    expect(s3.flatMap(resourceStrings)).toEqual([JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['InboxBucket637291F4', 'Arn'] }, '/*']] })]);
    const dynamo = statements.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
  });

  it.each([
    ['FeedBuilder', ['feeds', 'sitemaps', 'partners'], ['index.html', 'feeds.opml']],
    ['RelatedBuilder', ['related', 'stories', 'feeds/story'], []],
  ] as const)('lets %s write objects only under its own prefixes (and its own root files) and list only those', (name, prefixes, keys) => {
    const statements = policyOf(template, name);
    const objects = statements.filter((s) => actionsOf(s).includes('s3:PutObject'));
    expect(objects).toHaveLength(1);
    expect(actionsOf(objects[0] as Statement).sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    const objectArn = (suffix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['FeedBucket0A59BD93', 'Arn'] }, suffix]] });
    expect((objects[0] as Statement).Resource).toEqual([...prefixes.map((p) => objectArn(`/${p}/*`)), ...keys.map((k) => objectArn(`/${k}`))]);
    const list = statements.find((s) => actionsOf(s).includes('s3:ListBucket'));
    expect(list?.Resource).toEqual({ 'Fn::GetAtt': ['FeedBucket0A59BD93', 'Arn'] });
    expect(list?.Condition).toEqual({ StringLike: { 's3:prefix': [...prefixes.flatMap((p) => [`${p}/`, `${p}/*`]), ...keys] } });
    const s3Actions = statements.flatMap(actionsOf).filter((a) => a.startsWith('s3:'));
    expect(new Set(s3Actions)).toEqual(new Set(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket']));
    const dynamo = statements.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo).not.toContain('dynamodb:Scan');
    expect(dynamo).not.toContain('dynamodb:DeleteTable');
  });

  it('refreshes the news sitemap every 15 minutes from an EventBridge schedule, with a dead-letter queue, touching only sitemaps/', () => {
    const rules = Object.values(resourcesOf(template, 'AWS::Events::Rule')).map((r) => r.Properties);
    const refresh = functionId(template, 'SitemapRefresh');
    const schedule = rules.find((r) => JSON.stringify(r.Targets).includes(refresh));
    expect(schedule?.ScheduleExpression).toBe('rate(15 minutes)');
    expect(schedule?.State ?? 'ENABLED').toBe('ENABLED');
    const [target] = schedule?.Targets as Array<Record<string, unknown>>;
    expect(target?.Arn).toEqual({ 'Fn::GetAtt': [refresh, 'Arn'] });
    expect(target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900 });
    const dlqId = logicalIdOf(template, 'AWS::SQS::Queue', 'SitemapRefreshDlq');
    expect(target?.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    // EventBridge may invoke it; nothing else is granted.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [refresh, 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
    // A failed run goes to the same queue, with the error recorded.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: refresh },
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
    const statements = policyOf(template, 'SitemapRefresh');
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    const objects = statements.find((st) => actionsOf(st).includes('s3:PutObject'));
    expect(objects?.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['FeedBucket0A59BD93', 'Arn'] }, '/sitemaps/*']] });
    expect(statements.find((st) => actionsOf(st).includes('s3:ListBucket'))?.Condition).toEqual({ StringLike: { 's3:prefix': ['sitemaps/', 'sitemaps/*'] } });
  });

  it('lets partner-access read only partner registry items and the signing key', () => {
    const actions = policyOf(template, 'PartnerAccess').flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem']);
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual([]);
    const secret = policyOf(template, 'PartnerAccess').find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    expect(secret?.Resource).toEqual({ Ref: logicalIdOf(template, 'AWS::SecretsManager::Secret', 'PartnerSigningKey') });
  });

  it('routes the HTTP API to ingest and partner-access, throttles the stage and the partner route harder, and logs access as JSON', () => {
    const routes = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(routes.sort()).toEqual(['DELETE /articles/{id}', 'POST /articles', 'POST /partner-access/signed-url']);
    const stage = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Stage'))[0]?.Properties as Record<string, unknown>;
    expect(stage.StageName).toBe('$default');
    expect(stage.AutoDeploy).toBe(true);
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(stage.RouteSettings).toEqual({
      'POST /partner-access/signed-url': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
    const format = JSON.parse((stage.AccessLogSettings as { Format: string }).Format) as Record<string, string>;
    expect(format.requestId).toBe('$context.requestId');
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it('outputs the distribution domain, ingest URL, bucket names and table name', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const name of ['DistributionDomainName', 'IngestUrl', 'FeedBucketName', 'InboxBucketName', 'ArticlesTableName']) {
      expect(outputs[name], name).toBeDefined();
    }
    expect(JSON.stringify(outputs.IngestUrl?.Value)).toContain('/articles');
    expect(outputs.FeedBucketName?.Value).toEqual({ Ref: 'FeedBucket0A59BD93' });
  });
});

describe('Warta stack, fresh-clone defaults', () => {
  let template: Template;
  beforeAll(() => {
    template = synthesize().template;
  });

  it('leaves the partner path out entirely when no partner keys are configured, while other paths still 404', () => {
    expect(template.findResources('AWS::CloudFront::KeyGroup')).toEqual({});
    expect(template.findResources('AWS::CloudFront::PublicKey')).toEqual({});
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).some((id) => id.startsWith('PartnerAccess'))).toBe(false);
    const distribution = Object.values(resourcesOf(template, 'AWS::CloudFront::Distribution'))[0]?.Properties
      .DistributionConfig as Record<string, unknown>;
    const patterns = (distribution.CacheBehaviors as Array<{ PathPattern: string }>).map((b) => b.PathPattern).sort();
    expect(patterns).toEqual(['feeds.opml', 'feeds/*', 'index.html', 'related/*', 'sitemaps/*', 'stories/*']);
    expect((distribution.DefaultCacheBehavior as Record<string, unknown>).FunctionAssociations).toHaveLength(1);
    const routes = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(routes.sort()).toEqual(['DELETE /articles/{id}', 'POST /articles']);
  });

  it('uses the CloudFront domain as the feeds base URL and subscribes no email', () => {
    const env = (propsOf(template, 'AWS::Lambda::Function', functionId(template, 'FeedBuilder')).Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(JSON.stringify(env[ENV.feedsBaseUrl])).toMatch(/https:\/\/.*Distribution.*DomainName/);
    expect(template.findResources('AWS::SNS::Subscription')).toEqual({});
    const distribution = Object.values(resourcesOf(template, 'AWS::CloudFront::Distribution'))[0]?.Properties
      .DistributionConfig as Record<string, unknown>;
    expect(distribution.Aliases).toBeUndefined();
  });
});

describe('Warta stack, dev stage', () => {
  it('drops deletion protection and lets the table be destroyed with the stack', () => {
    const { template, stack } = synthesize({ stage: 'dev' });
    expect(stack.stackName).toBe('Warta-dev');
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0] as Resource;
    expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    expect(table.DeletionPolicy).toBe('Delete');
  });
});
