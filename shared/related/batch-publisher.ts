import { createHash } from 'node:crypto';
import type { ObjectPublisher, PublishOptions } from '../ports.js';

/**
 * The object publisher as one stream batch sees it: it remembers the bytes and headers of every
 * object it published, found unchanged or deleted during the batch, so publishing that key again
 * needs no HEAD (`publish` reads what is stored to skip identical bytes): identical bytes are
 * 'unchanged' with no request, different bytes are written straight away. A neighbour's list that
 * several articles of the batch enter is thus compared once, not once per article. The outcome of
 * every call is what the store would answer, given that nothing else writes those keys during the
 * batch (docs/related.md, "Stream batches"). A failed call forgets its key.
 */
export class BatchPublisher implements ObjectPublisher {
  /** Key to the SHA-256 of the stored bytes and its headers; null when known to be absent. */
  private readonly known = new Map<string, string | null>();

  constructor(private readonly inner: ObjectPublisher) {}

  async publish(key: string, body: string | Uint8Array, options: PublishOptions): Promise<'written' | 'unchanged'> {
    const state = fingerprint(body, options);
    const before = this.known.get(key);
    // Recorded when the call is made: whichever way it goes, the object then holds these bytes.
    this.known.set(key, state);
    try {
      if (before === state) return 'unchanged';
      if (before !== undefined) {
        await this.inner.write(key, body, options);
        return 'written';
      }
      return await this.inner.publish(key, body, options);
    } catch (error) {
      this.known.delete(key);
      throw error;
    }
  }

  async write(key: string, body: string | Uint8Array, options: PublishOptions): Promise<void> {
    this.known.set(key, fingerprint(body, options));
    await this.forgetOnFailure(key, this.inner.write(key, body, options));
  }

  async delete(key: string): Promise<void> {
    this.known.set(key, null);
    await this.forgetOnFailure(key, this.inner.delete(key));
  }

  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }

  private async forgetOnFailure(key: string, call: Promise<void>): Promise<void> {
    try {
      await call;
    } catch (error) {
      this.known.delete(key);
      throw error;
    }
  }
}

function fingerprint(body: string | Uint8Array, options: PublishOptions): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return `${createHash('sha256').update(bytes).digest('hex')} ${options.contentType}\n${options.cacheControl}`;
}
