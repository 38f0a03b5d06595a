import type { DynamoDBRecord } from 'aws-lambda';

/** The article id of a stream record about an article item (pk ARTICLE#<id>, sk A); undefined for any other item. */
export function articleIdOfStreamRecord(record: DynamoDBRecord): string | undefined {
  const keys = record.dynamodb?.Keys;
  const pk = keys?.['pk']?.S;
  const sk = keys?.['sk']?.S;
  if (!pk?.startsWith('ARTICLE#') || sk !== 'A') return undefined;
  return pk.slice('ARTICLE#'.length);
}
