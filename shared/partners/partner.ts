import * as z from 'zod';

/**
 * A licensee of the outlet's content. The registry's source of truth is a JSON file checked into the
 * deployment (examples/partners.json locally), synced into DynamoDB so suspension acts without a deploy.
 */

export const PARTNER_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export const PartnerFormatSchema = z.enum(['rss', 'atom', 'json']);
export type PartnerFormat = z.infer<typeof PartnerFormatSchema>;

export const PartnerSchema = z.object({
  id: z.string().regex(PARTNER_ID_PATTERN, 'must be 1-64 characters of a-z, 0-9 and "-", not starting or ending with "-"'),
  name: z.string().trim().min(1, 'must not be empty'),
  /** Section names as the newsroom writes them ("Politik"); matched by slug. */
  sections: z.array(z.string().trim().min(1)).default([]),
  tags: z.array(z.string().trim().min(1)).default([]),
  formats: z.array(PartnerFormatSchema).min(1, 'must name at least one of rss, atom, json').default(['rss', 'atom', 'json']),
  fullText: z.boolean().default(false),
  images: z.boolean().default(false),
  status: z.enum(['active', 'suspended']).default('active'),
  /** SHA-256 (hex) of the partner's API bearer token; the token itself is never stored. */
  tokenSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')
    .optional(),
});
export type Partner = z.infer<typeof PartnerSchema>;
export type PartnerInput = z.input<typeof PartnerSchema>;

export const PartnerRegistrySchema = z
  .object({ partners: z.array(PartnerSchema) })
  .refine((r) => new Set(r.partners.map((p) => p.id)).size === r.partners.length, {
    message: 'partner ids must be unique',
    path: ['partners'],
  });

/** The partner registry as stored (DynamoDB in AWS and locally). */
export interface PartnerRepository {
  /** Every partner, ordered by id. */
  list(): Promise<Partner[]>;
  get(id: string): Promise<Partner | undefined>;
  /** Creates or replaces one partner. */
  put(partner: Partner): Promise<void>;
}

/** Object key prefix of everything one partner may read; its signed URLs are scoped to it. */
export function partnerPrefix(partnerId: string): string {
  return `partners/${partnerId}/`;
}

/** What has been published under one partner's prefix, as recorded beside the registry. */
export interface PartnerDelivery {
  /** The partner's index.json was published and its prefix not emptied since. */
  indexed: boolean;
  /** Feed formats whose files are published (a format dropped from the licence is deleted by this record). */
  formats: PartnerFormat[];
  /** SHA-256 of each published ninjs document, by article id: only for the article ids asked about. */
  documents: Map<string, string>;
}

/** One change to the record of what a partner has been sent. */
export interface PartnerDeliveryChange {
  partnerId: string;
  /** Set when the feeds and index were published with these formats. */
  formats?: PartnerFormat[];
  /** Documents written, article id → SHA-256 of the bytes. */
  documents?: Map<string, string>;
  /** Documents deleted. */
  removed?: readonly string[];
}

/**
 * The record of what each partner has been sent (its index, feed formats and ninjs documents), so
 * that a change works out what it touches from the table and never by listing the partner's prefix
 * in S3, which grows by one document per licensed article forever.
 */
export interface PartnerDeliveryStore {
  /** The record of each partner, with the documents of the given article ids (one batched read). */
  read(partnerIds: readonly string[], articleIds: readonly string[]): Promise<Map<string, PartnerDelivery>>;
  /** Applies changes in as few batched writes as possible. */
  record(changes: readonly PartnerDeliveryChange[]): Promise<void>;
  /** Every article id with a recorded document (a Query of the partner's record: for emptying a suspended prefix). */
  documentIds(partnerId: string): Promise<string[]>;
  /** Drops the whole record after the prefix was emptied. */
  forget(partnerId: string): Promise<void>;
}
