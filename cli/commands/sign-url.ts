import { parseArgs } from 'node:util';
import { isIPv4 } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Partner } from '../../shared/partners/partner.js';
import { readPartnerRegistryFile } from '../../shared/partners/partner-registry-file.js';
import { signPartnerAccess } from '../../shared/signing/sign-partner-url.js';
import { DynamoDbPartnerRepository } from '../../shared/storage/dynamodb-partner-repository.js';
import { ensureLocalKeyPair } from '../local/key-pair.js';

const DEFAULT_REGISTRY = 'examples/partners.json';
/** Longest URL the CLI signs; AWS issues partner URLs through the endpoint with its own limit. */
const MAX_LIFETIME_SECONDS = 30 * 86_400;

const USAGE = `Usage: warta sign-url --partner ID [options]

Prints a CloudFront-style signed URL to the partner's index (partners/ID/index.json).
Its signing parameters (Policy, Signature, Key-Pair-Id) work on every URL under partners/ID/.

Options:
  --partner ID        Partner to sign for (must exist and be active)
  --expires WHEN      Lifetime (90s, 30m, 24h, 7d) or an ISO date-time (default 24h)
  --not-before WHEN   Start of validity: a lifetime from now or an ISO date-time
  --ip CIDR           Only this IPv4 address or range may use the URL (e.g. 203.0.113.0/24)
  --sha256            Sign with RSA-SHA256 (adds Hash-Algorithm=SHA256)
  --base-url URL      Scheme and host the partner fetches from (default: the local edge)
  --cookies           Print a Cookie header value (CloudFront-* cookies) instead of the URL
  --partners FILE     Registry file to check the partner in (default ${DEFAULT_REGISTRY})
  --table NAME        Check the partner in this DynamoDB table instead of a file
                      (endpoint from AWS_ENDPOINT_URL_DYNAMODB, e.g. the local dynalite)
  -h, --help          Show this help

Keys: the active local key pair under <data>/keys/ (created on first use).
Exit codes: 0 signed, 1 refused (unknown or suspended partner), 2 usage error.
`;

export interface SignUrlContext {
  dataDir: string;
  edgeBaseUrl: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  now: () => Date;
}

/** A lifetime such as `24h` from `now`, or an absolute ISO date-time; undefined when neither. */
export function parseWhen(text: string, now: Date): Date | undefined {
  const duration = /^(\d+)(s|m|h|d)$/.exec(text);
  if (duration) {
    const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[duration[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() + Number(duration[1]) * unit * 1000);
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at);
}

function validCidr(text: string): boolean {
  const [ip, mask, extra] = text.split('/');
  const m = mask === undefined ? 32 : Number(mask);
  return extra === undefined && isIPv4(ip ?? '') && Number.isInteger(m) && m >= 0 && m <= 32;
}

async function findPartner(id: string, source: { file: string } | { table: string }): Promise<Partner | undefined> {
  if ('table' in source) {
    const client = new DynamoDBClient({});
    try {
      return await new DynamoDbPartnerRepository(DynamoDBDocumentClient.from(client), source.table).get(id);
    } finally {
      client.destroy();
    }
  }
  return (await readPartnerRegistryFile(source.file)).find((p) => p.id === id);
}

/** `warta sign-url`: only the URL (or cookie header) goes to stdout, so it can be piped to curl. */
export async function signUrlCommand(args: string[], ctx: SignUrlContext): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        partner: { type: 'string' },
        expires: { type: 'string', default: '24h' },
        'not-before': { type: 'string' },
        ip: { type: 'string' },
        sha256: { type: 'boolean', default: false },
        'base-url': { type: 'string' },
        cookies: { type: 'boolean', default: false },
        partners: { type: 'string' },
        table: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    ctx.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    ctx.stdout.write(USAGE);
    return 0;
  }
  const usage = (message: string) => {
    ctx.stderr.write(`warta sign-url: ${message}\n\n${USAGE}`);
    return 2;
  };
  if (!values.partner) return usage('--partner is required');
  if (values.partners && values.table) return usage('give --partners or --table, not both');
  const now = ctx.now();
  const expiresAt = parseWhen(values.expires, now);
  if (!expiresAt) return usage(`--expires: not a lifetime or ISO date-time: ${values.expires}`);
  if (expiresAt.getTime() <= now.getTime()) return usage('--expires must be in the future');
  if (expiresAt.getTime() - now.getTime() > MAX_LIFETIME_SECONDS * 1000) return usage('--expires: at most 30 days');
  let notBefore: Date | undefined;
  if (values['not-before']) {
    notBefore = parseWhen(values['not-before'], now);
    if (!notBefore) return usage(`--not-before: not a lifetime or ISO date-time: ${values['not-before']}`);
    if (notBefore.getTime() >= expiresAt.getTime()) return usage('--not-before must be earlier than --expires');
  }
  if (values.ip && !validCidr(values.ip)) return usage(`--ip: not an IPv4 address or CIDR: ${values.ip}`);
  let baseUrl = values['base-url'] ?? ctx.edgeBaseUrl;
  try {
    const parsed = new URL(baseUrl);
    if (!/^https?:$/.test(parsed.protocol) || (parsed.pathname !== '/' && parsed.pathname !== '')) throw new Error('not a base URL');
    baseUrl = parsed.origin;
  } catch {
    return usage(`--base-url: not an http(s) scheme and host: ${baseUrl}`);
  }

  let partner: Partner | undefined;
  try {
    partner = await findPartner(values.partner, values.table ? { table: values.table } : { file: values.partners ?? DEFAULT_REGISTRY });
  } catch (error) {
    ctx.stderr.write(`warta sign-url: cannot read the partner registry: ${(error as Error).message}\n`);
    return 1;
  }
  if (!partner) {
    ctx.stderr.write(`warta sign-url: unknown partner: ${values.partner}\n`);
    return 1;
  }
  if (partner.status !== 'active') {
    ctx.stderr.write(`warta sign-url: partner ${partner.id} is ${partner.status}; refusing to sign\n`);
    return 1;
  }

  const key = await ensureLocalKeyPair(ctx.dataDir);
  const access = signPartnerAccess({
    baseUrl,
    partnerId: partner.id,
    keyPairId: key.keyPairId,
    privateKeyPem: key.privateKeyPem,
    expiresAt,
    ...(notBefore ? { notBefore } : {}),
    ...(values.ip ? { ipRange: values.ip } : {}),
    ...(values.sha256 ? { hashAlgorithm: 'SHA256' as const } : {}),
  });
  ctx.stderr.write(
    `signed for ${partner.id} with key ${key.keyPairId}, valid until ${expiresAt.toISOString()}${values.ip ? ` from ${values.ip}` : ''}; covers ${baseUrl}/partners/${partner.id}/*\n`,
  );
  if (values.cookies) {
    ctx.stdout.write(`${Object.entries(access.cookies).map(([k, v]) => `${k}=${v}`).join('; ')}\n`);
  } else {
    ctx.stdout.write(`${access.url}\n`);
  }
  return 0;
}
