import type { Article } from '../model/article.js';
import { largestDocument, type FeedDocuments } from './fragment-cache.js';

/**
 * Renders the newest entries that fit the byte budget in every format. Aggregators refuse or cut
 * feeds above a size (Google News: 2 MB), and a cut feed loses its newest news last, not first:
 * so the oldest entries are dropped until the largest of the three files fits. One entry always stays.
 */
export function renderWithinBudget<T extends FeedDocuments>(
  articles: readonly Article[],
  render: (entries: readonly Article[]) => T,
  maxBytes: number,
): T {
  const attempt = (count: number) => {
    const rendered = render(articles.slice(0, count));
    return { rendered, largest: largestDocument(rendered) };
  };
  let count = articles.length;
  let current = attempt(count);
  if (current.largest <= maxBytes) return current.rendered;
  // Shrink in proportion to the overshoot until it fits, then grow back while one more entry still fits:
  // the feed keeps as many of the newest entries as the budget allows.
  while (current.largest > maxBytes && count > 1) {
    count = Math.max(1, Math.min(count - 1, Math.floor((count * maxBytes) / current.largest)));
    current = attempt(count);
  }
  while (count < articles.length) {
    const next = attempt(count + 1);
    if (next.largest > maxBytes) break;
    count += 1;
    current = next;
  }
  return current.rendered;
}
