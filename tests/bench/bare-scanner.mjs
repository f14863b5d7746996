/**
 * The floor of a cold scan in Node (issue 11, target 1a): a bare scanner
 * making the system calls lsuserns makes (per process: stat with fstat for
 * the owner, cmdline, cgroup, status for uid 0, the 10 namespace links, the
 * fd directory and its links, mountinfo once per mount namespace; per
 * namespace the nsfs ioctls), with no model, no checks and no JSON.
 * discovery-bench.ts times it beside lsuserns and lsns. x86-64 ioctl numbers
 * (a floor measurement for this machine, not a tool).
 */
import fs from 'node:fs';
import koffi from 'koffi';
const lib = koffi.load('libc.so.6');
const ioctl0 = lib.func('ioctl', 'int', ['int', 'unsigned long']);
const ioctlP = lib.func('ioctl', 'int', ['int', 'unsigned long', 'void *']);
const NS_GET_USERNS = 0xb701,
  NS_GET_PARENT = 0xb702,
  NS_GET_OWNER_UID = 0xb704,
  NS_GET_ID = 0x8008b70d;
const buf = Buffer.allocUnsafe(65536);
const rd = (p, whole) => {
  const fd = fs.openSync(p, 'r');
  try {
    let n = fs.readSync(fd, buf, 0, buf.length, null);
    if (!whole) while (fs.readSync(fd, buf, n, buf.length - n, null) > 0);
    return n;
  } finally {
    fs.closeSync(fd);
  }
};
const links = [
  'cgroup',
  'ipc',
  'mnt',
  'net',
  'pid',
  'time',
  'user',
  'uts',
  'pid_for_children',
  'time_for_children',
];
const seen = new Map();
const mnts = new Set();
let count = 0;
for (const name of fs.readdirSync('/proc')) {
  const c = name.charCodeAt(0);
  if (c < 48 || c > 57) continue;
  const dir = '/proc/' + name;
  try {
    const fd = fs.openSync(dir + '/stat', 'r');
    const uid = fs.fstatSync(fd).uid;
    fs.readSync(fd, buf, 0, buf.length, null);
    fs.closeSync(fd);
    rd(dir + '/cmdline', true);
    rd(dir + '/cgroup', true);
    if (uid === 0) rd(dir + '/status', false);
    let mnt;
    for (const l of links) {
      try {
        const t = fs.readlinkSync(dir + '/ns/' + l);
        if (!seen.has(t)) seen.set(t, dir + '/ns/' + l);
        if (l === 'mnt') mnt = t;
      } catch {
        /* gone meanwhile, or out of reach: as lsuserns, go on */
      }
    }
    for (const f of fs.readdirSync(dir + '/fd')) {
      try {
        const t = fs.readlinkSync(dir + '/fd/' + f);
        if (t.endsWith(']') && t.includes(':[')) if (!seen.has(t)) seen.set(t, dir + '/fd/' + f);
      } catch {
        /* gone meanwhile, or out of reach: as lsuserns, go on */
      }
    }
    if (mnt && !mnts.has(mnt)) {
      mnts.add(mnt);
      rd(dir + '/mountinfo', false);
    }
    count++;
  } catch {
    /* gone meanwhile, or out of reach: as lsuserns, go on */
  }
}
const b8 = Buffer.alloc(8);
for (const [t, p] of seen) {
  let fd;
  try {
    fd = fs.openSync(p, 'r');
  } catch {
    continue;
  }
  const type = t.slice(0, t.indexOf(':'));
  if (type === 'user' || type === 'pid') {
    const r = ioctl0(fd, NS_GET_PARENT);
    if (r >= 0) {
      fs.fstatSync(r);
      fs.closeSync(r);
    }
  }
  if (type !== 'user') {
    const r = ioctl0(fd, NS_GET_USERNS);
    if (r >= 0) {
      fs.fstatSync(r);
      fs.closeSync(r);
    }
  }
  if (type === 'user') ioctlP(fd, NS_GET_OWNER_UID, b8);
  ioctlP(fd, NS_GET_ID, b8);
  fs.closeSync(fd);
}
process.stdout.write(count + ' ' + seen.size + '\n');
