import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names accepted for the body's HMAC, as WordPress webhook plugins and GitHub-style senders use them. */
export const SIGNATURE_HEADERS = ['x-hub-signature-256', 'x-warta-signature'] as const;

/** `sha256=<hex>` of HMAC-SHA256(secret, body), the value a sender puts in the signature header. */
export function signBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Checks a request body's signature in constant time. Returns a short reason when it fails,
 * never the expected value.
 */
export function verifyBodySignature(
  secret: string,
  body: string | Uint8Array,
  headerValue: string | undefined,
): { ok: true } | { ok: false; reason: string } {
  if (!headerValue) return { ok: false, reason: `missing signature header (${SIGNATURE_HEADERS[0]})` };
  const match = /^sha256=([0-9a-f]{64})$/i.exec(headerValue.trim());
  if (!match?.[1]) return { ok: false, reason: 'signature header must be sha256=<64 hex digits>' };
  const expected = Buffer.from(signBody(secret, body).slice('sha256='.length), 'hex');
  const given = Buffer.from(match[1].toLowerCase(), 'hex');
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'signature does not match the body' };
}
