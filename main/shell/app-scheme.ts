/**
 * The Electron window's page address, `graphns://app/index.html`, and the
 * two decisions made on it: which answer a request to the custom scheme
 * gets (an asset with its headers, or a refusal), and whether an IPC
 * message comes from our page.
 *
 * Why not `new URL(x).origin`: for a scheme the WHATWG URL standard does not
 * know (anything but http, https, ws, wss, ftp, file), the origin is the
 * opaque "null", equal to nothing. So every check here compares protocol
 * and host, and refuses credentials, a port, a host in another case, and
 * anything that does not parse.
 */
import { assetFor, CSP, type Asset } from './assets';

/** The custom scheme Electron serves the page from (privileged, standard, secure). */
export const APP_SCHEME = 'graphns';
/** The one host of that scheme with anything behind it. */
export const APP_HOST = 'app';
/** The page the window loads, and the only one whose frame may use IPC. */
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * The path of `url` when it is ours (`graphns://app/<path>`, no user,
 * password or port), else undefined. Query and fragment do not pick a file.
 */
export function appPath(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return undefined;
  if (u.username !== '' || u.password !== '' || u.port !== '') return undefined;
  return u.pathname;
}

/** What the scheme handler answers, as plain data (main.ts makes a Response of it). */
export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

// Sent with every answer, refusals too: the page's policy, and no sniffing,
// caching or referrers.
const COMMON_HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

function refusal(status: number, text: string): AppResponse {
  return {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', ...COMMON_HEADERS },
    body: Buffer.from(`${text}\n`),
  };
}

/**
 * The answer to a request for `url` with `method`: one of the page's
 * assets (200), or 404 for anything else (another host, scheme, path, or a
 * URL that does not parse), 405 for a method other than GET or HEAD.
 */
export function answerAppRequest(
  assets: ReadonlyMap<string, Asset>,
  method: string,
  url: string,
): AppResponse {
  const path = appPath(url);
  const asset: Asset | undefined = path === undefined ? undefined : assetFor(assets, path);
  if (!asset) return refusal(404, 'not found');
  if (method !== 'GET' && method !== 'HEAD') return refusal(405, 'method not allowed');
  return {
    status: 200,
    headers: { 'Content-Type': asset.type, ...COMMON_HEADERS },
    body: method === 'HEAD' ? Buffer.alloc(0) : asset.body,
  };
}

/** What the Electron main process knows about an IPC message's sender. */
export interface SenderFacts {
  /** The message came from our window's web contents. */
  fromOurWindow: boolean;
  /** ... from its main frame (not an iframe). */
  isMainFrame: boolean;
  /** The URL that frame shows (undefined when the frame is gone). */
  frameUrl: string | undefined;
}

/**
 * Whether an IPC message comes from our page: our window's own web
 * contents, its main frame, showing exactly APP_PAGE_URL's page.
 */
export function isTrustedSender(s: SenderFacts): boolean {
  return (
    s.fromOurWindow &&
    s.isMainFrame &&
    typeof s.frameUrl === 'string' &&
    appPath(s.frameUrl) === '/index.html'
  );
}
