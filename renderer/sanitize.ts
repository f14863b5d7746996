/**
 * Turns Graphviz's SVG text into a DOM element safe to show. Parsed as XML
 * (DOMParser, never innerHTML), so process names in labels stay text nodes;
 * then anything active is removed on principle (scripts, foreign content,
 * event handlers, links leaving the document), although Graphviz emits none
 * of it and the CSP would block scripts anyway.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
const DROP = ['script', 'foreignObject', 'iframe', 'object', 'embed', 'style'];
/** Attributes that could act: event handlers, inline style, links out of the document. */
const ACTIVE_ATTRS =
  "//@*[starts-with(translate(local-name(), 'ON', 'on'), 'on') or local-name() = 'style' " +
  "or (local-name() = 'href' and not(starts-with(., '#')))]";

/**
 * Parse SVG text into an `<svg>` element adopted into `doc`.
 * @throws Error when the text is not well-formed SVG.
 */
export function parseSvg(text: string, doc: Document = document): SVGSVGElement {
  const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = parsed.documentElement;
  if (parsed.getElementsByTagName('parsererror').length > 0 || root.namespaceURI !== SVG_NS) {
    throw new Error('the layout produced malformed SVG');
  }
  // native lookups (tag lists, XPath): a walk over every element in JS is
  // far slower on graphs of thousands of nodes
  for (const tag of DROP) {
    for (const el of Array.from(parsed.getElementsByTagName(tag))) el.remove();
  }
  const attrs = parsed.evaluate(ACTIVE_ATTRS, parsed, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE);
  for (let i = 0; i < attrs.snapshotLength; i++) {
    const a = attrs.snapshotItem(i) as Attr;
    a.ownerElement?.removeAttributeNode(a);
  }
  return doc.adoptNode(root) as unknown as SVGSVGElement;
}
