import type { Problem } from '../errors.js';

/** DynamoDB's largest item: 400 KB, counting attribute names and values (the key attributes included). */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * The size DynamoDB counts for an item, per top-level attribute (its name plus its value), for the item as the
 * document client marshals it (`undefined` values removed). The rules are DynamoDB's documented ones
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html): strings and
 * names in UTF-8 bytes, numbers about one byte per two significant digits plus one, booleans and null one byte,
 * lists and maps 3 bytes plus one byte per element plus their elements (map keys counted like names).
 * Hand-written: the few npm packages that compute it are unmaintained, and dynalite's own count uses UTF-16
 * lengths, under-counting non-Latin text.
 */
export function attributeSizes(item: Readonly<Record<string, unknown>>): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    sizes.set(name, utf8(name) + valueSize(value));
  }
  return sizes;
}

export function itemSize(item: Readonly<Record<string, unknown>>): number {
  let total = 0;
  for (const size of attributeSizes(item).values()) total += size;
  return total;
}

function valueSize(value: unknown): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(String(value));
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + (element === undefined ? 0 : valueSize(element)), 0);
  if (value instanceof Set) return [...value].reduce((sum: number, element) => sum + valueSize(element), 0);
  if (typeof value === 'object') {
    let size = 3;
    for (const [key, element] of Object.entries(value as Record<string, unknown>)) {
      if (element !== undefined) size += 1 + utf8(key) + valueSize(element);
    }
    return size;
  }
  return 0;
}

function numberSize(text: string): number {
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1 + (text.startsWith('-') ? 1 : 0);
}

function utf8(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * What to tell the sender when an item is too large, or undefined when it fits: the largest attributes, biggest
 * first, as many as must shrink for the item to fit (`copyright: is 600 KB; an article item may be at most 400 KB …`).
 * `fields` lists the attributes the sender supplied; key and bookkeeping attributes are never named.
 */
export function itemSizeProblems(item: Readonly<Record<string, unknown>>, fields: ReadonlySet<string>, what = 'an article item'): Problem[] | undefined {
  const sizes = attributeSizes(item);
  let total = 0;
  for (const size of sizes.values()) total += size;
  if (total <= MAX_ITEM_BYTES) return undefined;
  const largest = [...sizes].filter(([name]) => fields.has(name)).sort((a, b) => b[1] - a[1]);
  const named: [string, number][] = [];
  let remaining = total;
  for (const entry of largest) {
    named.push(entry);
    remaining -= entry[1];
    if (remaining <= MAX_ITEM_BYTES) break;
  }
  return named.map(([name, size]) => ({
    field: name,
    message: `is ${kb(size)}; ${what} may be at most ${kb(MAX_ITEM_BYTES)} in all (this one is ${kb(total)}: shorten the largest fields)`,
  }));
}

function kb(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KB`;
}
