/**
 * The relations functions encode their ioctls for process.arch at the first
 * call: importing works on any architecture, an unknown one is refused by
 * name when an ioctl is due, and a known one really changes the number the
 * kernel sees. Each case runs in a child whose process.arch is replaced
 * after the imports (koffi itself needs the real one to find its binary).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CLONE_NEWNET } from '../../main/relations';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INDEX = fileURLToPath(new URL('../../main/index.ts', import.meta.url));

/** Import the package root, pretend to be `arch`, call getNsType twice; what happened. */
function asArch(arch: string): {
  imported: boolean;
  calls: { ok?: number; code?: string; message?: string }[];
} {
  const script = `
    const m = await import(${JSON.stringify(INDEX)});
    Object.defineProperty(process, 'arch', { value: ${JSON.stringify(arch)} });
    const calls = [];
    for (let i = 0; i < 2; i++) {
      try { calls.push({ ok: m.getNsType('/proc/self/ns/net') }); }
      catch (e) { calls.push({ code: e.code, message: e.message }); }
    }
    console.log(JSON.stringify({ imported: typeof m.nsIoctlsFor === 'function', calls }));
  `;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return JSON.parse(out);
}

test('an unknown architecture imports fine and is refused, by name, at each ioctl', () => {
  const r = asArch('sparc64');
  assert.equal(r.imported, true);
  assert.equal(r.calls.length, 2);
  for (const call of r.calls) {
    assert.equal(call.ok, undefined);
    assert.match(call.message ?? '', /architecture 'sparc64' \(process\.arch\)/);
  }
});

test(
  "the request number is process.arch's: ppc64's encoding is unknown to this kernel",
  { skip: process.arch !== 'x64' && `written for an x64 host (this is ${process.arch})` },
  () => {
    assert.deepEqual(asArch('x64').calls[0], { ok: CLONE_NEWNET });
    // 0x2000b703 is NS_GET_NSTYPE only on powerpc; an x86 kernel answers ENOTTY
    assert.equal(asArch('ppc64').calls[0]?.code, 'ENOTTY');
  },
);
