/**
 * Which part of a cgroup path root made, and so which part may name a
 * container of a rootful engine.
 *
 * A cgroup's name is chosen by whoever may create it, and cgroups are
 * delegated to users: every su or ssh login here gets `/user/<name>/0` from
 * pam_cgfs, systemd hosts give each user `user@UID.service`. Inside, a user
 * can make `docker/<id of root's container>` or `lxc.payload.<root's LXC
 * name>` and move their own process there; matched by shape alone, that put
 * a user's process into root's container (and drew the host's PID namespace
 * as shared with it).
 *
 * So each path is cut after the first directory root does not own: that
 * directory's parent is root's, so root (an engine, or pam) made it and may
 * have handed it on (runc chowns a user-namespaced container's own cgroup to
 * the container's root), and everything below it is the new owner's to
 * name. The cut path is all the cgroup-shape sources see. One delegation is
 * an engine's own: systemd's `user@UID.service`, under which rootless podman
 * puts its containers; a path below it is kept aside (`delegated`) for the
 * podman source alone, and there names only a rootless container of that
 * very uid (cgroup.ts classify), keyed apart from root's (podman.ts).
 *
 * Directories are stat()ed once per scan. A hierarchy with no mount here
 * cannot be checked and is taken as it reads (a scan inside a container
 * without /sys/fs/cgroup); a directory that is gone (its cgroup removed
 * meanwhile) ends the path before it.
 */
import type { CgroupMount } from '../procfs';
import type { CgroupLine } from './source';

/** The uid owning a directory, or undefined when it cannot be stat()ed. */
export type OwnerOf = (dir: string) => number | undefined;

/** Root's own directories in the cgroup hierarchies, for one scan. */
export class CgroupTrust {
  readonly #mounts: readonly CgroupMount[];
  readonly #ownerOf: OwnerOf;
  readonly #owners = new Map<string, number | undefined>();
  readonly #lines = new WeakMap<readonly CgroupLine[], readonly CgroupLine[]>();

  constructor(mounts: readonly CgroupMount[], ownerOf: OwnerOf) {
    this.#mounts = mounts;
    this.#ownerOf = ownerOf;
  }

  /** The mount showing the hierarchy of `line` from its root, or undefined. */
  #mountOf(line: CgroupLine): CgroupMount | undefined {
    const v2 = line.hierarchy === 0 && line.controllers === '';
    const wanted = v2 ? [] : line.controllers.split(',');
    return this.#mounts.find(
      (m) => m.root === '/' && m.v2 === v2 && wanted.every((c) => m.options.has(c)),
    );
  }

  #owner(dir: string): number | undefined {
    if (!this.#owners.has(dir)) this.#owners.set(dir, this.#ownerOf(dir));
    return this.#owners.get(dir);
  }

  /** `line` with its path cut to what root made (the same object when nothing is cut). */
  #trust(line: CgroupLine): CgroupLine {
    if (line.path === '/') return line;
    const mount = this.#mountOf(line);
    if (!mount) return line;
    const segs = line.path.split('/').filter((s) => s !== '');
    let dir = mount.mountPoint.replace(/\/+$/, '');
    for (let i = 0; i < segs.length; i++) {
      dir += `/${segs[i]}`;
      const uid = this.#owner(dir);
      if (uid === 0) continue;
      const kept = `/${segs.slice(0, uid === undefined ? i : i + 1).join('/')}`;
      const cut: CgroupLine = { ...line, path: kept };
      if (uid !== undefined && segs[i] === `user@${uid}.service` && i + 1 < segs.length) {
        cut.delegated = { uid, path: line.path };
      }
      return cut;
    }
    return line;
  }

  /** The lines of one /proc/PID/cgroup as far as root made them (memoised per file). */
  lines(lines: readonly CgroupLine[]): readonly CgroupLine[] {
    let out = this.#lines.get(lines);
    if (!out) {
      const trusted = lines.map((l) => this.#trust(l));
      out = trusted.every((l, i) => l === lines[i]) ? lines : trusted;
      this.#lines.set(lines, out);
    }
    return out;
  }
}
