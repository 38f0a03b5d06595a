import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommand } from '../../../cli/commands/parse.js';

/**
 * The labelled corpus (tests/fixtures/parsing/corpus/): raw text pages and WordPress pages written for the
 * project from real paragraphs and headlines of ../shared/data/related/articles.jsonl, in the shapes real
 * outlets and themes produce, each beside the article an editor reads in it (NN-name.expected.json).
 * Every page goes through `warta parse` itself (the command, in process) and is compared field by field.
 * The report gives the fully-right count per format and, for each page that is not fully right, the
 * fields that differ; the test fails below 100%. See docs/parsing.md ("The labelled corpus").
 */
const CORPUS = join(import.meta.dirname, '../../fixtures/parsing/corpus');
const NOW = '2025-10-22T00:00:00.000Z';
const MIN_PAGES = { raw: 40, wordpress: 20 } as const;

type Format = keyof typeof MIN_PAGES;

/**
 * The fields a user sees in `warta parse` that each format carries; a field the expected file leaves out must be
 * absent (or empty), except `id`: a page that names no post id gets one derived from its URL, which a reader
 * cannot know. Tags are compared as a set (their order carries no meaning).
 */
const FIELDS: Record<Format, string[]> = {
  raw: ['title', 'dateline', 'body', 'relatedHeadlines', 'authors', 'editor', 'copyright', 'correction'],
  wordpress: [
    'id', 'url', 'title', 'summary', 'dateline', 'body', 'relatedHeadlines', 'authors', 'editor', 'copyright', 'correction',
    'section', 'tags', 'publishedAt', 'language', 'images',
  ],
};

interface ParsedArticle {
  bodyText: string;
  authors: { name: string }[];
  [field: string]: unknown;
}

/** Runs `warta parse FILE --now …` and returns its JSON output. */
async function wartaParse(file: string): Promise<{ status: string; article?: ParsedArticle; problems?: unknown }> {
  let out = '';
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        write(chunk.toString('utf8'));
        done();
      },
    });
  await parseCommand([file, '--now', NOW, '--site-url', 'https://jurnalpagi.example'], {
    stdout: sink((s) => (out += s)),
    stderr: sink(() => {}),
    now: () => new Date(NOW),
  });
  return JSON.parse(out) as { status: string; article?: ParsedArticle; problems?: unknown };
}

/** What the user sees of each compared field: the body as its paragraphs, authors as their names. */
function seen(article: ParsedArticle, field: string): unknown {
  if (field === 'body') return article.bodyText.split('\n\n');
  if (field === 'authors') return article.authors.map((a) => a.name);
  if (field === 'tags') return [...(article['tags'] as string[])].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
  return article[field];
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

interface PageResult {
  page: string;
  diffs: string[];
}

async function checkPage(format: Format, page: string): Promise<PageResult> {
  const dir = join(CORPUS, format);
  const expected = JSON.parse(readFileSync(join(dir, `${page}.expected.json`), 'utf8')) as Record<string, unknown>;
  const unknownFields = Object.keys(expected).filter((f) => !FIELDS[format].includes(f));
  if (unknownFields.length > 0) return { page, diffs: [`expected file names fields this format does not compare: ${unknownFields.join(', ')}`] };
  const file = readdirSync(dir).find((f) => f.startsWith(`${page}.`) && !f.endsWith('.expected.json'));
  if (!file) return { page, diffs: ['no page file beside the expected article'] };
  const result = await wartaParse(join(dir, file));
  if (result.status !== 'ok' || !result.article) return { page, diffs: [`refused: ${JSON.stringify(result.problems)}`] };
  const article = result.article;
  const diffs: string[] = [];
  for (const field of FIELDS[format]) {
    const want = expected[field];
    if (field === 'id' && want === undefined) continue;
    const got = seen(article, field);
    if (want === undefined ? isEmpty(got) : isDeepStrictEqual(got, want)) continue;
    diffs.push(describeDiff(field, want, got));
  }
  return { page, diffs };
}

/** A readable field diff: for lists, the items only one side has, in order. */
function describeDiff(field: string, want: unknown, got: unknown): string {
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  if (Array.isArray(want) && Array.isArray(got)) {
    const key = (v: unknown) => JSON.stringify(v);
    const gotKeys = new Set(got.map(key));
    const wantKeys = new Set(want.map(key));
    const missing = want.filter((v) => !gotKeys.has(key(v))).map((v) => `    - ${show(v)}`);
    const extra = got.filter((v) => !wantKeys.has(key(v))).map((v) => `    + ${show(v)}`);
    const order = missing.length === 0 && extra.length === 0 ? ['    (same items, different order or count)'] : [];
    return [`  ${field}: expected ${want.length}, got ${got.length}`, ...missing, ...extra, ...order].join('\n');
  }
  return `  ${field}: expected ${show(want)}, got ${show(got)}`;
}

function pagesOf(format: Format): string[] {
  return readdirSync(join(CORPUS, format))
    .filter((f) => f.endsWith('.expected.json'))
    .map((f) => f.slice(0, -'.expected.json'.length))
    .sort();
}

describe('labelled corpus (tests/fixtures/parsing/corpus): warta parse gets every page fully right', () => {
  const results: Partial<Record<Format, PageResult[]>> = {};

  for (const format of ['raw', 'wordpress'] as const) {
    it(`has at least ${MIN_PAGES[format]} ${format} pages, each with a page file`, () => {
      const pages = pagesOf(format);
      expect(pages.length).toBeGreaterThanOrEqual(MIN_PAGES[format]);
      const files = readdirSync(join(CORPUS, format)).filter((f) => !f.endsWith('.expected.json'));
      expect(files.map((f) => f.replace(/\.[^.]+$/, '')).sort()).toEqual(pages);
    });

    it(`${format}: every page fully right`, async () => {
      const checked = await Promise.all(pagesOf(format).map((page) => checkPage(format, page)));
      results[format] = checked;
      const wrong = checked.filter((r) => r.diffs.length > 0);
      const report = [
        `${format} ${checked.length - wrong.length}/${checked.length} fully right`,
        ...wrong.map((r) => `${format}/${r.page}:\n${r.diffs.join('\n')}`),
      ].join('\n');
      console.log(report);
      expect(wrong.map((r) => r.page), report).toEqual([]);
    });
  }

  afterAll(() => {
    const line = (['raw', 'wordpress'] as const)
      .filter((f) => results[f] !== undefined)
      .map((f) => `${f} ${(results[f] ?? []).filter((r) => r.diffs.length === 0).length}/${(results[f] ?? []).length}`)
      .join(', ');
    console.log(`labelled corpus: ${line} fully right`);
  });
});
