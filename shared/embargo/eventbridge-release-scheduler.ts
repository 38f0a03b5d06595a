import { createHash } from 'node:crypto';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { ReleaseScheduler } from './release-schedule.js';

/** Where the releases go: the schedule group, the function a schedule invokes, and the role it invokes it with. */
export interface ReleaseScheduleTarget {
  groupName: string;
  releaseFunctionArn: string;
  schedulerRoleArn: string;
}

/** What a release schedule sends to the release function (functions/embargo-release.ts). */
export interface ReleaseEvent {
  articleId: string;
}

/** Schedule names: 1-64 characters of [0-9a-zA-Z-_.]. Article ids are up to 128 characters of [a-z0-9._-]. */
const NAME_PREFIX = 'release-';
const MAX_NAME = 64;

/** The one schedule name of an article's release: readable when the id fits, a hash of it otherwise. */
export function releaseScheduleName(articleId: string): string {
  const plain = `${NAME_PREFIX}${articleId}`;
  if (plain.length <= MAX_NAME) return plain;
  // Ids longer than 56 characters are hashed (a plain name could only equal one if an id were "h." followed by
  // 54 hex digits of another id's SHA-256).
  return `${NAME_PREFIX}h.${createHash('sha256').update(articleId).digest('hex').slice(0, MAX_NAME - NAME_PREFIX.length - 2)}`;
}

/**
 * The schedule of one release: a one-time `at()` expression in UTC to the second, fired on time
 * (no flexible window), deleted by the scheduler once it ran, retried for a day if the invocation fails.
 */
export function releaseScheduleInput(target: ReleaseScheduleTarget, articleId: string, at: Date): CreateScheduleCommandInput {
  const event: ReleaseEvent = { articleId };
  return {
    Name: releaseScheduleName(articleId),
    GroupName: target.groupName,
    ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    State: 'ENABLED',
    Description: `Release of article ${articleId} at its publication time`.slice(0, 512),
    Target: {
      Arn: target.releaseFunctionArn,
      RoleArn: target.schedulerRoleArn,
      Input: JSON.stringify(event),
      RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
    },
  };
}

/** Releases as EventBridge Scheduler one-time schedules, one per article, in one schedule group. */
export class EventBridgeReleaseScheduler implements ReleaseScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly target: ReleaseScheduleTarget,
  ) {}

  async schedule(articleId: string, at: Date): Promise<void> {
    const input = releaseScheduleInput(this.target, articleId, at);
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (error) {
      // A release is already pending (an earlier version, or a retried batch): move it.
      if (!(error instanceof ConflictException)) throw error;
      await this.client.send(new UpdateScheduleCommand(input));
    }
  }

  async cancel(articleId: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: releaseScheduleName(articleId), GroupName: this.target.groupName }));
    } catch (error) {
      // Nothing pending: it already ran (and deleted itself), or there never was one.
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
