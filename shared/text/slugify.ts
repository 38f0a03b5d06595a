import { createHash } from 'node:crypto';
import anyAscii from 'any-ascii';

/**
 * URL- and key-safe slug: lowercase ASCII words joined by "-".
 * Accents are folded (é → e) so names from any outlet give stable keys. Other scripts are transliterated
 * with any-ascii (Москва → moskva, 北京 → beijing, محمد → mhmd) rather than dropped; text with nothing to
 * transliterate (symbols only) gets a stable short hash, so a slug is never empty for a non-empty name.
 */
export function slugify(text: string, maxLength = 80): string {
  const folded = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  // Only what the accent folding left outside ASCII is transliterated: Latin slugs stay exactly as they were.
  const ascii = /[^\x00-\x7f]/.test(folded) ? folded.replace(/[^\x00-\x7f]+/g, (run) => anyAscii(run)) : folded;
  const slug = toWords(ascii);
  if (slug === '' && text.trim() !== '') return `x-${createHash('sha256').update(text.normalize('NFC').trim()).digest('hex').slice(0, 10)}`;
  if (slug.length <= maxLength) return slug;
  const cut = slug.slice(0, maxLength);
  const lastDash = cut.lastIndexOf('-');
  return (lastDash > maxLength / 2 ? cut.slice(0, lastDash) : cut).replace(/-+$/, '');
}

function toWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/&/g, ' dan ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
