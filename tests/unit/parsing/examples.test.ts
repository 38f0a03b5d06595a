import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ArticleDraftSchema, type ArticleDraft, type ParsedDraft } from '../../../shared/model/article.js';
import { parseRawText } from '../../../shared/parsing/raw-text.js';
import { parseWordPressHtml } from '../../../shared/parsing/wordpress-html.js';

const dir = fileURLToPath(new URL('../../../examples/articles/', import.meta.url));
const SAMPLE = '000_1274e15701f62eef.txt';

function parseFile(name: string): ArticleDraft {
  const text = readFileSync(`${dir}${name}`, 'utf8');
  if (name.endsWith('.json')) return JSON.parse(text) as ArticleDraft;
  if (name.endsWith('.html')) return parseWordPressHtml(text);
  // Raw text carries no id; like a file drop, the file name's stem is the id.
  return { ...parseRawText(text), id: name.replace(/\.txt$/, '') };
}

const files = readdirSync(dir).filter((f) => /\.(json|txt|html)$/.test(f)).sort();
const drafts = new Map<string, ParsedDraft>();
for (const file of files) {
  const result = ArticleDraftSchema.safeParse(parseFile(file));
  if (result.success) drafts.set(file, result.data);
}
const written = [...drafts.entries()].filter(([file]) => file !== SAMPLE).map(([, d]) => d);
const byTitle = new Map(written.map((d) => [d.title, d]));

describe('examples/articles', () => {
  it('has at least 32 written articles in the three formats, each valid, plus the sample', () => {
    const invalid = files.filter((f) => !drafts.has(f));
    expect(invalid).toEqual([]);
    expect(files).toContain(SAMPLE);
    expect(written.length).toBeGreaterThanOrEqual(32);
    expect(files.filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(20);
    expect(files.filter((f) => f.endsWith('.txt') && f !== SAMPLE).length).toBeGreaterThanOrEqual(4);
    expect(files.filter((f) => f.endsWith('.html')).length).toBeGreaterThanOrEqual(3);
  });

  it('keeps the sample byte for byte as the outlet sent it', () => {
    const sample = readFileSync(`${dir}${SAMPLE}`, 'utf8');
    expect(sample.startsWith('Kementerian Komunikasi dan Informatika mengoordinasikan platform')).toBe(true);
    expect(sample.endsWith('Ruas yang wajib ditandai *')).toBe(true);
  });

  it('uses unique lowercase ids, 4-10 body paragraphs and Indonesian', () => {
    const ids = [...drafts.values()].map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of written) {
      expect(d.id, d.title).toMatch(/^[a-z0-9-]+$/);
      const paragraphs = (d.bodyHtml.match(/<p>/g) ?? []).length;
      expect(paragraphs, d.id).toBeGreaterThanOrEqual(4);
      expect(paragraphs, d.id).toBeLessThanOrEqual(10);
      expect(d.language, d.id).toBe('id');
    }
  });

  it('spreads over about five sections, fifteen reused tags and six bylines', () => {
    const sections = new Set(written.map((d) => d.section).filter((s) => s !== undefined));
    expect(sections.size).toBeGreaterThanOrEqual(5);
    const tagUse = new Map<string, number>();
    for (const d of written) for (const t of d.tags) tagUse.set(t, (tagUse.get(t) ?? 0) + 1);
    expect([...tagUse.values()].filter((n) => n >= 2).length).toBeGreaterThanOrEqual(16);
    const authors = new Set(written.flatMap((d) => d.authors.map((a) => a.name)));
    expect(authors.size).toBeGreaterThanOrEqual(6);
  });

  it('dates every dated article between 1 and 14 February 2024 with https images on the outlet', () => {
    const dated = written.filter((d) => d.publishedAt !== undefined);
    expect(dated.length).toBeGreaterThanOrEqual(28);
    for (const d of dated) {
      const t = Date.parse(d.publishedAt ?? '');
      expect(t, d.id).toBeGreaterThanOrEqual(Date.parse('2024-02-01T00:00:00+07:00'));
      expect(t, d.id).toBeLessThan(Date.parse('2024-02-15T00:00:00+07:00'));
    }
    for (const image of written.flatMap((d) => d.images)) expect(image.url).toMatch(/^https:\/\/jurnalpagi\.example\//);
  });

  it('has articles titled after the sample inline headlines', () => {
    const sample = drafts.get(SAMPLE);
    expect(sample?.relatedHeadlines).toHaveLength(3);
    for (const headline of sample?.relatedHeadlines ?? []) {
      const target = byTitle.get(headline.text);
      expect(target, headline.text).toBeDefined();
      expect(['Politik', 'Teknologi']).toContain(target?.section);
    }
  });

  it('has one three-article story about the Semarang flood from three authors', () => {
    const story = written.filter((d) => d.tags.includes('Banjir') && d.dateline?.place === 'Semarang');
    expect(story).toHaveLength(3);
    expect(new Set(story.map((d) => d.authors[0]?.name)).size).toBe(3);
  });
});
