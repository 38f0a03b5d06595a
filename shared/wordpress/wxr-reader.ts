import { SaxesParser, type SaxesTagPlain } from 'saxes';

/**
 * Streaming reader of WordPress eXtended RSS (WXR 1.0-1.2, as Tools → Export and WordPress.com write it).
 *
 * The file is read chunk by chunk and never held whole: memory is one chunk plus the item being read.
 * XML is parsed by `saxes`, which never resolves external entities and never expands entities declared
 * in a DOCTYPE (a reference to one is an error), so a hostile export can neither read files, reach the
 * network, nor grow a billion laughs.
 *
 * Why a small hand-written splitter in front of saxes: a streaming XML parser cannot recover from an
 * error (a bare `&` swallows the rest of the document), but an export is a list of independent `<item>`s.
 * The splitter cuts the stream at `<item>`/`</item>` outside CDATA sections and comments, and every item
 * is parsed by its own saxes parser, so one malformed item is reported with its line and column and
 * skipped while the others are read. Everything outside items (the channel and its `wp:author`s) goes
 * through one more saxes parser, with each item replaced by the same number of lines, so its positions
 * stay those of the file.
 */

export interface WxrCategory {
  /** `category` or `post_tag` (or a custom taxonomy). */
  domain: string;
  nicename: string;
  name: string;
}

export interface WxrItem {
  /** Line and column of the item's `<item>` tag in the file. */
  line: number;
  column: number;
  title: string;
  link: string;
  guid: string;
  creator: string;
  content: string;
  excerpt: string;
  postId: string;
  postDate: string;
  postDateGmt: string;
  modifiedGmt: string;
  status: string;
  postType: string;
  password: string;
  parentId: string;
  attachmentUrl: string;
  categories: WxrCategory[];
  meta: Map<string, string>;
}

export interface WxrAuthor {
  login: string;
  displayName: string;
}

export interface WxrPosition {
  line: number;
  column: number;
}

export type WxrEvent =
  | { kind: 'item'; item: WxrItem }
  | { kind: 'malformed-item'; line: number; column: number; message: string; postId?: string }
  | { kind: 'author'; author: WxrAuthor }
  | { kind: 'channel'; field: 'language' | 'wxr_version' | 'base_site_url' | 'base_blog_url' | 'title'; value: string }
  | { kind: 'document-error'; line: number; column: number; message: string }
  | { kind: 'doctype' };

/** An item larger than this is not an export item any reader should hold in memory; it is reported as malformed. */
const MAX_ITEM_CHARS = 64 * 1024 * 1024;

/** Reads a WXR export from chunks of text (e.g. `createReadStream(path, 'utf8')`), yielding events in file order. */
export async function* readWxr(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<WxrEvent> {
  const splitter = new WxrSplitter();
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    yield* splitter.push(text);
  }
  yield* splitter.end();
}

/** The hand-written cutter described above; positions are counted as it consumes text. */
class WxrSplitter {
  private buffer = '';
  private pos = 0;
  private line = 1;
  private column = 0;
  private inItem = false;
  private itemStart: WxrPosition = { line: 1, column: 0 };
  private itemText = '';
  private readonly skeleton = new SkeletonParser();

  *push(text: string): Generator<WxrEvent> {
    this.buffer = this.buffer.slice(this.pos) + text;
    this.pos = 0;
    yield* this.scan(false);
  }

  *end(): Generator<WxrEvent> {
    yield* this.scan(true);
    if (this.inItem) {
      yield { kind: 'malformed-item', ...this.itemStart, message: 'the export ends inside this item (no </item>)' };
      this.inItem = false;
    }
    yield* this.skeleton.close();
  }

  private *scan(final: boolean): Generator<WxrEvent> {
    const buf = this.buffer;
    while (this.pos < buf.length) {
      const lt = buf.indexOf('<', this.pos);
      if (lt < 0) {
        yield* this.consume(buf.length);
        break;
      }
      yield* this.consume(lt);
      const rest = buf.length - lt;
      // Constructs whose end must be found before the splitter can decide; wait for more text unless final.
      if (buf.startsWith('<![CDATA[', lt) || (rest < 9 && '<![CDATA['.startsWith(buf.slice(lt)) && !final)) {
        const close = buf.indexOf(']]>', lt + 9);
        if (close < 0) {
          if (final) yield* this.consume(buf.length);
          break;
        }
        yield* this.consume(close + 3);
        continue;
      }
      if (buf.startsWith('<!--', lt) || (rest < 4 && '<!--'.startsWith(buf.slice(lt)) && !final)) {
        const close = buf.indexOf('-->', lt + 4);
        if (close < 0) {
          if (final) yield* this.consume(buf.length);
          break;
        }
        yield* this.consume(close + 3);
        continue;
      }
      const tagEnd = buf.indexOf('>', lt);
      if (tagEnd < 0) {
        if (final) yield* this.consume(buf.length);
        break;
      }
      const tag = buf.slice(lt, tagEnd + 1);
      if (/^<item[\s>]/.test(tag)) {
        if (this.inItem) {
          yield { kind: 'malformed-item', ...this.itemStart, message: 'this item has no </item> before the next <item>' };
        }
        this.inItem = true;
        this.itemStart = { line: this.line, column: this.column + 1 };
        this.itemText = '';
        yield* this.consume(tagEnd + 1, true);
        continue;
      }
      if (/^<\/item\s*>$/.test(tag) && this.inItem) {
        yield* this.consume(tagEnd + 1, true);
        this.inItem = false;
        yield* parseItem(this.itemText, this.itemStart);
        this.itemText = '';
        continue;
      }
      yield* this.consume(tagEnd + 1);
    }
  }

  /**
   * Moves the cursor to `until`, handing the text to the current item or to the skeleton parser;
   * `itemTag` marks the `<item>`/`</item>` tags themselves, which belong to neither.
   */
  private *consume(until: number, itemTag = false): Generator<WxrEvent> {
    if (until <= this.pos) return;
    const text = this.buffer.slice(this.pos, until);
    this.pos = until;
    const lastNewline = text.lastIndexOf('\n');
    let newlines = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) newlines++;
    if (itemTag && text.startsWith('<item')) {
      // A placeholder element of the same length: it ends the skeleton's text node, so the parser never
      // buffers the white space standing in for all items as one huge text.
      yield* this.skeleton.write(`<i/>${' '.repeat(Math.max(text.length - 4, 0))}`);
    } else if (this.inItem || itemTag) {
      if (!itemTag) this.itemText += text;
      if (this.itemText.length > MAX_ITEM_CHARS) {
        yield { kind: 'malformed-item', ...this.itemStart, message: `this item is larger than ${MAX_ITEM_CHARS} characters` };
        this.itemText = '';
        this.inItem = false;
      }
      // Stand-in for the item in the skeleton: the same lines and the column where the item text ends.
      yield* this.skeleton.write(newlines > 0 ? `${'\n'.repeat(newlines)}${' '.repeat(text.length - lastNewline - 1)}` : ' '.repeat(text.length));
    } else {
      yield* this.skeleton.write(text);
    }
    if (newlines > 0) {
      this.line += newlines;
      this.column = text.length - lastNewline - 1;
    } else {
      this.column += text.length;
    }
  }
}

const CHANNEL_FIELDS: Record<string, 'language' | 'wxr_version' | 'base_site_url' | 'base_blog_url' | 'title'> = {
  language: 'language',
  'wp:wxr_version': 'wxr_version',
  'wp:base_site_url': 'base_site_url',
  'wp:base_blog_url': 'base_blog_url',
  title: 'title',
};

/** Parses the document outside items: the channel's fields and its `wp:author` entries; reports errors with file positions. */
class SkeletonParser {
  private readonly parser = new SaxesParser<{ position: true; xmlns: false }>({ position: true, xmlns: false });
  private readonly events: WxrEvent[] = [];
  private readonly path: string[] = [];
  private text = '';
  private author: Partial<WxrAuthor> = {};
  private errors = 0;

  constructor() {
    this.parser.on('error', (error) => {
      // The first errors say what is wrong; a broken skeleton repeats itself after that.
      if (this.errors++ < 20) this.events.push({ kind: 'document-error', line: this.parser.line, column: this.parser.column, message: stripPosition(error.message) });
    });
    this.parser.on('doctype', () => this.events.push({ kind: 'doctype' }));
    this.parser.on('opentag', (tag: SaxesTagPlain) => {
      if (tag.name === 'i' && this.path.at(-1) === 'channel') {
        // The stand-in of an item (see WxrSplitter.consume).
        this.path.push(tag.name);
        return;
      }
      this.path.push(tag.name);
      this.text = '';
      if (tag.name === 'wp:author') this.author = {};
    });
    this.parser.on('text', (t) => (this.text += t));
    this.parser.on('cdata', (t) => (this.text += t));
    this.parser.on('closetag', (tag: SaxesTagPlain) => {
      const parent = this.path[this.path.length - 2];
      const value = this.text.trim();
      if (parent === 'channel' && CHANNEL_FIELDS[tag.name]) {
        this.events.push({ kind: 'channel', field: CHANNEL_FIELDS[tag.name] as 'language', value });
      } else if (parent === 'wp:author') {
        if (tag.name === 'wp:author_login') this.author.login = value;
        if (tag.name === 'wp:author_display_name') this.author.displayName = value;
      } else if (tag.name === 'wp:author' && this.author.login) {
        this.events.push({ kind: 'author', author: { login: this.author.login, displayName: this.author.displayName || this.author.login } });
      }
      this.path.pop();
      this.text = '';
    });
  }

  *write(text: string): Generator<WxrEvent> {
    this.parser.write(text);
    yield* this.drain();
  }

  *close(): Generator<WxrEvent> {
    this.parser.close();
    yield* this.drain();
  }

  private *drain(): Generator<WxrEvent> {
    while (this.events.length > 0) yield this.events.shift() as WxrEvent;
  }
}

/** saxes prefixes its messages with `line:column: `; positions are reported separately. */
function stripPosition(message: string): string {
  return message.replace(/^(?:[^:]*:)?\d+:\d+:\s*/, '').replace(/\.$/, '');
}

const ITEM_FIELDS = {
  title: 'title',
  link: 'link',
  guid: 'guid',
  'dc:creator': 'creator',
  'content:encoded': 'content',
  'excerpt:encoded': 'excerpt',
  'wp:post_id': 'postId',
  'wp:post_date': 'postDate',
  'wp:post_date_gmt': 'postDateGmt',
  'wp:post_modified_gmt': 'modifiedGmt',
  'wp:status': 'status',
  'wp:post_type': 'postType',
  'wp:post_password': 'password',
  'wp:post_parent': 'parentId',
  'wp:attachment_url': 'attachmentUrl',
} as const satisfies Record<string, keyof WxrItem>;

type ItemTextField = (typeof ITEM_FIELDS)[keyof typeof ITEM_FIELDS];

/** Parses one `<item>…</item>` body with its own parser; any XML error makes the whole item malformed. */
function* parseItem(body: string, start: WxrPosition): Generator<WxrEvent> {
  const parser = new SaxesParser<{ position: true; xmlns: false }>({ position: true, xmlns: false });
  const item: WxrItem = {
    ...start,
    title: '',
    link: '',
    guid: '',
    creator: '',
    content: '',
    excerpt: '',
    postId: '',
    postDate: '',
    postDateGmt: '',
    modifiedGmt: '',
    status: '',
    postType: '',
    password: '',
    parentId: '',
    attachmentUrl: '',
    categories: [],
    meta: new Map(),
  };
  let error: { line: number; column: number; message: string } | undefined;
  const path: string[] = [];
  let text = '';
  let category: { domain: string; nicename: string } | undefined;
  let metaKey = '';
  let metaValue = '';
  parser.on('error', (e) => {
    if (error) return;
    // The item's text starts right after `<item>` (6 characters) on the item's line.
    const line = start.line + parser.line - 1;
    const column = parser.line === 1 ? start.column - 1 + parser.column : parser.column;
    error = { line, column, message: stripPosition(e.message) };
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    path.push(tag.name);
    text = '';
    if (path.length === 2 && tag.name === 'category') {
      category = { domain: String(tag.attributes['domain'] ?? ''), nicename: String(tag.attributes['nicename'] ?? '') };
    }
  });
  parser.on('text', (t) => (text += t));
  parser.on('cdata', (t) => (text += t));
  parser.on('closetag', (tag: SaxesTagPlain) => {
    if (path.length === 2) {
      const field = ITEM_FIELDS[tag.name as keyof typeof ITEM_FIELDS] as ItemTextField | undefined;
      if (field) item[field] = field === 'content' || field === 'excerpt' ? text : text.trim();
      if (tag.name === 'category' && category) item.categories.push({ ...category, name: text.trim() });
      if (tag.name === 'wp:postmeta' && metaKey) item.meta.set(metaKey, metaValue);
    } else if (path.length === 3 && path[1] === 'wp:postmeta') {
      if (tag.name === 'wp:meta_key') metaKey = text.trim();
      if (tag.name === 'wp:meta_value') metaValue = text;
    }
    if (path.length === 2 && tag.name === 'wp:postmeta') {
      metaKey = '';
      metaValue = '';
    }
    path.pop();
    text = '';
  });
  // A wrapper element gives the item one root, as saxes requires of a document.
  parser.write('<item>');
  parser.write(body);
  parser.write('</item>');
  parser.close();
  const ampersand = bareAmpersand(body);
  if (ampersand !== undefined) {
    // saxes notices a bare `&` only where the entity name it started ends, often the item's end; say where it is.
    const before = body.slice(0, ampersand);
    const newlines = before.split('\n').length - 1;
    const line = start.line + newlines;
    const column = newlines === 0 ? start.column + 6 + ampersand : ampersand - before.lastIndexOf('\n');
    if (!error || line < error.line || (line === error.line && column < error.column)) {
      error = { line, column, message: 'a bare "&" that is not an entity (write &amp;)' };
    }
  }
  if (error) {
    const postId = /<wp:post_id>\s*(\d+)\s*<\/wp:post_id>/.exec(body)?.[1];
    yield { kind: 'malformed-item', ...error, ...(postId ? { postId } : {}) };
  } else {
    yield { kind: 'item', item };
  }
}

/** Offset of the first `&` outside CDATA and comments that does not start a character or entity reference. */
function bareAmpersand(body: string): number | undefined {
  const hidden = body.replace(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g, (m) => ' '.repeat(m.length));
  const match = /&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z_][\w.-]*;)/.exec(hidden);
  return match?.index;
}
