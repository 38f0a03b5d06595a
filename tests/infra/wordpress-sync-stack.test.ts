import { describe, expect, it, vi } from 'vitest';
import { ENV } from '../../shared/config/env-names.js';
import { StackContextError, parseStackContext } from '../../infra/stack-config.js';
import { actionsOf, resourcesOf, statementsByPolicy, synthesize } from './synth-helpers.js';

// Each synth runs cdk-nag over the whole stack: seconds alone, far longer while the suite's other workers share the cores.
vi.setConfig({ testTimeout: 120_000 });

type Template = ReturnType<typeof synthesize>['template'];

const syncFunctions = (template: Template) =>
  Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).filter(
    ([, fn]) => (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.[ENV.wordpressSyncUrl] !== undefined,
  );
const rules = (template: Template) => Object.values(resourcesOf(template, 'AWS::Events::Rule'));

describe('scheduled WordPress sync in the stack', () => {
  it('is absent unless wordpressSyncUrl is set: no function, no rule', () => {
    const { template } = synthesize();
    expect(syncFunctions(template)).toEqual([]);
    expect(rules(template).filter((r) => String(r.Properties.Description ?? '').includes('WordPress'))).toEqual([]);
  });

  it('runs every five minutes on the configured site, anonymously, with only item access to the table', () => {
    const { template } = synthesize({ wordpressSyncUrl: 'https://news.example.co.id/' });
    const [entry] = syncFunctions(template);
    expect(entry).toBeDefined();
    const [logicalId, fn] = entry!;
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env[ENV.wordpressSyncUrl]).toBe('https://news.example.co.id/');
    expect(env[ENV.wordpressSyncSecretArn]).toBeUndefined();
    expect(env[ENV.articlesTableName]).toBeDefined();
    expect(env[ENV.feedsBaseUrl]).toBeDefined();
    // A run ends before the next one starts.
    expect(fn.Properties.Timeout).toBe(240);

    const schedule = rules(template).filter((r) => r.Properties.ScheduleExpression !== undefined && JSON.stringify(r.Properties.Targets).includes(logicalId));
    expect(schedule).toHaveLength(1);
    expect(schedule[0]?.Properties).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
    expect(schedule[0]?.Properties.Targets).toEqual([expect.objectContaining({ RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 } })]);

    const [policy] = Object.entries(statementsByPolicy(template)).filter(([id]) => id.startsWith(logicalId.replace(/Function[0-9A-F]{8}$/, 'Role')));
    const actions = policy![1].flatMap(actionsOf).sort();
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(actions.some((a) => a.startsWith('secretsmanager:'))).toBe(false);
    // The function has its error alarm.
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).filter((a) => JSON.stringify(a.Properties.Dimensions ?? []).includes(logicalId));
    expect(alarms).toHaveLength(1);
  });

  it('reads credentials from the named secret (never from the template) and runs at the configured interval', () => {
    const { template } = synthesize({ wordpressSyncUrl: 'https://news.example.co.id', wordpressSyncSecretName: 'warta/wordpress-sync', wordpressSyncMinutes: '15' });
    const [logicalId, fn] = syncFunctions(template)[0]!;
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(env[ENV.wordpressSyncSecretArn])).toContain(':secret:warta/wordpress-sync');
    expect(fn.Properties.Timeout).toBe(14 * 60);
    expect(rules(template).some((r) => r.Properties.ScheduleExpression === 'rate(15 minutes)')).toBe(true);
    const [, statements] = Object.entries(statementsByPolicy(template)).find(([id]) => id.startsWith(logicalId.replace(/Function[0-9A-F]{8}$/, 'Role')))!;
    const secretRead = statements.find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(secretRead?.Resource)).toContain(':secret:warta/wordpress-sync-??????');
    // No secret resource is created: the operator creates and fills it (docs/wordpress.md).
    expect(Object.keys(resourcesOf(template, 'AWS::SecretsManager::Secret')).filter((id) => id.includes('WordPress'))).toEqual([]);
  });

  it('refuses a secret without a site and anything but an http(s) URL, naming the key', () => {
    expect(() => parseStackContext({ wordpressSyncSecretName: 'warta/wp' })).toThrow(/wordpressSyncSecretName: wordpressSyncSecretName needs wordpressSyncUrl/);
    expect(() => parseStackContext({ wordpressSyncUrl: 'ftp://news.example' })).toThrow(StackContextError);
    expect(() => parseStackContext({ wordpressSyncUrl: 'https://news.example', wordpressSyncMinutes: '0' })).toThrow(/wordpressSyncMinutes/);
    expect(parseStackContext({ wordpressSyncUrl: 'https://news.example' }).wordpressSyncMinutes).toBe(5);
  });
});
