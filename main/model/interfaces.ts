/**
 * A network namespace's interfaces and the wires between namespaces, as
 * the model carries them (format version 6): read from the kernel by
 * main/net when discovery is asked for wiring, carried in snapshots, drawn
 * and listed anywhere.
 */
import type { NsKey } from './types';

/** An address of an interface, as `ip` prints it. */
export interface NetAddress {
  family: 4 | 6;
  /** Dotted quad, or IPv6 in its RFC 5952 text. */
  address: string;
  prefix: number;
}

/** The other end of a link: a veth's peer, or the parent of a vlan, macvlan, ipvlan or vxlan. */
export interface LinkEnd {
  /** Its interface index, in `ns` (in the link's own namespace when `ns` and `nsid` are absent). */
  index: number;
  /** The key of its namespace, when another one was found. */
  ns?: NsKey;
  /** When it is in another namespace that was not found: the kernel's nsid for it, seen from the link's. */
  nsid?: number;
  /** Found because the peer points back, not confirmed by the kernel's nsid. */
  inferred?: true;
}

/** One interface of a network namespace. */
export interface NetInterface {
  /** Its index in its namespace (ifindex). */
  index: number;
  /** Any bytes the kernel allows (not '/', ':', whitespace), kept like process names (names.ts). */
  name: string;
  /**
   * `loopback`, `physical`, `tun`, `tap`, or the kernel's own kind name
   * (`veth`, `bridge`, `bond`, `vlan`, `macvlan`, `ipvlan`, `vxlan`,
   * `geneve`, `wireguard`, `dummy`, ...); `other` when it has none of those.
   */
  kind: string;
  /** Administratively up. */
  up: boolean;
  /** RFC 2863 operational state as `ip` prints it (`UP`, `DOWN`, `LOWERLAYERDOWN`, `UNKNOWN`, ...). */
  operstate: string;
  mac?: string;
  mtu?: number;
  addresses: NetAddress[];
  /** The bridge or bond it is a member of: an index in the same namespace. */
  master?: number;
  /** A veth's other end. */
  peer?: LinkEnd;
  /** The device a vlan, macvlan, ipvlan or vxlan sits on. */
  parent?: LinkEnd;
}
