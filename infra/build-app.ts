import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { CONTEXT_KEYS, parseStackContext, type StackSettings } from './stack-config.js';
import { WartaStack } from './warta-stack.js';

/**
 * Feature flags the stack is written against, fixed here rather than in cdk.json so tests
 * that build the app in-process synthesize exactly what `cdk synth` does.
 */
export const FEATURE_FLAGS: Record<string, unknown> = {
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-cloudfront:defaultSecurityPolicyTLSv1.2_2021': true,
};

export interface BuiltApp {
  app: App;
  stack: WartaStack;
  settings: StackSettings;
}

/**
 * Builds the CDK app: validates the context, creates one stack per stage (`Warta-<stage>`),
 * and registers the cdk-nag rule packs, whose unacknowledged findings fail the synth.
 */
export function buildApp(props: AppProps & { functionsDir?: string } = {}): BuiltApp {
  const { functionsDir, ...appProps } = props;
  const app = new App({ ...appProps, context: { ...FEATURE_FLAGS, ...appProps.context } });
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value: unknown = app.node.tryGetContext(key);
    if (value !== undefined) raw[key] = value;
  }
  const settings = parseStackContext(raw);
  const stack = new WartaStack(app, `Warta-${settings.stage}`, {
    settings,
    ...(functionsDir !== undefined ? { functionsDir } : {}),
    description: `Warta news syndication pipeline (${settings.stage})`,
    tags: { project: 'warta', stage: settings.stage },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack, settings };
}
