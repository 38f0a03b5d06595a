import { DomUtils, ElementType } from 'htmlparser2';
import type { AnyNode, Element, Text } from 'domhandler';

/**
 * Small DOM helpers over htmlparser2's tree: type guards and the handful of selector shapes the
 * parsers need (tag, class, id, attribute), so no CSS engine is required.
 */

/** True for an element node (including `<script>` and `<style>`, which htmlparser2 types apart). */
export function isElement(node: AnyNode): node is Element {
  return node.type === ElementType.Tag || node.type === ElementType.Script || node.type === ElementType.Style;
}

/** True for a text node. */
export function isTextNode(node: AnyNode): node is Text {
  return node.type === ElementType.Text;
}

/** The class names of an element. */
export function classesOf(el: Element): string[] {
  return (el.attribs['class'] ?? '').split(/\s+/).filter((c) => c.length > 0);
}

/** The space-separated tokens of `rel` (WordPress writes `rel="category tag"`). */
export function relOf(el: Element): string[] {
  return (el.attribs['rel'] ?? '').toLowerCase().split(/\s+/).filter((r) => r.length > 0);
}

/** One step of a simple selector: all given parts must hold. */
export interface SimpleSelector {
  tag?: string;
  id?: string;
  className?: string;
  attr?: { name: string; value?: string };
}

/** True when `el` matches every part of `selector`. */
export function matches(el: Element, selector: SimpleSelector): boolean {
  if (selector.tag !== undefined && el.name !== selector.tag) return false;
  if (selector.id !== undefined && el.attribs['id'] !== selector.id) return false;
  if (selector.className !== undefined && !classesOf(el).includes(selector.className)) return false;
  if (selector.attr !== undefined) {
    const value = el.attribs[selector.attr.name];
    if (value === undefined) return false;
    if (selector.attr.value !== undefined && value.toLowerCase() !== selector.attr.value.toLowerCase()) return false;
  }
  return true;
}

/** Every element under `roots` (document order) for which `test` holds. */
export function findAll(roots: AnyNode | AnyNode[], test: (el: Element) => boolean): Element[] {
  const list = Array.isArray(roots) ? roots : [roots];
  return DomUtils.findAll((el) => test(el), list.flatMap((r) => ('children' in r ? r.children : [])));
}

/** The first element under `roots` for which `test` holds. */
export function findFirst(roots: AnyNode | AnyNode[], test: (el: Element) => boolean): Element | undefined {
  // findOne stops at the first match; parse-input refuses pages nested beyond MAX_HTML_DEPTH, so its recursion is bounded.
  const list = Array.isArray(roots) ? roots : [roots];
  return DomUtils.findOne((el) => test(el), list.flatMap((r) => ('children' in r ? r.children : []))) ?? undefined;
}

/**
 * Elements matching a descendant chain (`[{className:'author'}, {className:'fn'}]` is `.author .fn`).
 */
export function select(root: AnyNode, chain: SimpleSelector[]): Element[] {
  let current: Element[] | undefined;
  for (const step of chain) {
    const scopes: AnyNode[] = current ?? [root];
    const found = findAll(scopes, (el) => matches(el, step));
    current = [...new Set(found)];
  }
  return current ?? [];
}

/** Text of a node with entities decoded and whitespace collapsed. */
export function textOf(node: AnyNode | AnyNode[]): string {
  return DomUtils.textContent(node).replace(/[\s\u00a0]+/g, ' ').trim();
}
