import { getSignedCookies, getSignedUrl, type CloudfrontSignedCookiesOutput } from '@aws-sdk/cloudfront-signer';
import { partnerPrefix } from '../partners/partner.js';

/**
 * Partner access: one CloudFront custom policy whose resource is `<baseUrl>/partners/<id>/*`,
 * so a single signature (query parameters or cookies) opens every object of that partner and nothing else.
 * The signing query parameters returned on `url` work unchanged on any URL under the prefix.
 */

export interface PartnerAccessInput {
  /** Scheme and host the partner fetches from, e.g. https://feeds.jurnalpagi.example (no trailing slash). */
  baseUrl: string;
  partnerId: string;
  keyPairId: string;
  privateKeyPem: string;
  expiresAt: Date;
  notBefore?: Date;
  /** IPv4 CIDR the partner fetches from, e.g. 203.0.113.0/24. */
  ipRange?: string;
  hashAlgorithm?: 'SHA1' | 'SHA256';
  /** Object under the partner prefix the returned URL opens; default `index.json`. */
  entry?: string;
}

export interface PartnerAccess {
  url: string;
  /** The policy JSON that was signed (no secret in it). */
  policy: string;
  /** The same grant as CloudFront signed cookies, for clients that prefer them. */
  cookies: CloudfrontSignedCookiesOutput;
}

/** The custom policy granting a partner its prefix until `expiresAt`. */
export function partnerPolicy(input: Pick<PartnerAccessInput, 'baseUrl' | 'partnerId' | 'expiresAt' | 'notBefore' | 'ipRange'>): string {
  const condition: Record<string, unknown> = {
    DateLessThan: { 'AWS:EpochTime': Math.floor(input.expiresAt.getTime() / 1000) },
  };
  if (input.notBefore) condition.DateGreaterThan = { 'AWS:EpochTime': Math.floor(input.notBefore.getTime() / 1000) };
  if (input.ipRange) condition.IpAddress = { 'AWS:SourceIp': input.ipRange.includes('/') ? input.ipRange : `${input.ipRange}/32` };
  return JSON.stringify({
    Statement: [{ Resource: `${input.baseUrl.replace(/\/+$/, '')}/${partnerPrefix(input.partnerId)}*`, Condition: condition }],
  });
}

/** Signs a partner's access with the AWS CloudFront signer: a URL to its index and the equivalent cookies. */
export function signPartnerAccess(input: PartnerAccessInput): PartnerAccess {
  if (input.notBefore && input.notBefore.getTime() >= input.expiresAt.getTime()) {
    throw new RangeError('notBefore must be earlier than expiresAt');
  }
  const policy = partnerPolicy(input);
  const credentials = {
    keyPairId: input.keyPairId,
    privateKey: input.privateKeyPem,
    ...(input.hashAlgorithm ? { algorithm: input.hashAlgorithm } : {}),
  };
  const entryUrl = `${input.baseUrl.replace(/\/+$/, '')}/${partnerPrefix(input.partnerId)}${input.entry ?? 'index.json'}`;
  return {
    url: getSignedUrl({ url: entryUrl, policy, ...credentials }),
    policy,
    cookies: getSignedCookies({ policy, ...credentials }),
  };
}

/** Canned-policy signature for one object (no wildcard, expiry only): for sharing a single document. */
export function signSingleObject(input: { url: string; keyPairId: string; privateKeyPem: string; expiresAt: Date; hashAlgorithm?: 'SHA1' | 'SHA256' }): string {
  return getSignedUrl({
    url: input.url,
    dateLessThan: input.expiresAt,
    keyPairId: input.keyPairId,
    privateKey: input.privateKeyPem,
    ...(input.hashAlgorithm ? { algorithm: input.hashAlgorithm } : {}),
  });
}
