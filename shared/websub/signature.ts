import { createHmac } from 'node:crypto';

/**
 * The `X-Hub-Signature` value of a content distribution (WebSub §8): `sha256=` and the hex HMAC of
 * the exact body bytes, keyed with the secret the subscriber gave when subscribing.
 */
export function hubSignature(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
