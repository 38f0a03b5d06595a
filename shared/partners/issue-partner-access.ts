import { createHash, timingSafeEqual } from 'node:crypto';
import { isIPv4 } from 'node:net';
import * as z from 'zod';
import { ConfigurationError } from '../errors.js';
import { ENV } from '../config/env-names.js';
import { signPartnerAccess } from '../signing/sign-partner-url.js';
import type { PartnerRepository } from './partner.js';

/** What the partner-access endpoint needs besides the registry; read once at cold start. */
export const PartnerAccessConfigSchema = z.object({
  signingKeySecretArn: z.string().min(20),
  signingKeyPairId: z.string().regex(/^K[A-Z0-9]{12,20}$/, 'must be a CloudFront public key id'),
  maxLifetimeSeconds: z.coerce.number().int().min(60).max(7 * 86_400).default(86_400),
});
export type PartnerAccessConfig = z.infer<typeof PartnerAccessConfigSchema>;

/** Reads SIGNING_KEY_SECRET_ARN, SIGNING_KEY_PAIR_ID and PARTNER_URL_MAX_LIFETIME_SECONDS; names what is wrong. */
export function loadPartnerAccessConfig(env: Record<string, string | undefined>): PartnerAccessConfig {
  const parsed = PartnerAccessConfigSchema.safeParse({
    signingKeySecretArn: env[ENV.signingKeySecretArn] || undefined,
    signingKeyPairId: env[ENV.signingKeyPairId] || undefined,
    maxLifetimeSeconds: env[ENV.partnerUrlMaxLifetimeSeconds] || undefined,
  });
  if (!parsed.success) {
    const names: Record<string, string> = {
      signingKeySecretArn: ENV.signingKeySecretArn,
      signingKeyPairId: ENV.signingKeyPairId,
      maxLifetimeSeconds: ENV.partnerUrlMaxLifetimeSeconds,
    };
    const lines = parsed.error.issues.map((i) => `${names[String(i.path[0])] ?? i.path.join('.')}: ${i.message}`);
    throw new ConfigurationError(`Invalid configuration: ${lines.join('; ')}`);
  }
  return parsed.data;
}

export interface PartnerAccessDeps {
  partners: PartnerRepository;
  /** Public base URL of the distribution (FEEDS_BASE_URL). */
  baseUrl: string;
  keyPairId: string;
  /** The signing key; loaded once per execution environment and never logged or returned. */
  privateKeyPem: () => Promise<string>;
  maxLifetimeSeconds: number;
  now: () => Date;
}

export const PartnerAccessRequestSchema = z
  .object({
    lifetimeSeconds: z.number().int().min(60).optional(),
    ipRange: z
      .string()
      .refine((v) => {
        const [ip, mask, extra] = v.split('/');
        const m = mask === undefined ? 32 : Number(mask);
        return extra === undefined && isIPv4(ip ?? '') && Number.isInteger(m) && m >= 0 && m <= 32;
      }, 'must be an IPv4 address or CIDR such as 203.0.113.0/24')
      .optional(),
  })
  .strict();
export type PartnerAccessRequest = z.infer<typeof PartnerAccessRequestSchema>;

export type PartnerAccessOutcome =
  | { ok: true; partnerId: string; url: string; expiresAt: string; cookies: Record<string, string | number> }
  | { ok: false; status: 400 | 401 | 403; message: string };

/** SHA-256 hex of a bearer token, as stored in the registry's `tokenSha256`. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Issues a signed URL for the partner that owns `token`. Every stored hash is compared in constant
 * time (the registry is small), so timing reveals neither which partner nor how much of a hash matched.
 */
export async function issuePartnerAccess(
  deps: PartnerAccessDeps,
  token: string | undefined,
  request: PartnerAccessRequest,
): Promise<PartnerAccessOutcome> {
  if (!token) return { ok: false, status: 401, message: 'missing bearer token' };
  const presented = Buffer.from(hashToken(token), 'hex');
  let owner: Awaited<ReturnType<PartnerRepository['list']>>[number] | undefined;
  for (const partner of await deps.partners.list()) {
    if (!partner.tokenSha256) continue;
    const stored = Buffer.from(partner.tokenSha256, 'hex');
    if (stored.length === presented.length && timingSafeEqual(stored, presented)) owner = partner;
  }
  if (!owner) return { ok: false, status: 401, message: 'invalid token' };
  if (owner.status !== 'active') return { ok: false, status: 403, message: 'partner suspended' };
  const lifetime = request.lifetimeSeconds ?? deps.maxLifetimeSeconds;
  if (lifetime > deps.maxLifetimeSeconds) {
    return { ok: false, status: 400, message: `lifetimeSeconds must be at most ${deps.maxLifetimeSeconds}` };
  }
  const expiresAt = new Date(deps.now().getTime() + lifetime * 1000);
  const access = signPartnerAccess({
    baseUrl: deps.baseUrl,
    partnerId: owner.id,
    keyPairId: deps.keyPairId,
    privateKeyPem: await deps.privateKeyPem(),
    expiresAt,
    ...(request.ipRange ? { ipRange: request.ipRange } : {}),
  });
  return { ok: true, partnerId: owner.id, url: access.url, expiresAt: expiresAt.toISOString(), cookies: { ...access.cookies } };
}
