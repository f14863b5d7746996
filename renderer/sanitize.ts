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
 * Whether the text could hold anything the passes below remove: a superset
 * test on the raw text, a millisecond where the passes take tens of them
 * on a large graph (the XPath alone visits every attribute). Names in XML
 * are always literal, so an element or attribute to remove shows as its
 * name after `<`, `:` (a prefix) or white space, an attribute's name with
 * its `=` (a link with its value, unless that begins with a literal `#`,
 * a link within the drawing); what could make markup or attributes without writing them out
 * (entities expanding to markup, attribute defaults) needs a declaration
 * in the document's own DTD, `<!ENTITY` or `<!ATTLIST`. Graphviz's output
 * has none of these, so the passes run only on text that is not its.
 */
const MAYBE_ACTIVE =
  /[\s:](?:on[^\s=/>]*|style)\s*=|[\s:]href\s*=\s*(?!["']#)|[<:](?:script|foreignobject|iframe|object|embed|style)|<!(?:ENTITY|ATTLIST)/i;

/** Whether `text` could hold anything parseSvg removes (MAYBE_ACTIVE). */
export function mayBeActive(text: string): boolean {
  return MAYBE_ACTIVE.test(text);
}

/**
 * Parse SVG text into an `<svg>` element adopted into `doc`.
 * @throws Error when the text is not well-formed SVG.
 */
export function parseSvg(text: string, doc: Document = document): SVGSVGElement {
  const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = parsed.documentElement;
  if (
    parsed.getElementsByTagName('parsererror').length > 0 ||
    root.namespaceURI !== SVG_NS ||
    root.localName !== 'svg'
  ) {
    throw new Error('the layout produced malformed SVG');
  }
  if (mayBeActive(text)) {
    // native lookups (tag lists, XPath): a walk over every element in JS is
    // far slower on graphs of thousands of nodes. By local name in any
    // namespace: `svg:script` is a script too.
    for (const tag of DROP) {
      for (const el of Array.from(parsed.getElementsByTagNameNS('*', tag))) el.remove();
    }
    const attrs = parsed.evaluate(
      ACTIVE_ATTRS,
      parsed,
      null,
      XPathResult.ORDERED_NODE_SNAPSHOT_TYPE,
    );
    for (let i = 0; i < attrs.snapshotLength; i++) {
      const a = attrs.snapshotItem(i) as Attr;
      a.ownerElement?.removeAttributeNode(a);
    }
  }
  return doc.adoptNode(root) as unknown as SVGSVGElement;
}
