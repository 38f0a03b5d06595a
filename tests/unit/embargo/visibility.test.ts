import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { embargoedUntil, isVisibleAt } from '../../../shared/embargo/visibility.js';
import { EARLIEST_ARTICLE_DATE, LATEST_ARTICLE_DATE } from '../../../shared/model/article.js';

const instant = fc.date({ min: new Date(EARLIEST_ARTICLE_DATE), max: new Date(LATEST_ARTICLE_DATE), noInvalidDate: true });
const status = fc.constantFrom('published' as const, 'withdrawn' as const);

describe('visibility of scheduled articles', () => {
  test.prop([instant, instant, status])('an article is public exactly when it is published and its time has come', (published, now, s) => {
    const article = { status: s, publishedAt: published.toISOString() };
    expect(isVisibleAt(article, now)).toBe(s === 'published' && published.getTime() <= now.getTime());
    // Published and not yet public means embargoed until its publication time; nothing else is embargoed.
    const until = embargoedUntil(article, now);
    expect(until?.toISOString()).toBe(s === 'published' && !isVisibleAt(article, now) ? published.toISOString() : undefined);
  });

  test.prop([instant, fc.integer({ min: 1, max: 10 * 365 * 86_400_000 })])('is invisible one millisecond before its time and visible at it and ever after', (published, later) => {
    const article = { status: 'published' as const, publishedAt: published.toISOString() };
    expect(isVisibleAt(article, new Date(published.getTime() - 1))).toBe(false);
    expect(isVisibleAt(article, published)).toBe(true);
    expect(isVisibleAt(article, new Date(published.getTime() + later))).toBe(true);
  });

  test.prop([instant, fc.constantFrom('+07:00', '-03:30', 'Z', '+0000')])('reads the publication time with its offset', (published, offset) => {
    // The same instant written in another zone, as CMSs send it.
    const minutes = offset === 'Z' || offset === '+0000' ? 0 : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
    const local = new Date(published.getTime() + minutes * 60_000).toISOString().slice(0, 23) + offset;
    const article = { status: 'published' as const, publishedAt: local };
    expect(isVisibleAt(article, new Date(published.getTime() - 1))).toBe(false);
    expect(isVisibleAt(article, published)).toBe(true);
  });
});
