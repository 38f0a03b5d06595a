import type { DynamoDBRecord } from 'aws-lambda';

/** The article id of a stream record about an article item (pk ARTICLE#<id>, sk A); undefined for any other item. */
export function articleIdOfStreamRecord(record: DynamoDBRecord): string | undefined {
  const keys = record.dynamodb?.Keys;
  const pk = keys?.['pk']?.S;
  const sk = keys?.['sk']?.S;
  if (!pk?.startsWith('ARTICLE#') || sk !== 'A') return undefined;
  return pk.slice('ARTICLE#'.length);
}

/**
 * What a stream record says of the article before the change, for release scheduling (shared/embargo):
 * undefined for a new article, its status and publication time from the old image, or 'unknown' when
 * the record carries no old image (the local stream sends keys only).
 */
export function previousTimingOfStreamRecord(record: DynamoDBRecord): { status: 'published' | 'withdrawn'; publishedAt: string } | undefined | 'unknown' {
  if (record.eventName === 'INSERT') return undefined;
  const old = record.dynamodb?.OldImage;
  const status = old?.['status']?.S;
  const publishedAt = old?.['publishedAt']?.S;
  if ((status !== 'published' && status !== 'withdrawn') || publishedAt === undefined) return 'unknown';
  return { status, publishedAt };
}
