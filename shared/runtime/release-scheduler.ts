import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { ENV } from '../config/env-names.js';
import { EventBridgeReleaseScheduler } from '../embargo/eventbridge-release-scheduler.js';
import type { ReleaseScheduler } from '../embargo/release-schedule.js';

/**
 * The EventBridge Scheduler releases named by the stack's environment (infra/constructs/embargo.ts), or
 * undefined when none is configured (the local runtime passes its own timers instead). Half a
 * configuration is refused with the names of the missing variables, as loadConfig refuses its own.
 */
export function releaseSchedulerFromEnvironment(env: NodeJS.ProcessEnv): ReleaseScheduler | undefined {
  const names = [ENV.releaseScheduleGroup, ENV.releaseFunctionArn, ENV.releaseSchedulerRoleArn];
  const missing = names.filter((name) => !env[name]);
  if (missing.length === names.length) return undefined;
  if (missing.length > 0) throw new Error(`Scheduled releases are half configured: ${missing.join(', ')} missing`);
  return new EventBridgeReleaseScheduler(new SchedulerClient({}), {
    groupName: env[ENV.releaseScheduleGroup] as string,
    releaseFunctionArn: env[ENV.releaseFunctionArn] as string,
    schedulerRoleArn: env[ENV.releaseSchedulerRoleArn] as string,
  });
}
