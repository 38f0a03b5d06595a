import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { createHubNotifier, type HubNotification, type HubNotifier } from '../websub/notify-hubs.js';
import { WEBSUB_METRICS } from '../websub/metric-names.js';
import type { Dependencies } from './dependencies.js';

/**
 * The feed builder's WebSub notifier, or undefined when no hub is configured. Each notification is
 * one log line at INFO (even when the log level hides other INFO lines: one line per build is no
 * noise, and it is what an operator searches for), and counted as a CloudWatch metric.
 */
export function websubNotifier(deps: Pick<Dependencies, 'config' | 'logger'>): HubNotifier | undefined {
  const hubs = deps.config.site.websubHubs ?? [];
  if (hubs.length === 0) return undefined;
  const log = deps.logger.createChild({ logLevel: 'INFO' });
  const metrics = new Metrics({ namespace: WEBSUB_METRICS.namespace, serviceName: WEBSUB_METRICS.service });
  return createHubNotifier({
    hubs,
    log: (n: HubNotification) => log.info('WebSub notification', { ...n }),
    count: (status, n) => {
      metrics.addMetric(WEBSUB_METRICS[status], MetricUnit.Count, n);
      metrics.publishStoredMetrics();
    },
  });
}
