import * as z from 'zod';
import { ConfigurationError } from '../errors.js';
import { ENV } from './env-names.js';
import { DEFAULT_FRAGMENT_CACHE_MIB } from '../feeds/fragment-cache.js';

const httpUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));

/** Site identity and feed settings: everything rendering needs, nothing about AWS. */
export const SiteConfigSchema = z.object({
  siteUrl: httpUrl,
  siteTitle: z.string().min(1),
  siteDescription: z.string().min(1),
  language: z.string().min(2).default('id'),
  defaultSection: z.string().min(1).default('Berita'),
  /** Public base URL the feeds are served from (CloudFront domain or custom domain); used for self links. */
  feedsBaseUrl: httpUrl,
  feedItemLimit: z.coerce.number().int().min(1).max(500).default(50),
  feedMaxAgeSeconds: z.coerce.number().int().min(0).max(86_400).default(300),
  /** Largest feed file in bytes; older entries are left out beyond it (Google News reads at most 2 MB). */
  feedMaxBytes: z.coerce.number().int().min(10_000).max(10_000_000).default(2_000_000),
  /** WebSub hubs: the first is advertised in every feed (rel="hub"), all are notified when feeds change. */
  websubHubs: z.array(httpUrl).optional(),
});
export type SiteConfig = z.infer<typeof SiteConfigSchema>;

export const RuntimeConfigSchema = z.object({
  articlesTableName: z.string().min(3),
  feedBucketName: z.string().min(3),
  inboxBucketName: z.string().min(3).optional(),
  /** Secrets Manager secret holding the webhook HMAC key; without it, ingest accepts unsigned requests (local use). */
  webhookSecretArn: z.string().startsWith('arn:').optional(),
  s3ForcePathStyle: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * MiB of rendered feed entries a builder keeps between builds: enough for the subscription documents of
   * every feed, or changes render again what was dropped (docs/performance.md).
   */
  fragmentCacheMiB: z.coerce.number().int().min(16).max(8192).default(DEFAULT_FRAGMENT_CACHE_MIB),
  site: SiteConfigSchema,
});
export type RuntimeConfig = z.infer<typeof RuntimeConfigSchema>;

type Pick = (name: string) => string | undefined;

/** Reads a variable; an empty value counts as unset. */
export const envReader = (env: Record<string, string | undefined>): Pick => (name) => (env[name] === '' ? undefined : env[name]);

/** The site settings as the environment gives them, before validation (every function renders or validates with them). */
export function siteFromEnv(pick: Pick): Record<string, unknown> {
  return {
    siteUrl: pick(ENV.siteUrl),
    siteTitle: pick(ENV.siteTitle),
    siteDescription: pick(ENV.siteDescription),
    language: pick(ENV.siteLanguage),
    defaultSection: pick(ENV.defaultSection),
    feedsBaseUrl: pick(ENV.feedsBaseUrl),
    feedItemLimit: pick(ENV.feedItemLimit),
    feedMaxAgeSeconds: pick(ENV.feedMaxAgeSeconds),
    feedMaxBytes: pick(ENV.feedMaxBytes),
    websubHubs: pick(ENV.websubHubs)?.split(/[\s,]+/).filter((hub) => hub !== ''),
  };
}

const SITE_ENV_NAMES: Record<string, string> = {
  'site.siteUrl': ENV.siteUrl,
  'site.siteTitle': ENV.siteTitle,
  'site.siteDescription': ENV.siteDescription,
  'site.language': ENV.siteLanguage,
  'site.defaultSection': ENV.defaultSection,
  'site.feedsBaseUrl': ENV.feedsBaseUrl,
  'site.feedItemLimit': ENV.feedItemLimit,
  'site.feedMaxAgeSeconds': ENV.feedMaxAgeSeconds,
  'site.feedMaxBytes': ENV.feedMaxBytes,
  'site.websubHubs': ENV.websubHubs,
};

/**
 * The ConfigurationError for failed validation: each problem named by its environment variable
 * (`names` maps the top-level config fields; the site's are known here).
 */
export function configurationError(issues: readonly z.core.$ZodIssue[], names: Record<string, string>): ConfigurationError {
  const all = { ...names, ...SITE_ENV_NAMES };
  const lines = issues.map((issue) => {
    const path = issue.path.join('.');
    const name = all[path] ?? (path.startsWith('site.websubHubs.') ? `${ENV.websubHubs} (hub ${Number(issue.path[2]) + 1})` : path);
    return `${name}: ${issue.message}`;
  });
  return new ConfigurationError(`Invalid configuration: ${lines.join('; ')}`);
}

/**
 * Reads and validates the runtime configuration once, at cold start.
 * Throws a ConfigurationError naming every missing or malformed variable.
 */
export function loadConfig(env: Record<string, string | undefined>): RuntimeConfig {
  const pick = envReader(env);
  const raw = {
    articlesTableName: pick(ENV.articlesTableName),
    feedBucketName: pick(ENV.feedBucketName),
    inboxBucketName: pick(ENV.inboxBucketName),
    webhookSecretArn: pick(ENV.webhookSecretArn),
    s3ForcePathStyle: pick(ENV.s3ForcePathStyle),
    fragmentCacheMiB: pick(ENV.fragmentCacheMiB),
    site: siteFromEnv(pick),
  };
  const parsed = RuntimeConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw configurationError(parsed.error.issues, {
      articlesTableName: ENV.articlesTableName,
      feedBucketName: ENV.feedBucketName,
      inboxBucketName: ENV.inboxBucketName,
      webhookSecretArn: ENV.webhookSecretArn,
      s3ForcePathStyle: ENV.s3ForcePathStyle,
      fragmentCacheMiB: ENV.fragmentCacheMiB,
    });
  }
  return parsed.data;
}
