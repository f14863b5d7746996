/**
 * Turns Graphviz's SVG text into a DOM element safe to show. Parsed as XML
 * (DOMParser, never innerHTML), so process names in labels stay text nodes;
 * then anything active is removed on principle (scripts, foreign content,
 * event handlers, links leaving the document), although Graphviz emits none
 * of it and the CSP would block scripts anyway.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
const DROP = new Set(['script', 'foreignObject', 'iframe', 'object', 'embed', 'style']);

/**
 * Parse SVG text into an `<svg>` element owned by `doc`.
 * @throws Error when the text is not well-formed SVG.
 */
export function parseSvg(text: string, doc: Document = document): SVGSVGElement {
  const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = parsed.documentElement;
  if (parsed.getElementsByTagName('parsererror').length > 0 || root.namespaceURI !== SVG_NS) {
    throw new Error('the layout produced malformed SVG');
  }
  for (const el of Array.from(root.querySelectorAll('*'))) {
    if (DROP.has(el.localName)) {
      el.remove();
      continue;
    }
    for (const attr of Array.from(el.attributes)) {
      const name = attr.localName.toLowerCase();
      const external = name === 'href' && !attr.value.startsWith('#');
      if (name.startsWith('on') || external || name === 'style') {
        el.removeAttributeNode(attr);
      }
    }
  }
  return doc.importNode(root, true) as unknown as SVGSVGElement;
}
