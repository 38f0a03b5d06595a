import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';

/**
 * The deepest element nesting Warta parses. Real article pages and bodies stay far below it (a
 * WordPress block theme nests about 30 deep); a hostile page nested tens of thousands deep would
 * otherwise overflow the stack of recursive DOM code (serializers, sanitizers) or cost time
 * quadratic in its depth (htmlparser2 keeps its open-element stack with `unshift`). Deeper input
 * is refused, before any tree is built, with a problem naming this limit.
 */
export const MAX_HTML_DEPTH = 256;

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'keygen', 'frame', 'basefont', 'isindex']);
const BLOCK = ['p', 'div', 'ul', 'ol', 'dl', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'form', 'section', 'article', 'aside', 'header', 'footer', 'nav', 'figure', 'hr', 'address', 'fieldset', 'main'];
/** The usual implied end tags (a subset of the HTML spec's, as htmlparser2 applies them): opening `key` closes an open element named in its set. */
const IMPLIED_CLOSE: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ...BLOCK.map((tag) => [tag, new Set(['p'])] as const),
  ['li', new Set(['li'])],
  ['dt', new Set(['dt', 'dd'])],
  ['dd', new Set(['dt', 'dd'])],
  ['tr', new Set(['tr', 'td', 'th'])],
  ['td', new Set(['td', 'th'])],
  ['th', new Set(['td', 'th'])],
  ['option', new Set(['option'])],
  ['tbody', new Set(['thead', 'tbody', 'tr', 'td', 'th'])],
]);

/**
 * How deep elements nest in `html`, measured with htmlparser2's tokenizer and an explicit stack: linear
 * in the input, no recursion, no tree. Implied end tags (`<p>` before a block, `<li>` after `<li>`)
 * close elements as browsers do, so a sloppy page of unclosed paragraphs is not counted as deep.
 */
export function htmlNestingDepth(html: string): number {
  const stack: string[] = [];
  const open = new Map<string, number>();
  let deepest = 0;
  let pending = '';
  const pop = (): void => {
    const name = stack.pop();
    if (name !== undefined) open.set(name, (open.get(name) ?? 1) - 1);
  };
  const nothing = (): void => undefined;
  const callbacks: TokenizerCallbacks = {
    onopentagname(start, end) {
      pending = html.slice(start, end).toLowerCase();
    },
    onopentagend() {
      const closes = IMPLIED_CLOSE.get(pending);
      while (closes !== undefined && stack.length > 0 && closes.has(stack[stack.length - 1] ?? '')) pop();
      if (VOID.has(pending)) return;
      stack.push(pending);
      open.set(pending, (open.get(pending) ?? 0) + 1);
      if (stack.length > deepest) deepest = stack.length;
    },
    onselfclosingtag() {
      // "<x/>" opens nothing in HTML for void elements and is treated as an open tag otherwise, as htmlparser2 does.
      callbacks.onopentagend(0);
    },
    onclosetag(start, end) {
      const name = html.slice(start, end).toLowerCase();
      if ((open.get(name) ?? 0) === 0) return;
      while (stack.length > 0 && stack[stack.length - 1] !== name) pop();
      pop();
    },
    onattribdata: nothing,
    onattribentity: nothing,
    onattribend: nothing,
    onattribname: nothing,
    oncdata: nothing,
    oncomment: nothing,
    ondeclaration: nothing,
    onend: nothing,
    onprocessinginstruction: nothing,
    ontext: nothing,
    ontextentity: nothing,
  };
  const tokenizer = new Tokenizer({ decodeEntities: false }, callbacks);
  tokenizer.write(html);
  tokenizer.end();
  return deepest;
}

/** The problem message for HTML nested deeper than MAX_HTML_DEPTH, or undefined when it is within. */
export function htmlDepthProblem(html: string): string | undefined {
  const depth = htmlNestingDepth(html);
  return depth > MAX_HTML_DEPTH ? `nests elements ${depth} deep; the deepest accepted is ${MAX_HTML_DEPTH}` : undefined;
}
