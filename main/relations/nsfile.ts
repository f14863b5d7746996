/**
 * A namespace file: an open nsfs fd handed out by getUserNs()/getParentNs().
 *
 * The kernel answers "who owns this" and "who is the parent" with fresh fds,
 * not paths, so the answer is an object that owns its fd and must be closed.
 * It supports `using` (Symbol.dispose) so scopes close it on every path.
 */
import { closeSync } from 'node:fs';
import type { NsTypeName } from './constants';
import { nsTypeName } from './constants';
import { checkNamespaceFd } from './open';

/** An open namespace file descriptor with its type and id. */
export class NamespaceFile {
  #fd: number;
  /** The CLONE_NEW* type of the namespace. */
  readonly type: number;
  /** The namespace's inode number, as in `net:[4026531840]`. */
  readonly id: number;

  /**
   * Wrap an fd this object will own. The fd is closed if the wrapping fails.
   * @param fd - an open nsfs fd.
   * @param type - its CLONE_NEW* type.
   */
  constructor(fd: number, type: number) {
    try {
      this.id = checkNamespaceFd(fd).ino;
      nsTypeName(type);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.#fd = fd;
    this.type = type;
  }

  /** The open fd; throws once closed so a stale number is never reused. */
  get fd(): number {
    if (this.#fd < 0) throw new Error('namespace file is closed');
    return this.#fd;
  }

  /** True once close() has run. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** The lsns name of the type, e.g. `'user'`. */
  get typeName(): NsTypeName {
    return nsTypeName(this.type);
  }

  /** Close the fd. Closing twice is harmless. */
  close(): void {
    if (this.#fd >= 0) {
      const fd = this.#fd;
      this.#fd = -1;
      closeSync(fd);
    }
  }

  /** `using ns = getUserNs(...)` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `user:[4026531837]`, as the kernel's /proc/PID/ns links read. */
  toString(): string {
    return `${this.typeName}:[${this.id}]`;
  }
}
