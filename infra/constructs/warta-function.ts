import { Duration, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV, type EnvName } from '../../shared/config/env-names.js';
import {
  BUNDLE_TARGET,
  EXTERNAL_MODULES,
  MAIN_FIELDS,
  REPO_ROOT,
  REQUIRE_SHIM_BANNER,
  entryPath,
  type FunctionName,
} from '../bundling.js';
import type { StackSettings } from '../stack-config.js';

/** The site identity every function renders or validates with. */
export type SiteIdentity = Pick<StackSettings, 'siteUrl' | 'siteTitle' | 'siteDescription' | 'siteLanguage' | 'defaultSection'>;

/** The runtime every Warta function uses; the bundles target the same Node major. */
export const WARTA_RUNTIME = Runtime.NODEJS_22_X;
export const WARTA_LOG_RETENTION = RetentionDays.ONE_MONTH;

/** DynamoDB actions the functions may be granted, spelled out so no grant is broader than asked. */
export type DynamoDbAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem';

export type ObjectAccess = 'read' | 'write' | 'delete';

const OBJECT_ACTIONS: Record<ObjectAccess, string> = {
  read: 's3:GetObject',
  write: 's3:PutObject',
  delete: 's3:DeleteObject',
};

export interface WartaFunctionProps {
  /** Which entry under `functions/` to bundle; also the construct's role in the pipeline. */
  readonly name: FunctionName;
  readonly description: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** Directory holding the entry files. @default the repository's `functions/` */
  readonly functionsDir?: string;
  /**
   * How failed invocations are kept, stated by the caller because it depends on the trigger:
   * it becomes the reason on the dead-letter-queue acknowledgement.
   */
  readonly failureHandling: string;
}

/**
 * The one way Warta defines a Lambda function: Node 22 on ARM64, ESM bundle built by the local
 * esbuild (minified, source maps enabled at runtime), its own log group with retention, and a role
 * that starts with nothing but writing to that log group. Access is added with the `bind…()`
 * methods, each of which sets the environment variable and grants the narrowest permission together.
 */
export class WartaFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: WartaFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: WARTA_LOG_RETENTION,
      // Logs are operational data with a short retention; they do not outlive the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: that managed policy may create any log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the Warta ${props.name} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: entryPath(props.name, props.functionsDir),
      handler: 'handler',
      description: props.description,
      runtime: WARTA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: BUNDLE_TARGET,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: MAIN_FIELDS,
        banner: REQUIRE_SHIM_BANNER,
        externalModules: EXTERNAL_MODULES,
      },
    });

    const runtimeReason =
      'Pinned to nodejs22.x, the Node major the code is developed and tested on and the esbuild target; moving to a newer runtime is a deliberate upgrade, not a silent one.';
    Validations.of(this.function).acknowledge(
      { id: 'AwsSolutions-L1', reason: runtimeReason },
      { id: 'Serverless-LambdaLatestVersion', reason: runtimeReason },
      { id: 'Serverless-LambdaDLQ', reason: props.failureHandling },
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only X-Ray PutTraceSegments/PutTelemetryRecords (for active tracing) and, on stream consumers, dynamodb:ListStreams use "*": those actions have no resource-level permissions.',
    });
  }

  /** Sets a plain configuration value that needs no permission (site identity, limits, names). */
  setEnvironment(name: EnvName, value: string): this {
    this.function.addEnvironment(name, value);
    return this;
  }

  /** Sets the site identity variables (URL, title, description, language, default section). */
  setSite(site: SiteIdentity): this {
    return this.setEnvironment(ENV.siteUrl, site.siteUrl)
      .setEnvironment(ENV.siteTitle, site.siteTitle)
      .setEnvironment(ENV.siteDescription, site.siteDescription)
      .setEnvironment(ENV.siteLanguage, site.siteLanguage)
      .setEnvironment(ENV.defaultSection, site.defaultSection);
  }

  /** Names the articles table and allows exactly the listed item actions on it (no index, no stream, no admin). */
  bindArticlesTable(table: ITable, actions: readonly DynamoDbAction[]): this {
    this.setEnvironment(ENV.articlesTableName, table.tableName);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ArticlesTableItems',
        effect: Effect.ALLOW,
        actions: actions.map((action) => `dynamodb:${action}`),
        resources: [table.tableArn],
      }),
    );
    return this;
  }

  /** Points an `*_SECRET_ARN` variable at a secret and allows reading its value (only). */
  bindSecret(name: typeof ENV.webhookSecretArn | typeof ENV.signingKeySecretArn, secret: ISecret): this {
    this.setEnvironment(name, secret.secretArn);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secret.secretArn],
      }),
    );
    return this;
  }

  /**
   * Names a bucket and grants object access under the given key prefixes only (e.g. `feeds/`), and to the
   * exact `keys` named (e.g. `index.html`), which need no wildcard.
   * `list` allows ListBucket, restricted by an `s3:prefix` condition to the same prefixes (the publisher lists a prefix to find stale objects).
   */
  bindBucket(
    name: typeof ENV.feedBucketName | typeof ENV.inboxBucketName,
    bucket: IBucket,
    grant: { prefixes: readonly string[]; keys?: readonly string[]; access: readonly ObjectAccess[]; list?: boolean },
  ): this {
    this.setEnvironment(name, bucket.bucketName);
    const keys = grant.keys ?? [];
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: grant.access.map((a) => OBJECT_ACTIONS[a]),
        resources: [...grant.prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`)), ...keys.map((key) => bucket.arnForObjects(key))],
      }),
    );
    const bucketResource = bucket.node.defaultChild as CfnElement | undefined;
    if (bucketResource !== undefined) {
      const logicalId = Stack.of(this).getLogicalId(bucketResource);
      for (const prefix of grant.prefixes) {
        Validations.of(this.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}*]`,
          reason: `Object keys under "${prefix}" are named by content (feed paths, article ids), so the grant is the prefix, which is as narrow as the keys can be known at deploy time.`,
        });
      }
    }
    if (grant.list === true) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [...grant.prefixes.flatMap((prefix) => [prefix, `${prefix}*`]), ...keys] } },
        }),
      );
    }
    return this;
  }
}
