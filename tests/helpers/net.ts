/**
 * The network tests' shared pieces: `ip -j`'s answers as types, the rows
 * the tests compare graphns's interfaces with (ip's and the model's, in
 * one shape), and a process in a network namespace of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import type { NetInterface } from '../../main/model';
import { HANG_MS } from './need';

/** A link as `ip -j -d link` reports it (the fields the tests use). */
export interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate: string;
  link_type: string;
  address?: string;
  master?: string;
  link?: string;
  link_index?: number;
  link_netnsid?: number;
  linkinfo?: { info_kind?: string; info_data?: { type?: string } };
}

/** An interface's addresses as `ip -j addr` reports them. */
export interface IpAddr {
  ifindex: number;
  ifname: string;
  addr_info: { family: string; local: string; prefixlen: number; tentative?: boolean }[];
}

/** What ip says of one namespace: links and addresses. */
export interface IpState {
  links: IpLink[];
  addrs: IpAddr[];
}

/** The kind graphns names, from ip's link. */
export function kindOf(l: IpLink): string {
  if (l.link_type === 'loopback') return 'loopback';
  if (l.linkinfo?.info_kind === 'tun') return l.linkinfo.info_data?.type ?? 'tun';
  return l.linkinfo?.info_kind ?? 'physical';
}

/** One row per interface as ip has it: index, name, kind, state, MAC, MTU, master, addresses. */
export const ipRows = (s: IpState) =>
  s.links.map((l) => [
    l.ifindex,
    l.ifname,
    kindOf(l),
    l.operstate,
    l.link_type === 'ether' ? l.address : undefined,
    l.mtu,
    l.master === undefined ? undefined : s.links.find((m) => m.ifname === l.master)?.ifindex,
    (s.addrs.find((a) => a.ifindex === l.ifindex)?.addr_info ?? [])
      .map((a) => `${a.local}/${a.prefixlen}`)
      .sort(),
  ]);

/** The same rows as the model has them. */
export const modelRows = (ifs: readonly NetInterface[]) =>
  ifs.map((i) => [
    i.index,
    i.name,
    i.kind,
    i.operstate,
    i.mac,
    i.mtu,
    i.master,
    i.addresses.map((a) => `${a.address}/${a.prefix}`).sort(),
  ]);

/**
 * A process (`unshare -n sleep`) in a network namespace of its own, added
 * to `kids` for the caller to kill; resolves with its pid once it is in
 * that namespace (a state, not a time).
 */
export async function inNetns(kids: ChildProcess[]): Promise<number> {
  const k = spawn('unshare', ['-n', 'sleep', '3600'], { stdio: 'ignore' });
  kids.push(k);
  const ours = readlinkSync('/proc/self/ns/net');
  const end = Date.now() + HANG_MS;
  for (;;) {
    try {
      if (readlinkSync(`/proc/${k.pid}/ns/net`) !== ours) return k.pid!;
    } catch {
      if (k.exitCode !== null) throw new Error('unshare -n sleep ended');
    }
    if (Date.now() > end) throw new Error('unshare -n sleep never entered its namespace');
    await new Promise((r) => setTimeout(r, 5));
  }
}
