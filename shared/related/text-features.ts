import { StemmerId } from '@nlpjs/lang-id';
// Only the two lists the indexer uses, vendored from stopwords-iso (see shared/text/stopwords/README.md): the
// whole package (every language, 301 KiB) used to be bundled into every function that indexes text.
import stopwordsEn from '../text/stopwords/en.json' with { type: 'json' };
import stopwordsId from '../text/stopwords/id.json' with { type: 'json' };

/**
 * Indonesian text → weighted terms for related-article matching.
 *
 * Dictionary-free on purpose: the Snowball-style stemmer of @nlpjs/lang-id (MIT) rather than
 * Sastrawi, whose dictionary is licensed for non-commercial use only.
 */

/** Lines a news site repeats in every article; they say nothing about its subject. */
const BOILERPLATE_LINE =
  /^\s*(scroll to continue with content|simak (juga )?video\b.*|baca juga\s*:?.*|lihat juga\s*:?.*|advertisement|redaktur\s*:.*|editor\s*:.*|pewarta\s*:.*|hak cipta\b.*|copyright\b.*|tinggalkan balasan|alamat email anda tidak akan dipublikasikan.*|\(\w{2,5}\/\w{2,5}\))\s*$/i;

/**
 * Words frequent in any news story (reporting verbs, days, months, desk words) on top of the
 * stopwords-iso list; left in, they make unrelated articles look alike.
 */
const NEWS_STOPWORDS = [
  'kata', 'ujar', 'ucap', 'tutur', 'ungkap', 'jelas', 'sebut', 'tambah', 'lanjut', 'terang', 'imbuh',
  'mengatakan', 'menjelaskan', 'menyebutkan', 'mengungkapkan', 'menambahkan', 'melanjutkan', 'menuturkan',
  'keterangan', 'keterangannya', 'tertulis', 'dihubungi', 'wartawan', 'dikutip', 'dilansir', 'laman',
  'senin', 'selasa', 'rabu', 'kamis', 'jumat', 'sabtu', 'minggu', 'pekan', 'hari', 'tanggal', 'pukul', 'wib', 'wita', 'wit',
  'januari', 'februari', 'maret', 'april', 'mei', 'juni', 'juli', 'agustus', 'september', 'oktober', 'november', 'desember',
  'scroll', 'continue', 'with', 'content', 'simak', 'video', 'foto', 'baca', 'detikcom', 'detik', 'antara', 'kompas',
  'tahun', 'bulan', 'kali', 'orang', 'pihak', 'hal', 'salah', 'satu', 'dua', 'tiga', 'sejumlah', 'tersebut', 'yakni',
  'nya', 'pun', 'lah', 'kah', 'tak', 'tidak', 'bukan', 'sudah', 'telah', 'akan', 'bisa', 'dapat', 'harus', 'juga',
];

const STOPWORDS: ReadonlySet<string> = new Set([...stopwordsId, ...stopwordsEn, ...NEWS_STOPWORDS]);

/** Words the stemmer over-strips into an unrelated word ("pemilu" → "pilu", "menteri" → "teri"). */
const PROTECTED = new Set(['pemilu', 'menteri', 'pemerintah', 'presiden', 'polisi', 'polri', 'pajak', 'banjir']);

const stemmer = new StemmerId().innerStemmer;
const stemCache = new Map<string, string>();
const STEM_CACHE_LIMIT = 200_000;

function stem(word: string): string {
  if (PROTECTED.has(word) || /\d/.test(word) || word.length <= 4) return word;
  let s = stemCache.get(word);
  if (s === undefined) {
    s = stemmer.stemWord(word);
    if (s.length < 3) s = word;
    if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

const TOKEN = /[\p{L}\p{N}]+(?:[-'][\p{L}\p{N}]+)*/gu;

interface RawToken {
  text: string;
  lower: string;
  sentenceStart: boolean;
}

function rawTokens(text: string): RawToken[] {
  const out: RawToken[] = [];
  let lastEnd = 0;
  let sentenceStart = true;
  for (const m of text.matchAll(TOKEN)) {
    const between = text.slice(lastEnd, m.index);
    if (/[.!?:;"“”\n]/.test(between)) sentenceStart = true;
    out.push({ text: m[0], lower: m[0].toLowerCase(), sentenceStart });
    sentenceStart = false;
    lastEnd = m.index + m[0].length;
  }
  return out;
}

/** Drops boilerplate lines (see BOILERPLATE_LINE) from plain article text. */
export function stripBoilerplate(text: string): string {
  return text
    .split('\n')
    .filter((line) => !BOILERPLATE_LINE.test(line))
    .join('\n');
}

/**
 * Turns one token into its index term, or undefined when it carries no subject.
 * Names (capitalized inside sentences of the body, never lowercase) are kept unstemmed so the
 * stemmer cannot merge a person's name with an unrelated common word; numbers of two or more
 * digits are kept (years, statute numbers, casualty counts tell stories apart).
 */
function termOf(lower: string, names: ReadonlySet<string>): string | undefined {
  // "masyarakat-nya", "kota-kota": reduplication and clitics fold onto the first part.
  const base = lower.includes('-') ? (lower.split('-')[0] ?? lower) : lower;
  if (/^\d+$/.test(base)) return base.length >= 2 && base.length <= 4 ? base : undefined;
  // Over-long tokens (pasted codes, URLs without separators) are noise and would make oversized keys.
  if (base.length < 3 || base.length > 40 || STOPWORDS.has(base)) return undefined;
  if (names.has(base)) return base;
  const s = stem(base);
  return STOPWORDS.has(s) ? undefined : s;
}

/** Lowercase forms that the body writes capitalized mid-sentence and never in lowercase: proper names. */
function nameForms(body: RawToken[]): Set<string> {
  const capitalized = new Set<string>();
  const lowercase = new Set<string>();
  for (const t of body) {
    const first = t.text.charAt(0);
    if (first !== first.toLowerCase()) {
      if (!t.sentenceStart) capitalized.add(t.lower);
    } else {
      lowercase.add(t.lower);
    }
  }
  for (const l of lowercase) capitalized.delete(l);
  return capitalized;
}

/** Term counts of one article, titles counted `titleWeight` times. */
export interface TermCounts {
  counts: Map<string, number>;
  titleTerms: string[];
}

/** How many times a title term counts against one body occurrence. */
export const TITLE_WEIGHT = 3;

/** Index terms of a title and body, with title terms weighted above body terms. */
export function termCounts(title: string, bodyText: string): TermCounts {
  const body = rawTokens(stripBoilerplate(bodyText));
  const names = nameForms(body);
  const counts = new Map<string, number>();
  const titleTerms: string[] = [];
  for (const t of rawTokens(title)) {
    const term = termOf(t.lower, names);
    if (term === undefined) continue;
    titleTerms.push(term);
    counts.set(term, (counts.get(term) ?? 0) + TITLE_WEIGHT);
  }
  for (const t of body) {
    const term = termOf(t.lower, names);
    if (term !== undefined) counts.set(term, (counts.get(term) ?? 0) + 1);
  }
  return { counts, titleTerms };
}

/** Terms of a short text such as a headline, stemmed like article terms, in order, duplicates removed. */
export function headlineTerms(text: string): string[] {
  const terms = rawTokens(text)
    .map((t) => termOf(t.lower, new Set()))
    .filter((t): t is string => t !== undefined);
  return [...new Set(terms)];
}

/**
 * Title terms (in `headlineTerms` form) that the body uses as proper names: places, people,
 * institutions. Two reports sharing such a title term are about one concrete event rather than one theme.
 */
export function titleNameTerms(title: string, bodyText: string): string[] {
  const names = nameForms(rawTokens(stripBoilerplate(bodyText)));
  const out = rawTokens(title)
    .filter((t) => names.has(t.lower))
    .map((t) => termOf(t.lower, new Set()))
    .filter((t): t is string => t !== undefined);
  return [...new Set(out)];
}

/** Normalized title used for exact title lookups: lowercase, accents folded, words joined by single spaces. */
export function titleKey(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .slice(0, 200);
}
