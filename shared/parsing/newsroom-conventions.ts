import stopwordsEn from '../text/stopwords/en.json' with { type: 'json' };
import stopwordsId from '../text/stopwords/id.json' with { type: 'json' };
import type { Dateline, RelatedHeadline } from '../model/article.js';

/**
 * Newsroom conventions shared by every parser of the outlet's material (raw text export,
 * WordPress pages): datelines, editor and reporter credits, copyright lines, inline
 * "read also" headlines and CMS boilerplate. Each rule looks at one line or paragraph of
 * plain text, so both parsers apply exactly the same judgement.
 */

/** Non-breaking and other exotic spaces CMS exports leave behind, plus the BOM. */
const EXOTIC_SPACE = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;
const INVISIBLE = /[\ufeff\u200b-\u200d\u2060]/g;

/** Trims a line and turns exotic spaces into plain ones and runs of spaces into one. */
export function cleanLine(line: string): string {
  return line.replace(INVISIBLE, '').replace(EXOTIC_SPACE, ' ').replace(/[ \t]+/g, ' ').trim();
}

/** Escapes text for use inside an HTML element or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const PLACE_WORD = String.raw`\p{Lu}[\p{L}'’.]*`;
// Lower-case particles inside foreign place names: "Rio de Janeiro", "Dar es Salaam", "Den Haag" needs none.
const PLACE_PARTICLE = String.raw`(?:de|da|do|dos|das|del|della|es|el|al|van|von|der|den|la|le) `;
// "Jakarta", "Banda Aceh", "Tanjung Pinang", "JAKARTA"; four words covers "Kota Baru Parahyangan"-like names.
const PLACE = String.raw`(${PLACE_WORD}(?: (?:${PLACE_PARTICLE})?${PLACE_WORD}){0,3})`;
// Dates wire services put after the place: "5/2", "5/2/2024", "Rabu (7/2)", "Rabu, 7 Februari 2024".
const DATE = String.raw`(?:,\s*(?:\p{L}+,?\s+)?(?:\(?\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\)?|\d{1,2}\s+\p{L}+(?:\s+\d{4})?))`;
const SOURCE = String.raw`(?:\s*\(([^()]{1,40})\))`;
// Outlets that name themselves by their domain after a comma: "JAKARTA, KOMPAS.com –", "Medan, Tribun-Medan.com -".
// Only a domain-shaped name counts: "Surabaya, Jawa Timur –" names a province, not an outlet.
const DOMAIN_SOURCE = String.raw`(?:,\s*([\p{L}\p{N}][\p{L}\p{N}-]*(?:\.[a-z]{2,6}){1,2}))`;
// A spaced hyphen, a double hyphen, or an en/em dash with or without spaces.
const DASH = String.raw`(?:\s*(?:--|[–—])\s*|\s+-\s+|(?<=\))\s*-\s*)`;
const DATELINE = new RegExp(String.raw`^${PLACE}(?:${DATE}?${SOURCE}?|${DOMAIN_SOURCE})${DASH}(?=\S)`, 'u');

/** What a dateline split finds: the dateline and the length of the prefix it occupied. */
export interface DatelineMatch {
  dateline: Dateline;
  /** Number of characters of the input the dateline and its dash take up. */
  length: number;
}

/**
 * Finds a wire-style dateline ("Jakarta (JurnalPagi) – ", "BANDA ACEH, 5/2 (Outlet) - ")
 * opening a paragraph. ALL-CAPS places become Title Case; other places keep the given case.
 */
export function matchDateline(paragraph: string): DatelineMatch | undefined {
  const m = DATELINE.exec(paragraph);
  if (!m) return undefined;
  const place = normalizePlace(m[1] ?? '');
  if (!place) return undefined;
  const source = (m[2] ?? m[3])?.trim();
  const dateline: Dateline = source ? { place, source } : { place };
  return { dateline, length: m[0].length };
}

function normalizePlace(place: string): string {
  const trimmed = place.trim();
  const letters = trimmed.replace(/[^\p{L}]/gu, '');
  if (letters.length > 1 && letters === letters.toUpperCase()) {
    return trimmed
      .toLowerCase()
      .replace(/(^|[\s'’-])(\p{L})/gu, (_all, sep: string, ch: string) => sep + ch.toUpperCase());
  }
  return trimmed;
}

/**
 * A credit line's meaning: who edited the piece, or who reported it ("Penulis/Editor: X" names one person
 * for both: `alsoEditor`).
 */
export type Credit = { kind: 'editor'; name: string } | { kind: 'reporter'; names: string[]; alsoEditor?: true };

const EDITOR_WORD = String.raw`(?:redaktur|editor|penyunting|editing|redaksi)`;
const REPORTER_WORD = String.raw`(?:pewarta|reporter|penulis|wartawan|kontributor)`;
const EDITOR_LABEL = new RegExp(String.raw`^${EDITOR_WORD}\s*:\s*(.+)$`, 'iu');
const REPORTER_LABEL = new RegExp(String.raw`^${REPORTER_WORD}\s*:\s*(.+)$`, 'iu');
/** "Penulis/Editor: X", "Reporter & Editor: X": one person wrote and edited the piece. */
const REPORTER_EDITOR_LABEL = new RegExp(String.raw`^${REPORTER_WORD}\s*(?:/|&|dan|and)\s*${EDITOR_WORD}\s*:\s*(.+)$`, 'iu');
const PAREN_EDITOR = /^\(\s*(?:red|editor|redaktur)\s*[:/.]\s*([^()]+?)\s*\)$/iu;
/** The desk's initials closing a wire story: "(ant/rdp)", "(idn/imk)"; kept as written, they are codes, not names. */
const PAREN_INITIALS = /^\(\s*(\p{Ll}{2,5}(?:\s*\/\s*\p{Ll}{2,5})+)\s*\)$/u;

/**
 * Reads an editor or reporter credit line ("Redaktur : Siti Zulikha", "(Red: X)", "Pewarta: A, B").
 * Credits are short; anything longer is prose that happens to start with the word.
 */
export function matchCredit(line: string): Credit | undefined {
  if (line.length > 100) return undefined;
  const paren = PAREN_EDITOR.exec(line);
  if (paren?.[1]) return { kind: 'editor', name: tidyNames(paren[1]) };
  const initials = PAREN_INITIALS.exec(line);
  if (initials?.[1]) return { kind: 'editor', name: initials[1].replace(/\s+/g, '') };
  const both = REPORTER_EDITOR_LABEL.exec(line);
  if (both?.[1]) {
    const names = splitNames(both[1]);
    if (names.length > 0) return { kind: 'reporter', names, alsoEditor: true };
  }
  const editor = EDITOR_LABEL.exec(line);
  if (editor?.[1]) return { kind: 'editor', name: tidyNames(editor[1]) };
  const reporter = REPORTER_LABEL.exec(line);
  if (reporter?.[1]) {
    const names = splitNames(reporter[1]);
    if (names.length > 0) return { kind: 'reporter', names };
  }
  return undefined;
}

function splitNames(names: string): string[] {
  return names
    .split(/\s*(?:,|\/|&|\bdan\b)\s*/u)
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
}

/** "X/Y" and "X /  Y" are the same two editors; keep them as one readable string. */
function tidyNames(names: string): string {
  return names.trim().replace(/\s*\/\s*/g, ' / ');
}

const COPYRIGHT = /^(?:hak\s+cipta\b|copyright\b|©|\(c\)\s)|hak\s+cipta\s+dilindungi/iu;

/** True for a copyright notice line ("Hak Cipta © JurnalPagi 2024", "(c) Outlet 2024"). */
export function isCopyrightLine(line: string): boolean {
  return line.length <= 160 && COPYRIGHT.test(line);
}

// Headings that open the CMS comment form: everything after them is the form or other readers' text.
const COMMENT_FORM_HEADINGS = [
  /^tinggalkan (?:balasan|komentar)\b/iu,
  /^leave a (?:reply|comment)\b/iu,
  /^(?:\d+\s+)?(?:komentar|comments?)\s*(?:\(\d+\))?\s*:?$/iu,
  /^tulis komentar\b/iu,
];

const BOILERPLATE = [
  /^alamat email anda tidak akan dipublikasikan/iu,
  /^your email address will not be published/iu,
  /^ruas yang wajib ditandai/iu,
  /^required fields are marked/iu,
  /^(?:nama|name|email|e-mail|situs web|website|komentar|comment)\s*\*?$/iu,
  /^simpan nama, email,? dan situs web saya/iu,
  /^save my name, email,? and website/iu,
  /^(?:kirim komentar|post comment|kirim)$/iu,
  /^(?:bagikan|share this|share|bagikan artikel ini|sebarkan)\s*:?$/iu,
  /^scroll to continue with content$/iu,
  // Video promos ("Simak juga Video: …", "Tonton juga video "…" di sini:", "Saksikan Live …"): the video is not in the text.
  /^(?:simak|tonton|lihat|saksikan)(?:\s+juga)?\s+(?:video|live)\b/iu,
  /^(?:advertisement|iklan|adv|sponsored)$/iu,
  /^(?:suka ini|like this|memuat\.{0,3}|loading\.{0,3})\s*:?$/iu,
];

// Button labels of share widgets that survive a text export; only dropped right after a share prompt.
const SHARE_TARGET = /^(?:facebook|twitter|x|whatsapp|telegram|linkedin|line|pinterest|e-?mail|email|cetak|print|salin tautan|copy link|lainnya|more)$/iu;
const SHARE_PROMPT = /^(?:bagikan|share this|share|bagikan artikel ini|sebarkan)\s*:?$/iu;

/** True for the heading that opens the CMS comment form ("Tinggalkan Balasan", "Leave a Reply"). */
export function isCommentFormHeading(line: string): boolean {
  return COMMENT_FORM_HEADINGS.some((re) => re.test(line));
}

/** True for CMS or ad boilerplate that is never article text. */
export function isBoilerplate(line: string): boolean {
  return BOILERPLATE.some((re) => re.test(line));
}

/** True for a share prompt ("Bagikan:"), after which share-button labels are dropped. */
export function isSharePrompt(line: string): boolean {
  return SHARE_PROMPT.test(line);
}

/** True for one share button's label ("WhatsApp", "Cetak"). */
export function isShareTarget(line: string): boolean {
  return SHARE_TARGET.test(line);
}

/**
 * Labels editors put before a related headline. Only these (and the outlet names a caller adds, such as
 * the dateline's source) make the text before a colon a label: in "Revisi UU Pers: Dewan Minta Masukan
 * Publik" the part before the colon is the headline's own text.
 */
const KNOWN_LABELS = [
  'baca juga', 'baca', 'lihat juga', 'simak juga', 'tonton juga', 'artikel terkait', 'berita terkait',
  'baca selengkapnya', 'read also', 'read more', 'see also', 'related',
  // The sample outlet's own label for its stories.
  'tulisdem',
];
/** Closing punctuation of a sentence or clause; "?" and "!" end headlines too, so they are not here. */
const SENTENCE_END = /[.,;:…”"'’]$/u;
const OPENING_QUOTE = /^[“"'‘«„]/u;
/** A list item: "1. …", "2) …", "a. …", "● …", "• …", "- …", "* …" (an author's footnote starts with "*" too). */
const LIST_ITEM = /^(?:\(?\d{1,3}[.)]|\(?[a-z][.)]|[●•▪◦■□➢►✓✔·*\-–—])(?:\s|$)/u;
/** A listed company's line: "PT Aneka Tambang Tbk (ANTM)". */
const COMPANY_WITH_TICKER = /\b(?:Tbk\.?|\([A-Z]{4}\))(?:\s|$)/u;
const MAX_HEADLINE_WORDS = 16;
const MAX_HEADLINE_CHARS = 140;

function normalizeLabel(label: string): string {
  return cleanLine(label).toLowerCase();
}

/** True when `label` is a usual "read also" label or one of `outletLabels`. */
export function isKnownHeadlineLabel(label: string, outletLabels: readonly string[] = []): boolean {
  const key = normalizeLabel(label);
  return KNOWN_LABELS.includes(key) || outletLabels.some((l) => normalizeLabel(l) === key);
}

/** The label and the text after it when `line` opens with a known label and a colon ("Baca juga: X"). */
export function splitHeadlineLabel(line: string, outletLabels: readonly string[] = []): { label: string; text: string } | undefined {
  const m = /^([\p{L}][\p{L}\p{N} ]{0,30}?)\s*:\s*(.*)$/u.exec(line);
  if (!m?.[1] || m[2] === undefined || !isKnownHeadlineLabel(m[1], outletLabels)) return undefined;
  return { label: tidyLabel(m[1].trim()), text: m[2].trim() };
}

/**
 * The tidied label when `text` is nothing but a known read-also label, with or without its colon ("Baca Juga",
 * "BACA JUGA :"): in HTML the markup can set the label apart from its links instead of a colon.
 */
export function readAloneHeadlineLabel(text: string, outletLabels: readonly string[] = []): string | undefined {
  const label = cleanLine(text).replace(/\s*:$/u, '');
  return label.length > 0 && isKnownHeadlineLabel(label, outletLabels) ? tidyLabel(label) : undefined;
}

/** True for a list item ("1. Salinan akta …", "● Bunga 3 persen", "* Penulis adalah …"). */
export function isListItem(line: string): boolean {
  return LIST_ITEM.test(line);
}

/**
 * Whether `text` has a headline's shape: at least `minWords` and at most 16 words, 140 characters, not a
 * quotation, not a list item, and no closing punctuation of a sentence. "?" and "!" end Indonesian
 * headlines often ("Apa Kata Warga Soal Tarif Baru?"), so they do not disqualify.
 */
export function hasHeadlineShape(text: string, minWords = 3): boolean {
  if (text.length === 0 || text.length > MAX_HEADLINE_CHARS) return false;
  if (OPENING_QUOTE.test(text) || isListItem(text)) return false;
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  if (words.length < minWords || words.length > MAX_HEADLINE_WORDS) return false;
  // Two sentences are a paragraph, not a headline ("Itulah infonya. Semoga bermanfaat!").
  if (hasSentenceBoundary(text)) return false;
  // "»" and similar arrows often trail a linked headline; they are decoration, not punctuation.
  return !SENTENCE_END.test(stripTrailingMarks(text));
}

/** Titles and abbreviations a period follows inside a headline ("Prof. Ani", "Jl. Sudirman"). */
const ABBREVIATION = /^(?:prof|drs?|dra|ir|jl|jln|no|hj?|kh|st|tbk|mr|mrs|ms|vs|dll|dsb|sdr|bpk|kol|brigjen|mayjen|letjen|jend)$/iu;

/** True when `text` holds a full stop followed by another sentence ("?" and "!" do occur inside headlines: "Kabar Baik! Bansos Cair"). */
function hasSentenceBoundary(text: string): boolean {
  for (const m of text.matchAll(/([\p{L}\p{N}]+)\.\s+(?=[\p{Lu}“"])/gu)) {
    const word = m[1] ?? '';
    if (word.length >= 2 && !ABBREVIATION.test(word) && !/^\p{Lu}$/u.test(word)) return true;
  }
  return false;
}

/**
 * Reads an editor's inline related headline ("Baca juga: X", "Tulisdem: X" or a bare short line).
 * A labelled headline needs one word after a known label; a bare one needs the headline shape with
 * at least three words, so stray fragments ("Bersambung") stay body text. Whether a bare line is a
 * headline or a subheading depends on where it stands: that is the caller's judgement.
 */
export function matchRelatedHeadline(line: string, outletLabels: readonly string[] = []): RelatedHeadline | undefined {
  const labelled = splitHeadlineLabel(line, outletLabels);
  if (labelled) {
    return hasHeadlineShape(labelled.text, 1) ? { text: stripTrailingMarks(labelled.text), label: labelled.label } : undefined;
  }
  return hasHeadlineShape(line, 3) ? { text: stripTrailingMarks(line) } : undefined;
}

const STOPWORDS = new Set<string>([...stopwordsId, ...stopwordsEn]);

/** The words of `text` that carry its subject: lower case, four letters or more, no stopwords. */
export function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length >= 4 && !STOPWORDS.has(w));
}

/** Same word, or the same stem under Indonesian affixes ("tarif"/"tarifnya", "pompa"/"pompanya") by a shared 5-letter start. */
function sameWord(a: string, b: string): boolean {
  return a === b || (a.length >= 5 && b.length >= 5 && a.slice(0, 5) === b.slice(0, 5));
}

/** Most words a subheading has ("Pesan Prabowo ke Kejaksaan"); a longer bare line between paragraphs is another story's headline. */
const MAX_SUBHEADING_WORDS = 8;
/** How many paragraphs after a line count as the section it would open. */
export const SECTION_PARAGRAPHS = 2;

/**
 * Whether a short line reads as a subheading of its own article rather than a headline of another story:
 * it has at most eight words, and at least half of its subject words recur in the article's title or in the
 * section it opens (the next two paragraphs). A reader does the same: "Tidur Bareng Mayat Semalaman" under
 * the title "… Digorok 3 Kali-Tidur Bareng Mayat" is a section of that story; "Kematangan demokrasi tercermin
 * di ruang digital pemilu 2024" between paragraphs about platform moderation is another story.
 * A company line with its ticker ("PT Bank Jago Tbk (ARTO)") is a subheading of a market round-up.
 */
export function isSubheading(line: string, title: string, section: readonly string[]): boolean {
  if (COMPANY_WITH_TICKER.test(line)) return true;
  if (section.length === 0) return false;
  if (line.split(/\s+/).filter((w) => w.length > 0).length > MAX_SUBHEADING_WORDS) return false;
  return sharesSubject(line, [title, ...section.slice(0, SECTION_PARAGRAPHS)].join(' '));
}

/** Whether at least half (and at least one) of `line`'s subject words recur in `text`. */
export function sharesSubject(line: string, text: string): boolean {
  const own = [...new Set(contentWords(line))];
  if (own.length === 0) return false;
  const other = contentWords(text);
  const shared = own.filter((w) => other.some((o) => sameWord(w, o))).length;
  return shared >= 1 && shared * 2 >= own.length;
}

/** Whether `line` shares any subject word with `text` ("Total aset yang disita …" after a list of what was seized). */
export function mentionsSubjectOf(line: string, text: string): boolean {
  const other = contentWords(text);
  return contentWords(line).some((w) => other.some((o) => sameWord(w, o)));
}

function stripTrailingMarks(text: string): string {
  return text.replace(/\s*[»›→]+$/u, '').trim();
}

/** "BACA JUGA" and "Baca Juga" read as "Baca juga"; an outlet's own label ("Tulisdem") keeps its spelling. */
function tidyLabel(label: string): string {
  if (!KNOWN_LABELS.includes(normalizeLabel(label)) && label !== label.toUpperCase()) return label;
  if (normalizeLabel(label) === 'tulisdem' && label !== label.toUpperCase()) return label;
  const lower = label.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}
