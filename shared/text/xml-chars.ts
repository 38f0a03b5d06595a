/**
 * Characters XML 1.0 forbids (C0 controls other than tab, LF and CR; lone surrogates; U+FFFE/U+FFFF)
 * plus DEL and the C1 controls, which XML allows but strict validators flag and no reader displays.
 * Ingest removes them from every string of an article, and every output format removes them again,
 * so no stored article and no published document carries one.
 */
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes characters that cannot appear in an XML document. */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(INVALID_XML_CHARS, '');
}

/**
 * A copy of a JSON-like value with `stripInvalidXmlChars` applied to every string in it (keys too).
 * Walks with an explicit stack, so no input is nested too deeply for it.
 */
export function stripInvalidXmlCharsDeep<T>(value: T): T {
  const clean = (v: unknown): unknown => (typeof v === 'string' ? stripInvalidXmlChars(v) : v);
  const copyOf = (v: unknown): unknown => (Array.isArray(v) ? [] : v !== null && typeof v === 'object' && !(v instanceof Date) ? {} : clean(v));
  const root = copyOf(value);
  const stack: [unknown, unknown][] = [[value, root]];
  for (let pair = stack.pop(); pair !== undefined; pair = stack.pop()) {
    const [source, target] = pair;
    if (Array.isArray(source) && Array.isArray(target)) {
      for (const item of source as unknown[]) {
        const copy = copyOf(item);
        target.push(copy);
        if (copy !== null && typeof copy === 'object') stack.push([item, copy]);
      }
    } else if (source !== null && typeof source === 'object' && target !== null && typeof target === 'object') {
      for (const [key, item] of Object.entries(source)) {
        const copy = copyOf(item);
        (target as Record<string, unknown>)[stripInvalidXmlChars(key)] = copy;
        if (copy !== null && typeof copy === 'object') stack.push([item, copy]);
      }
    }
  }
  return root as T;
}
