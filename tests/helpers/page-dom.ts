/**
 * The few DOM types the end-to-end tests use inside `page.evaluate()`
 * callbacks, which run in the browser. The Node-side tsconfig has no DOM
 * lib (on purpose: main/ must not type-check against it), so each test
 * file declares `document` with these types for its callbacks only.
 */

/** An element as the tests read it. */
export interface PageElement {
  textContent: string | null;
  hidden: boolean;
  localName: string;
  id: string;
  classList: { contains(name: string): boolean };
  getAttribute(name: string): string | null;
}

/** A document as the tests read it. */
export interface PageDocument {
  documentElement: PageElement & { dataset: Record<string, string | undefined> };
  title: string;
  activeElement: PageElement | null;
  getElementById(id: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  getElementsByTagName(name: string): { length: number };
}

/** DOMParser, for checking a saved SVG in the browser. */
export type PageDomParser = new () => {
  parseFromString(text: string, type: 'image/svg+xml'): PageDocument;
};
