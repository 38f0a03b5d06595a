import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  CachedMethods,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  KeyGroup,
  PriceClass,
  PublicKey,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ENV } from '../../shared/config/env-names.js';
import { INDEX_KEY } from '../../shared/discovery/render-discovery.js';
import type { StackSettings } from '../stack-config.js';
import type { WartaAlarms } from './alarms.js';
import { DISCOVERY_KEYS, PARTNER_PREFIX, PUBLIC_PREFIXES } from './build-pipeline.js';
import { Concern, nameIgnoringConcerns } from './concern.js';
import { WartaFunction, type SiteIdentity } from './warta-function.js';

/** What `/` serves: the discovery page the feed builder writes (docs/feeds.md, "Discovery"). */
export const DEFAULT_ROOT_OBJECT = INDEX_KEY;

export interface WartaDeliveryProps {
  readonly site: SiteIdentity;
  /** Shown in the distribution's comment, e.g. `prod`. */
  readonly stage: string;
  readonly table: ITable;
  readonly feedBucket: IBucket;
  /** Receives CloudFront standard logs under `cloudfront/`. */
  readonly logBucket: IBucket;
  readonly alarms: WartaAlarms;
  /** Directory holding the handler entry files. @default the repository's `functions/` */
  readonly functionsDir?: string;
  /** Longest time CloudFront keeps a partner file. @default 300 seconds */
  readonly feedMaxAgeSeconds?: number;
  /**
   * CloudFront public keys whose signed URLs open `partners/*`.
   * @default none: no partner behavior, key group, signing secret or partner-access function
   */
  readonly partnerPublicKeys?: StackSettings['partnerPublicKeys'];
  /** Which partner key signs new URLs. @default the first of `partnerPublicKeys` */
  readonly activePartnerKeyId?: string;
  /** Longest lifetime of a signed URL the partner-access function issues. @default 3600 seconds */
  readonly partnerUrlMaxLifetimeSeconds?: number;
  /** A custom domain with its us-east-1 ACM certificate. @default the distribution's *.cloudfront.net name */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
}

/**
 * How published files reach readers: the CloudFront distribution in front of the private feed
 * bucket (public prefixes cached by their own max-age, every other path answered 404 at the edge)
 * and, when partner keys are configured, the trusted key group on `partners/*`, the signing-key
 * secret and the function that issues signed URLs.
 */
export class WartaDelivery extends Concern {
  readonly distribution: Distribution;
  /** `https://` + the custom domain, or the distribution's domain. */
  readonly feedsBaseUrl: string;
  /** Present when partner keys are configured. */
  readonly partnerAccess: WartaFunction | undefined;
  readonly signingKeySecret: Secret | undefined;

  constructor(scope: Construct, id: string, props: WartaDeliveryProps) {
    super(scope, id);
    const feedMaxAgeSeconds = props.feedMaxAgeSeconds ?? 300;
    const partnerPublicKeys = props.partnerPublicKeys ?? [];

    const region = Stack.of(this).region;
    // The root goes to the discovery page (the function rewrites it itself rather than rely on the order in
    // which CloudFront applies the default root object and viewer-request functions); any other path outside
    // the published prefixes and files is answered 404 at the edge.
    const denyOtherPaths = new EdgeFunction(this, 'NotFoundFunction', {
      functionName: `${region}${nameIgnoringConcerns(this, 'NotFoundFunction')}`,
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Serves / as index.html and answers 404 for paths outside the published prefixes, so no other bucket key is ever served',
      code: FunctionCode.fromInline(
        `function handler(event) { if (event.request.uri === '/') { event.request.uri = '/${DEFAULT_ROOT_OBJECT}'; return event.request; } return { statusCode: 404, statusDescription: 'Not Found', headers: { 'cache-control': { value: 'max-age=60' } } }; }`,
      ),
    });

    const publicCachePolicy = new CachePolicy(this, 'PublicFeedCachePolicy', {
      cachePolicyName: `${nameIgnoringConcerns(this, 'PublicFeedCachePolicy').slice(0, 110)}-${region}`,
      comment: "Public feeds: the object's Cache-Control max-age decides; no query strings, headers or cookies in the key",
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(60),
      maxTtl: Duration.days(1),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const origin = S3BucketOrigin.withOriginAccessControl(props.feedBucket, {
      originId: nameIgnoringConcerns(this, 'Distribution', 'Origin1'),
    });
    const publicBehavior: BehaviorOptions = {
      origin,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: CachedMethods.CACHE_GET_HEAD,
      cachePolicy: publicCachePolicy,
      compress: true,
    };
    const additionalBehaviors: Record<string, BehaviorOptions> = Object.fromEntries([
      ...PUBLIC_PREFIXES.map((prefix) => [`${prefix}/*`, publicBehavior] as const),
      ...DISCOVERY_KEYS.map((key) => [key, publicBehavior] as const),
    ]);

    this.partnerAccess = undefined;
    this.signingKeySecret = undefined;
    if (partnerPublicKeys.length > 0) {
      const activePartnerKeyId = props.activePartnerKeyId ?? partnerPublicKeys[0]?.id;
      // CloudFront keeps a public key's caller reference, which CDK derives from the construct path,
      // immutable: the keys and their group stay children of the stack, where they were created
      // before the split, or an existing deployment could not be updated.
      const keyScope = Stack.of(this);
      const publicKeys = partnerPublicKeys.map(
        (key) => new PublicKey(keyScope, `PartnerKey-${key.id}`, { encodedKey: key.pem, comment: `Warta partner signing key ${key.id}` }),
      );
      const keyGroup = new KeyGroup(keyScope, 'PartnerKeyGroup', {
        items: publicKeys,
        comment: 'Keys whose signed URLs may read partners/*; add the next key before retiring the old one',
      });
      const partnerCachePolicy = new CachePolicy(this, 'PartnerFeedCachePolicy', {
        cachePolicyName: `${nameIgnoringConcerns(this, 'PartnerFeedCachePolicy').slice(0, 110)}-${region}`,
        comment: 'Partner feeds: cached at most for the feed max-age; signature parameters stay out of the cache key',
        minTtl: Duration.seconds(0),
        defaultTtl: Duration.seconds(0),
        maxTtl: Duration.seconds(feedMaxAgeSeconds),
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      });
      additionalBehaviors[`${PARTNER_PREFIX}/*`] = {
        ...publicBehavior,
        cachePolicy: partnerCachePolicy,
        trustedKeyGroups: [keyGroup],
      };

      const signingKeySecret = new Secret(this, 'PartnerSigningKey', {
        description: `PEM private key of CloudFront public key ${activePartnerKeyId ?? ''}; set it with put-secret-value (docs/deploy.md).`,
      });
      Validations.of(signingKeySecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Rotation means a new CloudFront public key in the key group plus a new private key here, done by hand in that order (docs/deploy.md); a rotation Lambda cannot register keys with CloudFront.',
      });
      const activeKey = publicKeys[partnerPublicKeys.findIndex((k) => k.id === activePartnerKeyId)];
      if (activeKey === undefined) throw new Error(`active partner key ${activePartnerKeyId ?? ''} is not in partnerPublicKeys`);

      const partnerAccess = new WartaFunction(this, 'PartnerAccess', {
        name: 'PartnerAccess',
        failureHandling:
          'Invoked synchronously by API Gateway: the partner gets the error and asks again; there is no event to keep.',
        functionsDir: props.functionsDir,
        description: 'Issues CloudFront signed URLs and cookies for a partner authenticated by its bearer token',
        memorySize: 256,
        timeout: Duration.seconds(5),
      });
      props.alarms.watchFunction(partnerAccess);
      // The handler builds the shared dependencies, whose configuration check wants the site identity and bucket name.
      partnerAccess
        .setSite(props.site)
        .setEnvironment(ENV.feedBucketName, props.feedBucket.bucketName)
        .bindArticlesTable(props.table, ['GetItem'])
        .bindSecret(ENV.signingKeySecretArn, signingKeySecret)
        .setEnvironment(ENV.signingKeyPairId, activeKey.publicKeyId)
        .setEnvironment(ENV.partnerUrlMaxLifetimeSeconds, String(props.partnerUrlMaxLifetimeSeconds ?? 3_600));
      this.partnerAccess = partnerAccess;
      this.signingKeySecret = signingKeySecret;
    }

    const certificate =
      props.customDomain === undefined ? undefined : Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn);
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Warta feeds (${props.stage})`,
      // `/` reaches the origin through this behavior (as index.html), so it caches and compresses like the
      // public files; every other path it matches is answered by the function and never reaches the origin.
      defaultBehavior: {
        ...publicBehavior,
        functionAssociations: [{ function: denyOtherPaths, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      defaultRootObject: DEFAULT_ROOT_OBJECT,
      additionalBehaviors,
      httpVersion: HttpVersion.HTTP2_AND_3,
      // Price class 200 includes the Asian edge locations (Jakarta) where the first outlet's readers are.
      priceClass: PriceClass.PRICE_CLASS_200,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/',
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      ...(certificate !== undefined && props.customDomain !== undefined
        ? { certificate, domainNames: [props.customDomain.domainName] }
        : {}),
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Feeds are meant for aggregators and readers worldwide; there is no country to exclude.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'Only GET/HEAD of static, cacheable files; no forms or dynamic origin to protect, and a WAF web ACL would cost more than the whole pipeline (docs/deploy.md).',
      },
    );
    if (certificate === undefined) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason: 'Without a custom domain the distribution uses the *.cloudfront.net certificate, whose TLS policy CloudFront fixes; with domainName and certificateArn the stack sets TLSv1.2_2021.',
      });
    }
    this.feedsBaseUrl = `https://${props.customDomain?.domainName ?? this.distribution.distributionDomainName}`;
  }
}
