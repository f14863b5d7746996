// The flatpak source from inputs shaped like flatpak 1.14's own (flatpak is
// not installed here): the scope `app-flatpak-<systemd_unit_name_escape(app
// id)>-<getpid()>.scope` that `flatpak run` starts on the user's systemd and
// then execs bwrap in (read: common/flatpak-run.c,
// flatpak_run_in_transient_unit), and the instance directory
// $XDG_RUNTIME_DIR/.flatpak/<instance id>/ with `pid` (bwrap's PID) and
// `info`, the keyfile the app sees as /.flatpak-info (read:
// common/flatpak-instance.c, flatpak_run_add_app_info_args; the fixture
// tests/fixtures/containers-sandbox/flatpak/info has its groups and keys).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  flatpakSource,
  keyfileValue,
  parseFlatpakScope,
} from '../../main/discover/containers/flatpak';
import { cgroupLines, fakeHost, proc } from '../helpers/sandbox-root';

const INFO = readFileSync(
  new URL('../fixtures/containers-sandbox/flatpak/info', import.meta.url),
  'utf8',
);
const APP_SLICE = '/user.slice/user-1000.slice/user@1000.service/app.slice';

test('flatpak: the app scope names the app; the instance directory confirms it', () => {
  const h = fakeHost();
  try {
    h.file('/run/user/1000/.flatpak/1975306921/info', INFO);
    h.file('/run/user/1000/.flatpak/1975306921/pid', '4242');
    const scope = cgroupLines(`${APP_SLICE}/app-flatpak-org.gnome.Calculator-4242.scope`, true);
    const dashed = cgroupLines(`${APP_SLICE}/app-flatpak-org.example.my\\x2dapp-4300.scope`, true);
    const procs = [
      proc(4242, 1, 'bwrap', scope, 1000),
      proc(4250, 4242, 'bwrap', scope, 1000),
      proc(4251, 4250, 'gnome-calculator', scope, 1000),
      proc(4300, 1, 'bwrap', dashed, 1000),
      proc(4301, 4300, 'my-app', dashed, 1000),
    ];
    assert.deepEqual(flatpakSource.scan(procs, h.ctx), [
      {
        engine: 'flatpak',
        id: 'org.gnome.Calculator-4242',
        name: 'org.gnome.Calculator',
        pids: [4242, 4250, 4251],
        sources: ['cgroup', 'flatpak instance info'],
      },
      {
        engine: 'flatpak',
        id: 'org.example.my-app-4300',
        name: 'org.example.my-app',
        pids: [4300, 4301],
        sources: ['cgroup'],
      },
    ]);
    assert.deepEqual(h.warnings, []);
  } finally {
    h.done();
  }
});

test('flatpak without a scope: the instance’s bwrap and all below it; stale and bad instances', () => {
  const h = fakeHost();
  try {
    h.file('/run/user/1000/.flatpak/222/info', INFO);
    h.file('/run/user/1000/.flatpak/222/pid', '5000\n');
    // stale: flatpak had not cleaned it up yet and the PID is someone else's now
    h.file('/run/user/1000/.flatpak/333/info', INFO);
    h.file('/run/user/1000/.flatpak/333/pid', '6000');
    h.file('/run/user/1001/.flatpak/444/info', INFO);
    h.file('/run/user/1001/.flatpak/444/pid', '12; rm -rf /');
    h.file('/run/user/1001/.flatpak/555/pid', 'x'.repeat(1 << 16)); // over the 64 bytes asked
    const procs = [
      proc(5000, 1, 'bwrap', undefined, 1000),
      proc(5001, 5000, 'bwrap', undefined, 1000),
      proc(5002, 5001, 'gnome-calculator', undefined, 1000),
      proc(6000, 1, 'bash', undefined, 1000),
      proc(6001, 6000, 'sleep', undefined, 1000),
    ];
    assert.deepEqual(
      flatpakSource.scan(procs, h.ctx).map((c) => [c.id, c.name, c.pids, c.sources]),
      [
        [
          'org.gnome.Calculator-5000',
          'org.gnome.Calculator',
          [5000, 5001, 5002],
          ['flatpak instance info'],
        ],
      ],
    );
    assert.equal(h.warnings.length, 2, h.warnings.join('\n'));
  } finally {
    h.done();
  }
});

test("a user's instance naming another user's (or root's) bwrap names nothing, nor hides the owner's", () => {
  const h = fakeHost();
  try {
    // uid 1001 plants an instance naming root's bwrap 5000 and uid 1000's bwrap 7000
    h.file('/run/user/1001/.flatpak/1/info', INFO);
    h.file('/run/user/1001/.flatpak/1/pid', '5000');
    h.file('/run/user/1001/.flatpak/2/info', INFO);
    h.file('/run/user/1001/.flatpak/2/pid', '7000');
    // and a second instance for uid 1000's own bwrap 8000, besides uid 1000's real one
    h.file('/run/user/1000/.flatpak/3/info', INFO);
    h.file('/run/user/1000/.flatpak/3/pid', '8000');
    h.file('/run/user/1001/.flatpak/4/info', INFO);
    h.file('/run/user/1001/.flatpak/4/pid', '8000');
    const procs = [
      proc(5000, 1, 'bwrap', undefined, 0),
      proc(7000, 1, 'bwrap', undefined, 1000),
      proc(8000, 1, 'bwrap', undefined, 1000),
    ];
    assert.deepEqual(
      flatpakSource.scan(procs, h.ctx).map((c) => [c.id, c.pids]),
      [['org.gnome.Calculator-8000', [8000]]],
    );
  } finally {
    h.done();
  }
});

test('at most 256 instances a user are read, the newest; the rest is said once', () => {
  const h = fakeHost();
  try {
    for (let i = 1; i <= 300; i++) h.file(`/run/user/1000/.flatpak/${i}/pid`, '1');
    h.file('/run/user/1000/.flatpak/300/info', INFO);
    h.file('/run/user/1000/.flatpak/300/pid', '5000');
    h.file('/run/user/1000/.flatpak/1/info', INFO);
    h.file('/run/user/1000/.flatpak/1/pid', '6000'); // the oldest: past the budget
    const got = flatpakSource.scan(
      [proc(5000, 1, 'bwrap', undefined, 1000), proc(6000, 1, 'bwrap', undefined, 1000)],
      h.ctx,
    );
    assert.deepEqual(
      got.map((c) => c.id),
      ['org.gnome.Calculator-5000'],
    );
    assert.deepEqual(h.warnings, [
      '/run/user/1000/.flatpak holds 300 flatpak instances: only the newest 256 are read',
    ]);
  } finally {
    h.done();
  }
});

test('flatpak scope names: escapes undone, non-scopes refused', () => {
  assert.deepEqual(parseFlatpakScope('app-flatpak-org.gnome.Calculator-4242.scope'), {
    app: 'org.gnome.Calculator',
    pid: 4242,
  });
  assert.deepEqual(parseFlatpakScope('app-flatpak-a\\x2db\\xff-7.scope'), {
    app: 'a-b\udcff',
    pid: 7,
  });
  assert.equal(parseFlatpakScope('app-flatpak-org.x.Y.scope'), undefined); // no PID
  assert.equal(parseFlatpakScope('app-flatpak-org.x.Y-0.scope'), undefined);
  assert.equal(parseFlatpakScope('app-flatpak-org.x.Y-12.service'), undefined);
  assert.equal(parseFlatpakScope('app-gnome-org.x.Y-12.scope'), undefined);
  assert.equal(keyfileValue(INFO, 'Application', 'name'), 'org.gnome.Calculator');
  assert.equal(keyfileValue(INFO, 'Instance', 'instance-id'), '1975306921');
  assert.equal(keyfileValue(INFO, 'Instance', 'name'), undefined);
  assert.equal(keyfileValue('[Application]\nname=a\\sb\\nc\n', 'Application', 'name'), 'a b\nc');
});
