import { describe, expect, it } from 'vitest';
import { excerpt } from '../../../shared/feeds/feed-entry.js';
import { imageMediaType } from '../../../shared/feeds/render-feeds.js';
import { appendToElements, replaceRootStartTag, stripInvalidXmlChars, xmlElement } from '../../../shared/feeds/xml-text.js';

describe('stripInvalidXmlChars', () => {
  it('removes C0/C1 controls and lone surrogates but keeps tab, newlines and astral characters', () => {
    expect(stripInvalidXmlChars('a\u0000b\u0008c\u000Bd\u001Fe\u007Ff\u0085g')).toBe('abcdefg');
    expect(stripInvalidXmlChars('tab\tlf\ncr\r')).toBe('tab\tlf\ncr\r');
    expect(stripInvalidXmlChars('pemilu 🗳️ “ok”')).toBe('pemilu 🗳️ “ok”');
    expect(stripInvalidXmlChars('x\uD800y\uDC00z\uFFFE')).toBe('xyz');
  });
});

describe('xmlElement', () => {
  it('escapes attributes and writes plain text with hexadecimal references for & and <', () => {
    expect(xmlElement('category', {}, 'Q&A <x>')).toBe('<category>Q&#x26;A &#x3C;x&gt;</category>');
    expect(xmlElement('link', { href: 'https://a.example/?a=1&b="2"', title: undefined, n: 3 })).toBe('<link href="https://a.example/?a=1&amp;b=&quot;2&quot;" n="3"/>');
  });
});

describe('appendToElements', () => {
  const xml = '<?xml version="1.0"?>\n<feed>\n    <entry>\n        <content><![CDATA[<p>not markup: \n    </entry></p>]]></content>\n    </entry>\n    <entry>\n        <id>b</id>\n    </entry>\n</feed>';

  it('inserts into each element in order and ignores end tags inside CDATA', () => {
    const out = appendToElements(xml, 'entry', [['<a/>'], ['<b/>', '<c/>']], '        ');
    expect(out).toBe(
      '<?xml version="1.0"?>\n<feed>\n    <entry>\n        <content><![CDATA[<p>not markup: \n    </entry></p>]]></content>\n        <a/>\n    </entry>\n    <entry>\n        <id>b</id>\n        <b/>\n        <c/>\n    </entry>\n</feed>',
    );
  });

  it('throws when the number of elements does not match', () => {
    expect(() => appendToElements(xml, 'entry', [['<a/>']], '')).toThrow('Expected 1 <entry> elements in rendered feed, found 2');
  });
});

describe('replaceRootStartTag', () => {
  it('replaces only the root start tag after the declaration', () => {
    expect(replaceRootStartTag('<?xml version="1.0"?>\n<rss version="2.0">\n<rss/></rss>', 'rss', '<rss version="2.0" xmlns:dc="d">')).toBe(
      '<?xml version="1.0"?>\n<rss version="2.0" xmlns:dc="d">\n<rss/></rss>',
    );
    expect(() => replaceRootStartTag('<feed/>', 'rss', '<rss>')).toThrow('does not start with a <rss> element');
  });
});

describe('imageMediaType and excerpt', () => {
  it('prefers the CMS type, then the extension, else nothing', () => {
    expect(imageMediaType({ url: 'https://a.example/x.JPG' })).toBe('image/jpeg');
    expect(imageMediaType({ url: 'https://a.example/x.jpg', type: 'image/webp' })).toBe('image/webp');
    expect(imageMediaType({ url: 'https://a.example/x.jpg', type: 'jpeg' })).toBe('image/jpeg');
    expect(imageMediaType({ url: 'https://a.example/foto?id=3' })).toBeUndefined();
  });

  it('cuts at a word boundary and marks the cut', () => {
    expect(excerpt('satu dua tiga', 20)).toBe('satu dua tiga');
    expect(excerpt('satu dua tiga empat lima', 16)).toBe('satu dua tiga…');
  });
});
