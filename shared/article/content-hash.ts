import { createHash } from 'node:crypto';
import type { Article } from '../model/article.js';

/** The fields whose change is a new version. Bookkeeping (version, updatedAt, the hash itself) is left out. */
export type ArticleContent = Omit<Article, 'version' | 'updatedAt' | 'contentHash'>;

/** SHA-256 over a canonical JSON of the content: same content, same hash, whatever the key order. */
export function contentHash(content: ArticleContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
