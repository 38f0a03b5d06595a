import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../shared/config/env-names.js';
import { resourcesOf, statementsByPolicy, synthesize, type Statement, type Synthesized } from './synth-helpers.js';

// Each synth runs cdk-nag over the whole stack: seconds alone, far longer while the suite's other workers share the cores.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

type Template = Synthesized['template'];
const only = <T>(items: T[], what: string): T => {
  expect(items, what).toHaveLength(1);
  return items[0] as T;
};
const idsOf = (template: Template, type: string, prefix: string) => Object.keys(resourcesOf(template, type)).filter((id) => id.startsWith(prefix));
const envOf = (template: Template, prefix: string) =>
  (resourcesOf(template, 'AWS::Lambda::Function')[only(idsOf(template, 'AWS::Lambda::Function', prefix), prefix)]?.Properties.Environment as { Variables: Record<string, unknown> })
    .Variables;
const statementsOf = (template: Template, policyPrefix: string): Statement[] =>
  statementsByPolicy(template)[only(idsOf(template, 'AWS::IAM::Policy', policyPrefix), policyPrefix)] ?? [];
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resources = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

describe('scheduled stories in the stack (EventBridge Scheduler)', () => {
  let template: Template;
  let group: string;
  let groupName: unknown;
  let releaseFn: string;
  let schedulerRole: string;
  beforeAll(() => {
    template = synthesize({ websubHubs: 'https://hub.example.co.id/websub' }).template;
    group = only(Object.keys(resourcesOf(template, 'AWS::Scheduler::ScheduleGroup')), 'schedule group');
    groupName = resourcesOf(template, 'AWS::Scheduler::ScheduleGroup')[group]?.Properties.Name;
    releaseFn = only(idsOf(template, 'AWS::Lambda::Function', 'EmbargoReleaseFunction'), 'release function');
    schedulerRole = only(idsOf(template, 'AWS::IAM::Role', 'ReleaseSchedulerRole'), 'scheduler role');
  });

  it('has one schedule group, and no schedule in the template: schedules are created per article at run time', () => {
    expect(Object.keys(resourcesOf(template, 'AWS::Scheduler::Schedule'))).toEqual([]);
    expect(template.toJSON().Resources[group].DeletionPolicy).toBe('Delete');
  });

  it('lets the scheduler role invoke the release function and nothing else, assumed by the scheduler of this account only', () => {
    const role = resourcesOf(template, 'AWS::IAM::Role')[schedulerRole]?.Properties as { AssumeRolePolicyDocument: { Statement: Statement[] } };
    const trust = only(role.AssumeRolePolicyDocument.Statement, 'trust statement');
    expect(trust).toMatchObject({ Action: 'sts:AssumeRole', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } });
    const statement = only(statementsOf(template, 'ReleaseSchedulerRoleDefaultPolicy'), 'scheduler role statement');
    expect(actions(statement)).toEqual(['lambda:InvokeFunction']);
    expect(resources(statement)).toEqual([{ 'Fn::GetAtt': [releaseFn, 'Arn'] }]);
  });

  it('lets the feed builder create, update and delete schedules in that group only, and pass that role only, to the scheduler', () => {
    const statements = statementsOf(template, 'FeedBuilderRoleDefaultPolicy');
    const scheduling = statements.filter((s) => actions(s).some((a) => a.startsWith('scheduler:')));
    expect(scheduling.flatMap(actions).sort()).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule']);
    for (const s of scheduling) {
      expect(resources(s)).toHaveLength(1);
      expect(JSON.stringify(resources(s)[0])).toMatch(/:schedule\/Warta[^"]*ReleaseSchedules[^"/]*\/\*"/);
    }
    const passRole = only(statements.filter((s) => actions(s).includes('iam:PassRole')), 'PassRole statement');
    expect(actions(passRole)).toEqual(['iam:PassRole']);
    expect(resources(passRole)).toEqual([{ 'Fn::GetAtt': [schedulerRole, 'Arn'] }]);
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    // No other function may touch schedules or pass roles.
    for (const [policy, list] of Object.entries(statementsByPolicy(template))) {
      if (policy.startsWith('FeedBuilderRole')) continue;
      expect(list.flatMap(actions).filter((a) => a.startsWith('scheduler:') || a === 'iam:PassRole'), policy).toEqual([]);
    }
  });

  it('tells the feed builder the group, the release function and the role; the release function builds like the builders and notifies the hubs', () => {
    const env = envOf(template, 'FeedBuilderFunction');
    expect(env[ENV.releaseScheduleGroup]).toEqual(groupName);
    expect(env[ENV.releaseFunctionArn]).toEqual({ 'Fn::GetAtt': [releaseFn, 'Arn'] });
    expect(env[ENV.releaseSchedulerRoleArn]).toEqual({ 'Fn::GetAtt': [schedulerRole, 'Arn'] });
    const release = envOf(template, 'EmbargoReleaseFunction');
    for (const name of [ENV.articlesTableName, ENV.feedBucketName, ENV.feedsBaseUrl, ENV.siteUrl, ENV.feedItemLimit]) expect(release[name], name).toBeDefined();
    expect(release[ENV.websubHubs]).toBe('https://hub.example.co.id/websub');
  });

  it('keeps failed releases in an alarmed queue and alarms when the scheduler drops one', () => {
    const invokeConfig = only(Object.values(resourcesOf(template, 'AWS::Lambda::EventInvokeConfig')).filter((c) => JSON.stringify(c.Properties).includes(releaseFn)), 'async invoke config');
    expect(invokeConfig.Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^EmbargoReleaseDlq/), 'Arn'] } } } });
    const dropped = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).filter((a) => a.Properties.MetricName === 'InvocationDroppedCount');
    expect(only(dropped, 'dropped alarm').Properties).toMatchObject({ Namespace: 'AWS/Scheduler', Dimensions: [{ Name: 'ScheduleGroup', Value: groupName }], Threshold: 1 });
  });
});
