/**
 * Privilege separation, as in the seed: under sudo, discovery stays in the
 * root process and the window runs as the invoking user (SUDO_UID and
 * SUDO_GID), with that user's groups, home and desktop session variables,
 * so the theme and display work and saved files belong to them.
 *
 * The root process spawns the shell host (a Node process) with the
 * arguments and environment built here; the host calls dropPrivileges()
 * before it does anything else and checks that root cannot be regained.
 */
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';

/** The user the window runs as. */
export interface DropTarget {
  uid: number;
  gid: number;
}

const ID_RE = /^\d{1,10}$/;

/**
 * The user to drop to: root (euid 0) started through sudo by someone else
 * (SUDO_UID, SUDO_GID set and not 0). Undefined when there is nobody to
 * drop to (not root, or a root login without sudo).
 */
export function sudoTarget(env: NodeJS.ProcessEnv, euid: number): DropTarget | undefined {
  if (euid !== 0) return undefined;
  const { SUDO_UID: u, SUDO_GID: g } = env;
  if (!u || !g || !ID_RE.test(u) || !ID_RE.test(g)) return undefined;
  const uid = Number(u);
  const gid = Number(g);
  if (uid === 0) return undefined;
  return { uid, gid };
}

/** Variables the window needs from the desktop session (exact names). */
const KEEP = new Set([
  'DISPLAY',
  'WAYLAND_DISPLAY',
  'XAUTHORITY',
  'DBUS_SESSION_BUS_ADDRESS',
  'DESKTOP_SESSION',
  'PATH',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'NO_COLOR',
  'GTK_THEME',
  'GTK_MODULES',
  'ELECTRON_OVERRIDE_DIST_PATH',
]);
/** ... and by prefix: locale, XDG session and theme settings, our own knobs. */
const KEEP_PREFIX = ['LC_', 'XDG_', 'QT_', 'GDK_', 'GRAPHNS_'];

/**
 * The host's environment. Without a drop: ours, unchanged. With one: only
 * what the desktop session needs (KEEP, KEEP_PREFIX); HOME, USER and the
 * like are set by the host after the drop from the user's passwd entry.
 */
export function hostEnv(env: NodeJS.ProcessEnv, target: DropTarget | undefined): NodeJS.ProcessEnv {
  if (!target) return { ...env };
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && (KEEP.has(k) || KEEP_PREFIX.some((p) => k.startsWith(p)))) out[k] = v;
  }
  return out;
}

/** The host's command-line arguments after its script path. */
export function hostArgs(
  shell: 'browser' | 'electron',
  program: string,
  target: DropTarget | undefined,
): string[] {
  const args = ['--shell', shell, '--program', program];
  if (target) args.push('--drop', `${target.uid}:${target.gid}`);
  return args;
}

/** Parse `uid:gid` as given to the host's --drop. */
export function parseDrop(v: string): DropTarget {
  const m = /^(\d{1,10}):(\d{1,10})$/.exec(v);
  if (!m || Number(m[1]) === 0) throw new Error(`bad --drop ${v}`);
  return { uid: Number(m[1]), gid: Number(m[2]) };
}

/** The process calls dropPrivileges() needs (process, or a fake in tests). */
export interface Credentials {
  initgroups(user: number, extraGroup: number): void;
  setgid(id: number): void;
  setuid(id: number): void;
  getuid(): number;
  geteuid(): number;
  getgid(): number;
  getegid(): number;
}

/**
 * Become `target` for good: its supplementary groups (initgroups), gid,
 * then uid; then prove root is gone by failing to get it back.
 * @throws Error when any step fails or root could be regained.
 */
export function dropPrivileges(target: DropTarget, proc: Credentials): void {
  proc.initgroups(target.uid, target.gid);
  proc.setgid(target.gid);
  proc.setuid(target.uid);
  if (
    proc.getuid() !== target.uid ||
    proc.geteuid() !== target.uid ||
    proc.getgid() !== target.gid ||
    proc.getegid() !== target.gid
  ) {
    throw new Error('privilege drop did not take');
  }
  let regained = false;
  try {
    proc.setuid(0);
    regained = true;
  } catch {
    /* expected: EPERM */
  }
  if (regained) throw new Error('privilege drop is reversible; refusing to go on');
}

/**
 * The environment after the drop, for a user `info` (os.userInfo()):
 * HOME, USER, LOGNAME from the passwd entry, and XDG directories dropped
 * unless they belong to that user (root's would be useless or harmful).
 */
export function userEnv(
  env: NodeJS.ProcessEnv,
  info: { uid: number; username: string; homedir: string },
  ownerOf: (path: string) => number | undefined = (p) => {
    try {
      return statSync(p).uid;
    } catch {
      return undefined;
    }
  },
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  out.HOME = info.homedir;
  out.USER = info.username;
  out.LOGNAME = info.username;
  for (const k of [
    'XDG_RUNTIME_DIR',
    'XDG_CONFIG_HOME',
    'XDG_CACHE_HOME',
    'XDG_DATA_HOME',
    'XDG_STATE_HOME',
  ]) {
    const v = out[k];
    if (v !== undefined && (!isAbsolute(v) || ownerOf(v) !== info.uid)) delete out[k];
  }
  return out;
}
