/**
 * Who is on the other end of a loopback TCP connection. Any local user
 * can connect to a port on 127.0.0.1; Linux shows the owner (the uid that
 * created the socket) of every TCP socket of this network namespace in
 * /proc/net/tcp and /proc/net/tcp6. The browser shell's server accepts a
 * connection only when the connecting socket belongs to the window's own
 * uid, so another local user is refused before a byte is read, whatever
 * secret they might have learnt.
 *
 * A connection is found by its exact four-tuple as the client sees it:
 * local = the client's address and port, remote = our address and port.
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

/** One socket line of /proc/net/tcp{,6}. */
export interface TcpSocket {
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  uid: number;
}

/** A /proc/net/tcp address word (8 hex digits, the kernel's u32 in host byte order) as 4 bytes. */
function word(hex: string, little: boolean): number[] {
  const n = parseInt(hex, 16);
  const b = [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return little ? b.reverse() : b;
}

/**
 * An address as the kernel prints it (`0100007F`, or 32 hex digits for
 * IPv6) in the form Node gives socket addresses; an IPv4-mapped IPv6
 * address (`::ffff:127.0.0.1`) becomes the plain IPv4 one.
 */
export function decodeAddress(hex: string, little = endianness() === 'LE'): string | undefined {
  if (!/^([0-9A-Fa-f]{8}){1,4}$/.test(hex) || hex.length === 16 || hex.length === 24) {
    return undefined;
  }
  const bytes: number[] = [];
  for (let i = 0; i < hex.length; i += 8) bytes.push(...word(hex.slice(i, i + 8), little));
  const mapped =
    bytes.length === 16 &&
    bytes.slice(0, 10).every((b) => b === 0) &&
    bytes[10] === 255 &&
    bytes[11] === 255;
  const v4 = bytes.length === 4 ? bytes : mapped ? bytes.slice(12) : undefined;
  if (v4) return v4.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':'); // uncompressed; compared against normalized addresses only
}

/** The socket lines of a /proc/net/tcp{,6} text; lines it cannot read are skipped. */
export function parseProcNetTcp(text: string, little = endianness() === 'LE'): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [la, lp] = f[1]!.split(':');
    const [ra, rp] = f[2]!.split(':');
    const local = decodeAddress(la ?? '', little);
    const remote = decodeAddress(ra ?? '', little);
    const uid = Number(f[7]);
    if (!local || !remote || !/^\d+$/.test(f[7]!)) continue;
    out.push({
      local,
      localPort: parseInt(lp ?? '', 16),
      remote,
      remotePort: parseInt(rp ?? '', 16),
      uid,
    });
  }
  return out;
}

/** Node's form of an address for comparison: `::ffff:a.b.c.d` -> `a.b.c.d`. */
function normal(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
}

/** Where /proc/net/tcp{,6} are read from; tests may pass their own. */
export type ProcReader = (path: string) => string;
const readProc: ProcReader = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // no IPv6 in this kernel, say
  }
};

/**
 * The uid owning the client socket of the connection `client` -> `server`
 * (as our side of it sees the two ends), or undefined when it cannot be
 * told: no such socket, or more than one with different owners.
 */
export function peerUid(
  client: { address: string; port: number },
  server: { address: string; port: number },
  read: ProcReader = readProc,
): number | undefined {
  const ca = normal(client.address);
  const sa = normal(server.address);
  const uids = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const s of parseProcNetTcp(read(file))) {
      if (
        s.localPort === client.port &&
        s.remotePort === server.port &&
        s.local === ca &&
        s.remote === sa
      ) {
        uids.add(s.uid);
      }
    }
  }
  return uids.size === 1 ? [...uids][0] : undefined;
}
