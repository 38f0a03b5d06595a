import { describe, expect, it } from 'vitest';
import { htmlToText, sanitizeArticleHtml, summarize } from '../../../shared/parsing/sanitize.js';

const BASE = 'https://jurnalpagi.example/politik/debat-kelima/';

const XSS_VECTORS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<img src="javascript:alert(1)">',
  '<a href="javascript:alert(1)">a</a>',
  '<a href="JaVaScRiPt:alert(1)">b</a>',
  '<a href="java&#x09;script:alert(1)">c</a>',
  '<a href="&#106;avascript:alert(1)">d</a>',
  '<a href="vbscript:msgbox(1)">e</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">f</a>',
  '<svg onload=alert(1)><script>alert(1)</script></svg>',
  '<iframe src="https://evil.example/"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<object data="evil.swf"></object><embed src="evil.swf">',
  '<style>body{background:url(javascript:alert(1))}</style>',
  '<p style="background:url(javascript:alert(1))" onclick="alert(1)">g</p>',
  '<math><mi xlink:href="javascript:alert(1)">h</mi></math>',
  '<form action="javascript:alert(1)"><button>i</button></form>',
  '<body onload=alert(1)>',
  '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
  '<<script>script>alert(1)<</script>/script>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
];

describe('sanitizeArticleHtml', () => {
  it('removes every XSS vector', () => {
    for (const vector of XSS_VECTORS) {
      const { html } = sanitizeArticleHtml(`<p>ok</p>${vector}`, { baseUrl: BASE });
      expect(html, vector).not.toMatch(/<script|<iframe|<svg|<object|<embed|<style|<form|<math|\son\w+=|javascript:|vbscript:|data:|style=/i);
      expect(html, vector).toContain('<p>ok</p>');
    }
  });

  it('keeps structural and text tags with their allowed attributes only', () => {
    const input =
      '<h2 class="x">Sub</h2><p id="a">Teks <strong>tebal</strong> <em>miring</em> <b>b</b> <i>i</i><br>baris</p>' +
      '<blockquote><p>Kutipan</p></blockquote><ul><li>satu</li></ul><ol><li>dua</li></ol>' +
      '<figure><img src="https://cdn.example/a.jpg" alt="A" width="640" height="360" loading="lazy"><figcaption>Keterangan</figcaption></figure>' +
      '<table><thead><tr><th>Kolom</th></tr></thead><tbody><tr><td colspan="2">Isi</td></tr></tbody></table>' +
      '<p><a href="mailto:redaksi@jurnalpagi.example" target="_blank">surel</a> <span>span</span> <u>u</u></p>';
    const { html } = sanitizeArticleHtml(input);
    expect(html).toBe(
      '<h2>Sub</h2><p>Teks <strong>tebal</strong> <em>miring</em> <b>b</b> <i>i</i><br />baris</p>' +
        '<blockquote><p>Kutipan</p></blockquote><ul><li>satu</li></ul><ol><li>dua</li></ol>' +
        '<figure><img src="https://cdn.example/a.jpg" alt="A" width="640" height="360" /><figcaption>Keterangan</figcaption></figure>' +
        '<table><thead><tr><th>Kolom</th></tr></thead><tbody><tr><td colspan="2">Isi</td></tr></tbody></table>' +
        '<p><a href="mailto:redaksi@jurnalpagi.example">surel</a> span u</p>',
    );
  });

  it('makes relative links and images absolute against the base URL', () => {
    const { html } = sanitizeArticleHtml('<p><a href="/tag/pemilu/">t</a> <a href="../ekonomi/">e</a> <img src="foto.jpg"></p>', { baseUrl: BASE });
    expect(html).toBe(
      '<p><a href="https://jurnalpagi.example/tag/pemilu/">t</a> <a href="https://jurnalpagi.example/politik/ekonomi/">e</a> <img src="https://jurnalpagi.example/politik/debat-kelima/foto.jpg" /></p>',
    );
    expect(sanitizeArticleHtml('<p><a href="/tag/pemilu/">t</a></p>').html).toBe('<p><a href="/tag/pemilu/">t</a></p>');
  });

  it('drops paragraphs left empty and turns h1 into h2', () => {
    expect(sanitizeArticleHtml('<h1>Judul</h1><p>&nbsp;</p><p><script>x()</script></p><p>Isi</p>').html).toBe('<h2>Judul</h2><p>Isi</p>');
  });

  it('is idempotent', () => {
    const inputs = [
      ...XSS_VECTORS,
      '<p>Harga &quot;naik&quot; 5% &amp; &lt;turun&gt; &#8211; caf&eacute; 50&nbsp;ribu</p>',
      '<p>Unclosed <b>bold <i>both</p><p>next',
      '<h1>A</h1><div><p>nested <a href="/x?a=1&b=2">link</a></p></div><img src="rel.jpg" alt=\'"q"\'>',
      '<table><tr><td>no tbody</td></tr></table><li>orphan li</li>',
    ];
    for (const input of inputs) {
      const once = sanitizeArticleHtml(input, { baseUrl: BASE });
      const twice = sanitizeArticleHtml(once.html, { baseUrl: BASE });
      expect(twice.html, input).toBe(once.html);
      expect(twice.text, input).toBe(once.text);
    }
  });

  it('extracts plain text: one paragraph per block, entities decoded, whitespace collapsed', () => {
    const { text } = sanitizeArticleHtml(
      '<p>Harga &quot;naik&quot;\n   5% &amp;  turun&nbsp;lagi</p><script>evil()</script><h2>Sub&shy;judul</h2><ul><li>satu</li><li>dua</li></ul><p>baris<br>kedua</p>',
    );
    expect(text).toBe('Harga "naik" 5% & turun lagi\n\nSub\u00adjudul\n\nsatu\n\ndua\n\nbaris kedua');
    expect(htmlToText('')).toBe('');
  });
});

describe('summarize', () => {
  const first = 'Komisi Pemilihan Umum menetapkan jadwal debat kelima pada Minggu malam di Jakarta.';
  const second = 'Debat akan membahas kesejahteraan sosial, kebudayaan dan pendidikan.';

  it('keeps whole leading paragraphs that fit', () => {
    expect(summarize(`${first}\n\n${second}\n\nParagraf ketiga.`, 160)).toBe(`${first} ${second}`);
    expect(summarize(`${first}\n\n${second}`, 100)).toBe(first);
  });

  it('cuts a long first paragraph at a word boundary with an ellipsis', () => {
    const summary = summarize(`${first}\n\n${second}`, 40);
    expect(summary).toBe('Komisi Pemilihan Umum menetapkan jadwal…');
    expect(summary.length).toBeLessThanOrEqual(40);
    const hard = summarize('x'.repeat(500), 300);
    expect(hard).toBe(`${'x'.repeat(299)}…`);
  });

  it('uses 300 characters by default and handles empty text', () => {
    const long = Array.from({ length: 80 }, (_, i) => `kata${i}`).join(' ');
    expect(summarize(long).length).toBeLessThanOrEqual(300);
    expect(summarize(long).endsWith('…')).toBe(true);
    expect(summarize('')).toBe('');
  });
});
