import { createHash } from 'node:crypto';
import transliterate from '@sindresorhus/transliterate';

/**
 * URL- and key-safe slug: lowercase ASCII words joined by "-".
 * Accents are folded (é → e) so names from any outlet give stable keys. Scripts with a customary Latin
 * spelling are transliterated (Москва → moskva, Ωμέγα → omega, محمد → mhmd) rather than dropped. Letters
 * no transliteration covers (Chinese, Japanese, Thai…) are not dropped either: the slug then ends in a
 * stable short hash of the name, so "北京 2024" and "上海 2024" keep feeds of their own and a slug is
 * never empty for a non-empty name. (A full transliteration table such as any-ascii's is about 0.5 MB,
 * half of a Lambda bundle's budget, for names that a hash already keeps apart.)
 */
export function slugify(text: string, maxLength = 80): string {
  const folded = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const hash = () => `x-${createHash('sha256').update(folded.toLowerCase().trim()).digest('hex').slice(0, 10)}`;
  if (!/[^\x00-\x7f]/.test(folded)) {
    const words = toWords(folded);
    // A name of symbols only ("!!!") still gets a slug of its own.
    return words === '' && text.trim() !== '' ? hash() : cut(words, maxLength);
  }
  // Only what the accent folding left outside ASCII is transliterated: Latin slugs stay exactly as they were.
  const ascii = folded.replace(/[^\x00-\x7f]+/g, (run) => transliterate(run));
  const untransliterated = /[\p{L}\p{N}]/u.test(ascii.replace(/[\x00-\x7f]+/g, ''));
  const words = toWords(ascii.replace(/[^\x00-\x7f]+/g, ' '));
  if (!untransliterated && words !== '') return cut(words, maxLength);
  // Hash of the name as spellings of it compare (case and accents aside), so variants share one slug.
  const suffix = hash();
  return words === '' ? suffix : `${cut(words, maxLength - suffix.length - 1)}-${suffix}`;
}

function cut(slug: string, maxLength: number): string {
  if (slug.length <= maxLength) return slug;
  const head = slug.slice(0, maxLength);
  const lastDash = head.lastIndexOf('-');
  return (lastDash > maxLength / 2 ? head.slice(0, lastDash) : head).replace(/-+$/, '');
}

function toWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/&/g, ' dan ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
