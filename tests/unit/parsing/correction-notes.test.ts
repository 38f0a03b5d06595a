import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { correctionNoteHtml, matchCorrectionNote } from '../../../shared/article/correction.js';
import { parseArticleInput } from '../../../shared/parsing/parse-input.js';
import { parseRawText } from '../../../shared/parsing/raw-text.js';
import { parseWordPressHtml } from '../../../shared/parsing/wordpress-html.js';

const P1 = 'Pemerintah kota menyiapkan 40 pompa air tambahan untuk menghadapi puncak musim hujan tahun ini.';
const P2 = 'Kepala dinas pekerjaan umum mengatakan pompa itu akan ditempatkan di enam titik rawan genangan.';
const P3 = 'Warga diminta melapor melalui layanan pengaduan bila genangan tidak surut dalam dua jam.';

/** Note text an editor could write: words with punctuation, never a line break. */
const noteText = fc
  .array(fc.stringMatching(/^[A-Za-z0-9À-ž“”’,.;&<>()–-]{1,12}$/), { minLength: 1, maxLength: 25 })
  .map((words) => words.join(' '))
  .filter((text) => /^\S/.test(text) && !/^[)\]]+$/.test(text));
const label = fc.constantFrom('Koreksi', 'Ralat', 'KOREKSI', 'ralat', 'Koreksi ');

describe('correction notes in the raw text export', () => {
  it('takes a "Koreksi:"/"Ralat:" paragraph out of the body, wherever it sits, and keeps its label', () => {
    fc.assert(
      fc.property(label, noteText, fc.integer({ min: 0, max: 3 }), (lab, text, position) => {
        const body = [P1, P2, P3];
        body.splice(position, 0, `${lab}: ${text}`);
        const draft = parseRawText(['Pompa air tambahan untuk musim hujan', '', ...body.flatMap((p) => [p, ''])].join('\n'));
        const expectedLabel = lab.trim().charAt(0).toUpperCase() + lab.trim().slice(1).toLowerCase();
        expect(draft.correction).toBe(`${expectedLabel}: ${text.replace(/\s+/g, ' ').trim().replace(/[)\]]$/, '').trim()}`);
        expect(draft.bodyHtml).not.toMatch(/Koreksi|Ralat/i);
        expect(draft.bodyHtml.match(/<p>/g)).toHaveLength(3);
      }),
      { numRuns: 60 },
    );
  });

  it('leaves a paragraph that only mentions a correction in the body', () => {
    const draft = parseRawText(['Judul berita', '', P1, '', 'Koreksi atas laporan itu disampaikan kemarin oleh kepala dinas.', '', P2].join('\n'));
    expect(draft.correction).toBeUndefined();
    expect(draft.bodyHtml).toContain('Koreksi atas laporan itu');
  });
});

describe('correction notes in a WordPress page and in Warta JSON', () => {
  it('reads a bold "Ralat:" paragraph of the entry content', () => {
    const html = `<!doctype html><html lang="id"><head><title>Pompa air</title></head><body><article class="post">
      <h1 class="entry-title">Pompa air tambahan untuk musim hujan</h1>
      <time class="entry-date published" datetime="2024-02-07T09:30:00+07:00">7 Februari 2024</time>
      <div class="entry-content">
        <p><em><strong>Ralat:</strong> Jumlah pompa sebelumnya ditulis 14; yang benar 40.</em></p>
        <p>${P1}</p><p>${P2}</p>
      </div></article></body></html>`;
    const draft = parseWordPressHtml(html);
    expect(draft.correction).toBe('Ralat: Jumlah pompa sebelumnya ditulis 14; yang benar 40.');
    expect(draft.bodyHtml).not.toContain('Ralat');
    expect(draft.bodyHtml).toContain('40 pompa air');
  });

  it('takes `correction` from Warta JSON as given', () => {
    const result = parseArticleInput({
      body: JSON.stringify({ title: 'Pompa air', bodyHtml: `<p>${P1}</p>`, correction: 'Judul sebelumnya menyebut 14 pompa.' }),
      contentType: 'application/json',
    });
    expect(result).toMatchObject({ ok: true, value: { draft: { correction: 'Judul sebelumnya menyebut 14 pompa.' } } });
  });
});

describe('correction note HTML', () => {
  it('escapes the note and labels an unlabelled note "Koreksi"', () => {
    expect(correctionNoteHtml('Angka <14> & <40> tertukar.')).toBe(
      '<p class="warta-correction"><strong>Koreksi:</strong> Angka &lt;14&gt; &amp; &lt;40&gt; tertukar.</p>',
    );
    expect(correctionNoteHtml('Ralat: Nama narasumber salah.')).toBe('<p class="warta-correction"><strong>Ralat:</strong> Nama narasumber salah.</p>');
    expect(matchCorrectionNote('(Koreksi: nama narasumber salah ditulis)')).toBe('Koreksi: nama narasumber salah ditulis');
  });
});
