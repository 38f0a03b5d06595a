import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { Concern } from './concern.js';

export interface WartaStorageProps {
  /**
   * Refuse to delete the articles table, and keep it when the stack is deleted. Buckets are always
   * kept: published feeds and access logs outlive the stack.
   */
  readonly deletionProtection: boolean;
  /** How long CloudFront and S3 access logs are kept. @default 90 days */
  readonly accessLogRetention?: Duration;
  /** How long a replaced or deleted feed file's previous version stays recoverable. @default 30 days */
  readonly previousVersionRetention?: Duration;
  /** How long a dropped inbox file is kept; once ingested, the table is the record. @default 30 days */
  readonly inboxRetention?: Duration;
}

/**
 * The stateful part of the stack: the articles table (with the stream the builders read), the
 * private feed bucket CloudFront serves, the inbox bucket files are dropped into, and the access-log
 * bucket. Their construct ids are part of their logical ids and must never change (see
 * tests/infra/logical-ids.test.ts).
 */
export class WartaStorage extends Concern {
  readonly table: Table;
  readonly feedBucket: Bucket;
  readonly inboxBucket: Bucket;
  readonly logBucket: Bucket;

  constructor(scope: Construct, id: string, props: WartaStorageProps) {
    super(scope, id);
    this.logBucket = new Bucket(this, 'LogBucket', {
      // CloudFront standard logs are delivered with an ACL grant, so this bucket must keep ACLs enabled.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logging cannot write to SSE-KMS buckets.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'ExpireLogs', expiration: props.accessLogRetention ?? Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging its own access would write logs about logs without end.',
    });

    this.feedBucket = new Bucket(this, 'FeedBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: props.previousVersionRetention ?? Duration.days(30),
          expiredObjectDeleteMarker: true,
        },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/feed-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.inboxBucket = new Bucket(this, 'InboxBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'ExpireProcessedDrops', expiration: props.inboxRetention ?? Duration.days(30) }],
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/inbox-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = new Table(this, 'ArticlesTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection,
      // AWS managed key (aws/dynamodb): encryption with CloudTrail-visible key use, and no key policy to maintain.
      encryption: TableEncryption.AWS_MANAGED,
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}
