import { parseDocument } from 'htmlparser2';
import { findAll, getAttributeValue, textContent } from 'domutils';
import type { Element } from 'domhandler';

/**
 * Walks an RFC 5005 archive chain the way an aggregator does: read a document, take its entries,
 * follow rel="prev-archive" (JSON Feed: next_url) until there is none. The documents are read with
 * htmlparser2's XML mode and JSON.parse, independently of the renderers.
 */

export interface WalkedDocument {
  url: string;
  /** Entry ids (RSS guid, Atom id, JSON id) in document order. */
  ids: string[];
  prevArchive?: string;
  current?: string;
  /** fh:archive present (XML), or the document is not the first one walked (JSON). */
  archiveMarked: boolean;
}

function links(elements: Element[], rel: string): string | undefined {
  const link = elements.find((e) => (e.name === 'link' || e.name === 'atom:link') && getAttributeValue(e, 'rel') === rel);
  return link ? getAttributeValue(link, 'href') : undefined;
}

export function readXmlDocument(url: string, xml: string): WalkedDocument {
  const dom = parseDocument(xml, { xmlMode: true });
  const all = findAll(() => true, dom.children);
  const root = all.find((e) => e.name === 'channel' || e.name === 'feed');
  if (!root) throw new Error(`${url} is neither RSS nor Atom`);
  const head = root.children.filter((c): c is Element => c.type === 'tag');
  const entries = head.filter((e) => e.name === 'item' || e.name === 'entry');
  const ids = entries.map((entry) => {
    const id = entry.children.find((c): c is Element => c.type === 'tag' && (c.name === 'guid' || c.name === 'id'));
    if (!id) throw new Error(`${url}: an entry without id`);
    return textContent(id).trim();
  });
  const prevArchive = links(head, 'prev-archive');
  const current = links(head, 'current');
  return {
    url,
    ids,
    ...(prevArchive ? { prevArchive } : {}),
    ...(current ? { current } : {}),
    archiveMarked: head.some((e) => e.name === 'fh:archive'),
  };
}

export function readJsonDocument(url: string, text: string): WalkedDocument {
  const feed = JSON.parse(text) as { items: { id: string }[]; next_url?: string; feed_url: string };
  return { url, ids: feed.items.map((i) => i.id), ...(feed.next_url ? { prevArchive: feed.next_url } : {}), archiveMarked: false };
}

/** Every document of the chain starting at `url`, newest first; throws on a loop or a missing document. */
export async function walkArchiveChain(url: string, fetchText: (url: string) => Promise<string | undefined>): Promise<WalkedDocument[]> {
  const documents: WalkedDocument[] = [];
  const seen = new Set<string>();
  for (let next: string | undefined = url; next !== undefined; ) {
    if (seen.has(next)) throw new Error(`archive chain loops at ${next}`);
    seen.add(next);
    const text = await fetchText(next);
    if (text === undefined) throw new Error(`archive chain links a missing document: ${next}`);
    const document: WalkedDocument = next.endsWith('.json') ? readJsonDocument(next, text) : readXmlDocument(next, text);
    documents.push(document);
    next = document.prevArchive;
  }
  return documents;
}
