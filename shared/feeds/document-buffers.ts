/**
 * Memory feed documents are assembled in, reused from one document to the next.
 *
 * A change writes 3–5 MB of documents (the three formats of every feed it touches), each assembled from
 * cached fragments into a buffer of its own. Allocated afresh, those buffers came from memory the C
 * allocator had handed back to the system after the previous change's were collected, and the copy into
 * them paid a page fault per 4 KiB: at 100,000 stored articles the copy took 17 ms of a change in the
 * profile, where copying the same bytes into memory already in use takes under 2 (docs/performance.md).
 * Nothing in Node or the libraries assembles into caller-owned memory, hence this small pool.
 *
 * A lease hands out buffers for one document's renders and takes them all back when the document is
 * published: the caller must not use them after `release`, and publishers must not keep a body past
 * their call (ObjectPublisher says so; the in-memory store copies what it keeps).
 */
/** What a builder's pool keeps between documents: the three formats of the ≈ 20 documents a change writes, with room. */
export const DEFAULT_DOCUMENT_BUFFERS_IDLE_BYTES = 32 * 2 ** 20;

export class DocumentBuffers {
  /** Idle backing stores by capacity, largest last. */
  private readonly idle: Buffer[] = [];
  private idleBytes = 0;

  /** `maxIdleBytes`: what the pool keeps between documents; a backing store beyond it is left to the collector. */
  constructor(private readonly maxIdleBytes: number = DEFAULT_DOCUMENT_BUFFERS_IDLE_BYTES) {}

  /** A lease for one document: `allocate` gives buffers of exactly the size asked, `release` takes them all back. */
  lease(): DocumentLease {
    const taken: Buffer[] = [];
    return {
      allocate: (size) => {
        const backing = this.take(size);
        taken.push(backing);
        return backing.subarray(0, size);
      },
      release: () => {
        for (const backing of taken.splice(0)) this.give(backing);
      },
    };
  }

  /** Bytes held idle, for tests and the bench. */
  get idleCapacity(): number {
    return this.idleBytes;
  }

  private take(size: number): Buffer {
    // The smallest idle store that fits (a document of a feed is about the size it was the last time).
    const at = this.idle.findIndex((b) => b.byteLength >= size);
    if (at !== -1) {
      const [backing] = this.idle.splice(at, 1) as [Buffer];
      this.idleBytes -= backing.byteLength;
      return backing;
    }
    // Some room to grow: the next render of the same feed usually has one entry more. Not from Node's
    // shared 8 KiB pool (allocUnsafeSlow), so a store is never shared with unrelated small buffers.
    return Buffer.allocUnsafeSlow(Math.max(4096, Math.ceil((size * 1.125) / 4096) * 4096));
  }

  private give(backing: Buffer): void {
    if (this.idleBytes + backing.byteLength > this.maxIdleBytes) return;
    let at = this.idle.findIndex((b) => b.byteLength >= backing.byteLength);
    if (at === -1) at = this.idle.length;
    this.idle.splice(at, 0, backing);
    this.idleBytes += backing.byteLength;
  }
}

export interface DocumentLease {
  allocate(size: number): Buffer;
  release(): void;
}

/** Concatenates `parts` into a buffer from `allocate`, or a new one: Buffer.concat into memory the caller chose. */
export function concatInto(parts: readonly Uint8Array[], allocate?: (size: number) => Buffer): Buffer {
  if (!allocate) return Buffer.concat(parts);
  let size = 0;
  for (const part of parts) size += part.byteLength;
  const out = allocate(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
