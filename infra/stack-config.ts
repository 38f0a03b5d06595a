import { createPublicKey } from 'node:crypto';
import * as z from 'zod';
import { SiteConfigSchema } from '../shared/config/load-config.js';

/** Reads a context value that may arrive as a JSON string (`cdk -c key='[...]'`) or as structured JSON (cdk.json). */
const jsonish = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    const trimmed = value.trim();
    if (!trimmed.startsWith('[') && !trimmed.startsWith('{')) return value;
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return value;
    }
  }, schema);

/** `-c flag=false` arrives as a string; cdk.json gives a boolean. */
const booleanish = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());

/**
 * CloudFront accepts RSA-2048 and ECDSA P-256 public keys in trusted key groups; anything else
 * fails only at deploy time, so it is rejected here, at synth.
 */
const partnerPublicKey = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'id must start with a letter and use only letters, digits and dashes'),
    pem: z.string().min(1),
  })
  .superRefine((key, ctx) => {
    let kind: string;
    try {
      const parsed = createPublicKey(key.pem);
      const details = parsed.asymmetricKeyDetails;
      if (parsed.asymmetricKeyType === 'rsa' && details?.modulusLength === 2048) return;
      if (parsed.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return;
      kind = `${parsed.asymmetricKeyType ?? 'unknown'} ${details?.modulusLength ?? details?.namedCurve ?? ''}`.trim();
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `key "${key.id}": pem is not a PEM public key (${(error as Error).message})` });
      return;
    }
    ctx.addIssue({ code: 'custom', message: `key "${key.id}": CloudFront needs RSA-2048 or ECDSA P-256, got ${kind}` });
  });

const stageName = z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'stage must be lower-case letters, digits and dashes');

/**
 * The context values the stack accepts. Defaults let `npx cdk synth` run on a fresh clone;
 * a real deployment sets at least the site identity (see docs/deploy.md).
 */
export const StackContextSchema = z
  .object({
    stage: stageName.default('prod'),
    siteUrl: SiteConfigSchema.shape.siteUrl.default('https://example.com'),
    siteTitle: z.string().min(1).default('Warta'),
    siteDescription: z.string().min(1).default('Berita terbaru'),
    siteLanguage: z.string().min(2).default('id'),
    defaultSection: z.string().min(1).default('Berita'),
    feedItemLimit: z.coerce.number().int().min(1).max(500).default(50),
    feedMaxAgeSeconds: z.coerce.number().int().min(0).max(86_400).default(300),
    partnerUrlMaxLifetimeSeconds: z.coerce.number().int().min(60).max(7 * 86_400).default(3_600),
    domainName: z
      .string()
      .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'domainName must be a lower-case host name')
      .optional(),
    certificateArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/,
        'certificateArn must be an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)',
      )
      .optional(),
    partnerPublicKeys: jsonish(
      z
        .array(partnerPublicKey)
        .refine((keys) => keys.length === 0 || keys.length >= 2, {
          message: 'give at least two partner public keys (the active one and the next) so a key can be rotated without an outage',
        })
        .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, { message: 'partner key ids must be unique' }),
    ).default([]),
    /** Which partner key signs new URLs; defaults to the first listed. */
    activePartnerKeyId: z.string().optional(),
    deletionProtection: booleanish.optional(),
    alarmEmail: z.email().optional(),
    apiRateLimit: z.coerce.number().int().min(1).max(10_000).default(50),
    apiBurstLimit: z.coerce.number().int().min(1).max(5_000).default(100),
    partnerAccessRateLimit: z.coerce.number().int().min(1).max(1_000).default(5),
    partnerAccessBurstLimit: z.coerce.number().int().min(1).max(1_000).default(10),
    /**
     * WebSub hubs notified after every build that changed public feeds (the first is also advertised
     * in the feeds), e.g. ["https://pubsubhubbub.appspot.com/"]. A JSON array or comma-separated URLs.
     */
    websubHubs: z
      .preprocess(
        (value) => (typeof value === 'string' && !value.trim().startsWith('[') ? value.split(/[\s,]+/).filter((v) => v !== '') : value),
        jsonish(z.array(z.url({ protocol: /^https?$/, error: 'each WebSub hub must be an http(s) URL' })).max(10)),
      )
      .default([]),
    /** A WordPress site to pull posts from on a schedule (docs/wordpress.md, "Sync in AWS"); no sync without it. */
    wordpressSyncUrl: z.url({ protocol: /^https?$/, error: 'wordpressSyncUrl must be the http(s) URL of the WordPress site' }).optional(),
    /** Name of the Secrets Manager secret holding {"user", "applicationPassword"} for that site; anonymous without it. */
    wordpressSyncSecretName: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'wordpressSyncSecretName must be a Secrets Manager secret name (letters, digits and /_+=.@-)')
      .optional(),
    /** Minutes between scheduled WordPress sync runs. */
    wordpressSyncMinutes: z.coerce.number().int().min(1).max(1_440).default(5),
  })
  .superRefine((ctx, issues) => {
    if (ctx.wordpressSyncSecretName !== undefined && ctx.wordpressSyncUrl === undefined) {
      issues.addIssue({ code: 'custom', path: ['wordpressSyncSecretName'], message: 'wordpressSyncSecretName needs wordpressSyncUrl (the site it is for)' });
    }
    if ((ctx.domainName === undefined) !== (ctx.certificateArn === undefined)) {
      issues.addIssue({ code: 'custom', path: ['certificateArn'], message: 'domainName and certificateArn go together: give both or neither' });
    }
    if (ctx.activePartnerKeyId !== undefined && !ctx.partnerPublicKeys.some((k) => k.id === ctx.activePartnerKeyId)) {
      issues.addIssue({ code: 'custom', path: ['activePartnerKeyId'], message: `no partner public key has id "${ctx.activePartnerKeyId}"` });
    }
  });

export type StackContextInput = z.input<typeof StackContextSchema>;

/** The validated stack settings, with derived values resolved. */
export interface StackSettings extends Omit<z.output<typeof StackContextSchema>, 'deletionProtection' | 'activePartnerKeyId'> {
  deletionProtection: boolean;
  /** Undefined when no partner keys are configured, which disables the partner feeds path. */
  activePartnerKeyId: string | undefined;
}

/** Thrown when context values are invalid; the message lists every problem by context key. */
export class StackContextError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid CDK context:\n  - ${problems.join('\n  - ')}\nSee docs/deploy.md for the accepted values.`);
    this.name = 'StackContextError';
  }
}

export const CONTEXT_KEYS = Object.keys(StackContextSchema.shape) as (keyof typeof StackContextSchema.shape)[];

/**
 * Validates the raw context (as read with `node.tryGetContext`) and resolves defaults:
 * deletion protection is on unless the stage is `dev` or the context turns it off.
 */
export function parseStackContext(raw: Record<string, unknown>): StackSettings {
  const parsed = StackContextSchema.safeParse(raw);
  if (!parsed.success) {
    throw new StackContextError(
      parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(context)'}: ${issue.message}`),
    );
  }
  const { deletionProtection, activePartnerKeyId, ...rest } = parsed.data;
  return {
    ...rest,
    deletionProtection: deletionProtection ?? rest.stage !== 'dev',
    activePartnerKeyId: activePartnerKeyId ?? rest.partnerPublicKeys[0]?.id,
  };
}
