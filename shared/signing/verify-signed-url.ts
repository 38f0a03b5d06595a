import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { createVerify } from 'node:crypto';

/**
 * CloudFront signed-URL (and signed-cookie) verification, as the local edge server enforces it.
 * Pure apart from node:crypto: the caller passes the request, the clock reading and the trusted keys.
 *
 * Resource URL behind the local edge: `<scheme>://<Host header><path>[?<query>]`, the scheme being the one
 * the edge listens on (http locally) and the Host header exactly as the client sent it, so a URL signed
 * for `http://127.0.0.1:8787` is refused when fetched as `http://localhost:8787` — as CloudFront refuses
 * a URL signed for another domain name. Path segments are canonicalized like the AWS signer encodes them
 * (decode, then encodeURIComponent), so `%7E` and `~` name the same resource.
 */

export type DenyReason =
  | 'missing Key-Pair-Id'
  | 'missing Signature'
  | 'missing Expires or Policy'
  | 'duplicate signing parameter'
  | 'malformed signature'
  | 'unsupported Hash-Algorithm'
  | 'unknown key'
  | 'malformed policy'
  | 'bad signature'
  | 'expired'
  | 'not yet valid'
  | 'resource mismatch'
  | 'ip not allowed';

export type VerifyResult = { ok: true; keyPairId: string; partnerId?: string } | { ok: false; reason: DenyReason };

export interface SignedRequest {
  /** `http` or `https`, as the edge is reached. */
  scheme: string;
  /** The Host header as the client sent it (host[:port]). */
  host: string;
  /** The path as received, percent-encoded, starting with `/`. */
  path: string;
  /** The raw query string without the leading `?` (may be empty). */
  query: string;
  /** Client address as the edge sees it (IPv4 or IPv6, IPv4-mapped IPv6 accepted). */
  clientIp: string;
  /** The request's Cookie header (Node joins repeated headers with `; `); `CloudFront-*` cookies are used when the query carries no signature. */
  cookieHeader?: string;
}

/** Query parameters that carry the signature; they are not part of the signed resource. */
const SIGNING_PARAMS = new Set(['Expires', 'Policy', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm']);

/**
 * CloudFront's URL-safe base64 (`+` → `-`, `=` → `_`, `/` → `~`) decoded strictly, or undefined when the
 * value is not exactly such an encoding: only that alphabet, padding only at the end, a length that is a
 * multiple of 4, and no stray bits (the bytes encode back to the very same text). Node's own base64
 * decoder skips unknown characters and ignores trailing junk, which would let `!!!!`, spaces, dots or an
 * extra `AAAA` through where CloudFront refuses them; hand-written because no base64 library offers this
 * canonical check for CloudFront's alphabet.
 */
export function fromCloudFrontBase64(value: string): Buffer | undefined {
  if (value.length === 0 || value.length % 4 !== 0 || !/^[A-Za-z0-9~-]+_{0,2}$/.test(value)) return undefined;
  const standard = value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/');
  const bytes = Buffer.from(standard, 'base64');
  return bytes.toString('base64') === standard ? bytes : undefined;
}

/** Canonical path: every segment decoded once and re-encoded with encodeURIComponent, as the AWS signer does. */
export function canonicalPath(path: string): string {
  return path.replace(/[^/]+/g, (segment) => {
    try {
      return encodeURIComponent(decodeURIComponent(segment));
    } catch {
      return encodeURIComponent(segment);
    }
  });
}

function splitQuery(query: string): { params: Map<string, string>; rest: string; duplicated: boolean } {
  const params = new Map<string, string>();
  let duplicated = false;
  const kept: string[] = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      kept.push(pair);
      continue;
    }
    if (SIGNING_PARAMS.has(key)) {
      // A repeated signing parameter is refused outright: which one a cache or an origin reads is ambiguous.
      if (params.has(key)) duplicated = true;
      else params.set(key, value);
    } else {
      kept.push(pair);
    }
  }
  return { params, rest: kept.join('&'), duplicated };
}

/**
 * The `CloudFront-*` signing cookies of a Cookie header (`CloudFront-Policy`, `-Signature`, `-Key-Pair-Id`,
 * `-Expires`, `-Hash-Algorithm`), and whether any of them is there more than once: like a repeated query
 * parameter, a repeated signing cookie is refused, since which copy a cache or an origin reads is ambiguous.
 * Other cookies are ignored. Hand-written: the cookie libraries keep the first or last copy and hide the repeat.
 */
export function signingCookies(header: string | undefined): { params: Map<string, string>; duplicated: boolean } {
  const params = new Map<string, string>();
  let duplicated = false;
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name.startsWith('CloudFront-')) continue;
    const key = name.slice('CloudFront-'.length);
    if (!SIGNING_PARAMS.has(key)) continue;
    if (params.has(key)) duplicated = true;
    else params.set(key, part.slice(eq + 1).trim());
  }
  return { params, duplicated };
}

/** Matches a policy Resource with CloudFront wildcards: `*` any run of characters (including `/`), `?` exactly one. */
export function resourceMatches(pattern: string, url: string): boolean {
  const regex = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${regex}$`, 's').test(url);
}

function ipAllowed(cidr: string, clientIp: string): boolean | 'malformed' {
  const [network, prefixText, extra] = cidr.split('/');
  if (network === undefined || extra !== undefined) return 'malformed';
  const family = isIPv4(network) ? 'ipv4' : isIPv6(network) ? 'ipv6' : undefined;
  if (!family) return 'malformed';
  const prefix = prefixText === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 'ipv4' ? 32 : 128)) return 'malformed';
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(clientIp);
  const ip = mapped?.[1] ?? clientIp;
  const ipFamily = isIPv4(ip) ? 'ipv4' : isIPv6(ip) ? 'ipv6' : undefined;
  if (!ipFamily) return false;
  return list.check(ip, ipFamily);
}

interface ParsedPolicy {
  resource?: string;
  dateLessThan: number;
  dateGreaterThan?: number;
  sourceIp?: string;
}

function epoch(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function parsePolicy(text: string): ParsedPolicy | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const statements = (json as { Statement?: unknown }).Statement;
  if (!Array.isArray(statements) || statements.length !== 1) return undefined;
  const statement = statements[0] as { Resource?: unknown; Condition?: unknown } | undefined;
  if (typeof statement !== 'object' || statement === null) return undefined;
  if (statement.Resource !== undefined && typeof statement.Resource !== 'string') return undefined;
  const condition = statement.Condition as Record<string, Record<string, unknown> | undefined> | undefined;
  if (typeof condition !== 'object' || condition === null) return undefined;
  const dateLessThan = epoch(condition.DateLessThan?.['AWS:EpochTime']);
  if (dateLessThan === undefined) return undefined;
  const policy: ParsedPolicy = { dateLessThan };
  if (statement.Resource !== undefined) policy.resource = statement.Resource;
  if (condition.DateGreaterThan !== undefined) {
    const start = epoch(condition.DateGreaterThan['AWS:EpochTime']);
    if (start === undefined) return undefined;
    policy.dateGreaterThan = start;
  }
  if (condition.IpAddress !== undefined) {
    const ip = condition.IpAddress['AWS:SourceIp'];
    if (typeof ip !== 'string') return undefined;
    policy.sourceIp = ip;
  }
  return policy;
}

/** The partner a path belongs to, when it lies under `partners/<id>/`. */
export function partnerIdOfPath(path: string): string | undefined {
  return /^\/partners\/([a-z0-9-]+)\//.exec(path)?.[1];
}

/**
 * Decides whether a request carries a valid CloudFront signature (canned or custom policy,
 * query parameters or `CloudFront-*` cookies) made with one of the trusted keys.
 * The signature is checked before any policy condition, so a tampered policy reads as `bad signature`.
 */
export function verifySignedUrl(
  request: SignedRequest,
  now: Date,
  trustedKeys: ReadonlyMap<string, string>,
): VerifyResult {
  const { params, rest, duplicated } = splitQuery(request.query);
  const cookies = signingCookies(request.cookieHeader);
  if (duplicated || cookies.duplicated) return { ok: false, reason: 'duplicate signing parameter' };
  const fromQuery = params.has('Signature') || params.has('Key-Pair-Id') || params.has('Policy') || params.has('Expires');
  const get = (name: string): string | undefined => (fromQuery ? params : cookies.params).get(name);

  const keyPairId = get('Key-Pair-Id');
  if (!keyPairId) return { ok: false, reason: 'missing Key-Pair-Id' };
  const signature = get('Signature');
  if (!signature) return { ok: false, reason: 'missing Signature' };
  const expires = get('Expires');
  const policyParam = get('Policy');
  if (!expires && !policyParam) return { ok: false, reason: 'missing Expires or Policy' };
  const hashParam = get('Hash-Algorithm');
  if (hashParam !== undefined && hashParam !== 'SHA1' && hashParam !== 'SHA256') {
    return { ok: false, reason: 'unsupported Hash-Algorithm' };
  }
  const publicKey = trustedKeys.get(keyPairId);
  if (!publicKey) return { ok: false, reason: 'unknown key' };

  const resourceUrl = `${request.scheme}://${request.host}${canonicalPath(request.path)}${rest ? `?${rest}` : ''}`;
  let policyText: string;
  let policy: ParsedPolicy;
  if (policyParam) {
    const policyBytes = fromCloudFrontBase64(policyParam);
    if (!policyBytes) return { ok: false, reason: 'malformed policy' };
    policyText = policyBytes.toString('utf8');
    const parsed = parsePolicy(policyText);
    if (!parsed) return { ok: false, reason: 'malformed policy' };
    policy = parsed;
  } else {
    const expiresAt = Number(expires);
    if (!/^\d+$/.test(expires ?? '') || !Number.isSafeInteger(expiresAt)) return { ok: false, reason: 'malformed policy' };
    // CloudFront rebuilds the canned policy from the requested URL: any change to it breaks the signature.
    policyText = JSON.stringify({
      Statement: [{ Resource: resourceUrl, Condition: { DateLessThan: { 'AWS:EpochTime': expiresAt } } }],
    });
    policy = { resource: resourceUrl, dateLessThan: expiresAt };
  }

  const signatureBytes = fromCloudFrontBase64(signature);
  if (!signatureBytes) return { ok: false, reason: 'malformed signature' };
  const verifier = createVerify(hashParam === 'SHA256' ? 'RSA-SHA256' : 'RSA-SHA1');
  verifier.update(policyText);
  let valid: boolean;
  try {
    valid = verifier.verify(publicKey, signatureBytes);
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: 'bad signature' };

  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (nowSeconds >= policy.dateLessThan) return { ok: false, reason: 'expired' };
  if (policy.dateGreaterThan !== undefined && nowSeconds < policy.dateGreaterThan) return { ok: false, reason: 'not yet valid' };
  if (policy.resource !== undefined && !resourceMatches(policy.resource, resourceUrl)) {
    return { ok: false, reason: 'resource mismatch' };
  }
  if (policy.sourceIp !== undefined) {
    const allowed = ipAllowed(policy.sourceIp, request.clientIp);
    if (allowed === 'malformed') return { ok: false, reason: 'malformed policy' };
    if (!allowed) return { ok: false, reason: 'ip not allowed' };
  }
  const partnerId = partnerIdOfPath(request.path);
  return partnerId ? { ok: true, keyPairId, partnerId } : { ok: true, keyPairId };
}
