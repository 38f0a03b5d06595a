/**
 * Correction notes ("Koreksi: …", "Ralat: …"): what a newsroom adds when it corrects a published
 * article. The note travels in `Article.correction` (Warta JSON `correction`, or a paragraph with
 * one of these labels found by the parsers) and is shown above the article text in feeds and ninjs.
 */

/** "Koreksi:" or "Ralat:" opening a paragraph, in any case, optionally starred or bracketed as editors do. */
const CORRECTION_PARAGRAPH = /^[*([]?\s*(koreksi|ralat)\s*:\s*(\S.*?)\s*[)\]]?$/iu;

/** The note of a paragraph that is a correction notice (the whole paragraph, label included), else undefined. */
export function matchCorrectionNote(paragraph: string): string | undefined {
  const match = CORRECTION_PARAGRAPH.exec(paragraph.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return `${tidyLabel(match[1])}: ${match[2]}`;
}

/** The label and text of a note; a note given without a label (Warta JSON) reads as "Koreksi". */
export function splitCorrectionNote(note: string): { label: string; text: string } {
  const match = /^(koreksi|ralat)\s*:\s*(.*)$/isu.exec(note.trim());
  if (match?.[1] && match[2]) return { label: tidyLabel(match[1]), text: match[2].trim() };
  return { label: 'Koreksi', text: note.trim() };
}

/** The note as plain text with its label, e.g. "Ralat: Nama narasumber sebelumnya salah ditulis." */
export function correctionNoteText(note: string): string {
  const { label, text } = splitCorrectionNote(note);
  return `${label}: ${text}`;
}

/** The note as the HTML paragraph shown above the article text. */
export function correctionNoteHtml(note: string): string {
  const { label, text } = splitCorrectionNote(note);
  return `<p class="warta-correction"><strong>${escape(label)}:</strong> ${escape(text)}</p>`;
}

function tidyLabel(label: string): string {
  const lower = label.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
