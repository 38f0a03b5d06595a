import { describe, expect, it } from 'vitest';
import { headlineTerms, stripBoilerplate, termCounts, TITLE_WEIGHT, titleKey, titleNameTerms } from '../../../shared/related/text-features.js';
import { buildVector, cosine, decodeVector, encodeVector } from '../../../shared/related/term-vector.js';
import { postingSk, titleSimilarity } from '../../../shared/related/related-index.js';

describe('Indonesian text features', () => {
  it('stems affixed words, drops stopwords and reporting verbs, keeps numbers', () => {
    const { counts } = termCounts('Judul', 'Kementerian mengoordinasikan keamanan pemilihan 2024, kata Menteri, yang juga mengatakan 13 korban.');
    expect([...counts.keys()]).toEqual(expect.arrayContaining(['oordinasi', 'aman', 'pilih', '2024', '13', 'menteri']));
    for (const dropped of ['yang', 'juga', 'kata', 'mengatakan']) expect(counts.has(dropped)).toBe(false);
  });

  it('keeps proper names unstemmed and counts title terms above body terms', () => {
    const { counts, titleTerms } = termCounts('Banjir di Semarang', 'Warga kota Semarang mengungsi. Banjir datang lagi di Semarang.');
    expect(counts.get('semarang')).toBe(TITLE_WEIGHT + 2);
    expect(counts.get('banjir')).toBe(TITLE_WEIGHT + 1);
    expect(titleTerms).toEqual(['banjir', 'semarang']);
    expect(titleNameTerms('Banjir di Semarang', 'Warga kota Semarang mengungsi karena banjir.')).toEqual([headlineTerms('Semarang')[0]]);
  });

  it('removes the boilerplate lines a news site repeats in every article', () => {
    const text = 'Paragraf pertama.\nSCROLL TO CONTINUE WITH CONTENT\nSimak juga Video: Banjir di Jakarta\nBaca juga: Judul lain\nParagraf kedua.';
    expect(stripBoilerplate(text)).toBe('Paragraf pertama.\nParagraf kedua.');
  });

  it('normalizes titles for exact lookup and compares reworded titles', () => {
    expect(titleKey('  Platform Média: sosial!  ')).toBe('platform media sosial');
    const a = headlineTerms('Platform media sosial bertanggung jawab atasi misinformasi pemilu');
    const b = headlineTerms('Misinformasi pemilu, platform media sosial ikut bertanggung jawab');
    expect(titleSimilarity(a, b)).toBeGreaterThan(0.8);
    expect(titleSimilarity(a, headlineTerms('Harga cabai naik'))).toBe(0);
  });
});

describe('term vectors and postings', () => {
  it('weights rare terms above common ones, normalizes, and survives a round trip through its stored form', () => {
    const v = buildVector(new Map([['banjir', 3], ['warga', 3]]), new Map([['banjir', 1], ['warga', 90]]), 100, 40);
    expect((v.get('banjir') ?? 0) > (v.get('warga') ?? 0)).toBe(true);
    expect(cosine(v, v)).toBeCloseTo(1, 3);
    expect(decodeVector(encodeVector(v))).toEqual(v);
  });

  it('sorts postings strongest first', () => {
    const keys = [postingSk(0.05, 'a'), postingSk(0.9, 'b'), postingSk(0.3, 'c')].sort();
    expect(keys.map((k) => k.slice(5))).toEqual(['b', 'c', 'a']);
  });
});
