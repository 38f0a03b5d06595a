import { describe, expect, it, vi } from 'vitest';
import { ENV } from '../../shared/config/env-names.js';
import { WEBSUB_METRICS } from '../../shared/websub/metric-names.js';
import { StackContextError, parseStackContext } from '../../infra/stack-config.js';
import { resourcesOf, synthesize } from './synth-helpers.js';

// Each synth runs cdk-nag over the whole stack: seconds alone, far longer while the suite's other workers share the cores.
vi.setConfig({ testTimeout: 120_000 });

const envOf = (template: ReturnType<typeof synthesize>['template'], name: string) => {
  const [fn] = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).filter(([id]) => id.startsWith(`${name}Function`));
  return ((fn?.[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables);
};
const feedBuilderEnv = (template: ReturnType<typeof synthesize>['template']) => envOf(template, 'FeedBuilder');

describe('WebSub hubs in the stack', () => {
  it('gives both builders the hubs (the related builder writes the story feeds) and alarms on failed notifications when websubHubs is set', () => {
    const { template } = synthesize({ websubHubs: '["https://pubsubhubbub.appspot.com/","https://hub.example.co.id/websub"]' });
    expect(feedBuilderEnv(template)[ENV.websubHubs]).toBe('https://pubsubhubbub.appspot.com/,https://hub.example.co.id/websub');
    expect(envOf(template, 'RelatedBuilder')[ENV.websubHubs]).toBe('https://pubsubhubbub.appspot.com/,https://hub.example.co.id/websub');
    expect(envOf(template, 'SitemapRefresh')[ENV.websubHubs]).toBeUndefined();
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).filter((a) => a.Properties.MetricName === WEBSUB_METRICS.failed);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({
      Namespace: WEBSUB_METRICS.namespace,
      Dimensions: [{ Name: 'service', Value: WEBSUB_METRICS.service }],
      Threshold: 1,
      Statistic: 'Sum',
    });
    expect(alarms[0]?.Properties.AlarmActions).toHaveLength(1);
  });

  it('notifies no hub and has no WebSub alarm by default', () => {
    const { template } = synthesize();
    expect(feedBuilderEnv(template)[ENV.websubHubs]).toBeUndefined();
    expect(envOf(template, 'RelatedBuilder')[ENV.websubHubs]).toBeUndefined();
    expect(Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).filter((a) => a.Properties.MetricName === WEBSUB_METRICS.failed)).toEqual([]);
  });

  it('accepts hubs as comma-separated text and refuses anything but http(s) URLs, naming the key', () => {
    expect(parseStackContext({ websubHubs: 'https://a.example/hub, https://b.example/hub' }).websubHubs).toEqual(['https://a.example/hub', 'https://b.example/hub']);
    expect(() => parseStackContext({ websubHubs: 'ftp://a.example/hub' })).toThrow(StackContextError);
    expect(() => parseStackContext({ websubHubs: 'ftp://a.example/hub' })).toThrow(/websubHubs\.0: each WebSub hub must be an http\(s\) URL/);
  });
});
