/**
 * The plan of the Electron process the shell host starts (plan.ts's
 * ChildPlan): the binary, the viewer's main script, the user's extra
 * switches, the environment a window gets, and its fds.
 *
 * fd 3 is the pipe to the privileged side, on purpose: Electron's main
 * process is the one that talks to it (host-broker.ts over fd 3). Chromium
 * starts its own helpers (zygote, GPU, utility) with base::LaunchProcess,
 * whose forked child closes every fd it was not told to map
 * (base/process/launch_posix.cc: CloseSuperfluousFds), and renderers fork
 * from the zygote, so the pipe should stop at Electron's main process. That
 * is read in Chromium's source, not yet checked on a running Electron (no
 * binary here): tests/e2e/electron.test.ts is where to check /proc/PID/fd.
 */
import { splitArgs } from './browser/find';
import { windowEnv, type ChildPlan } from './plan';

/** The fd the privileged pipe has in the host and in Electron's main process. */
export const PIPE_FD = 3;

/** How the host (or, without a privilege drop, graphns) starts Electron for the viewer. */
export function electronPlan(o: {
  /** The Electron binary. */
  program: string;
  /** dist/shell/electron/main.cjs. */
  mainScript: string;
  /** The host's environment (after the privilege drop). */
  env: NodeJS.ProcessEnv;
  /** Running as root: Chromium's sandbox refuses to start, so it is turned off. */
  asRoot: boolean;
  /**
   * What Electron's fd 3 is: the host's own fd 3 (the pipe from graphns,
   * default), or a new pipe when graphns starts Electron itself.
   */
  pipe?: typeof PIPE_FD | 'pipe';
}): ChildPlan {
  return {
    program: o.program,
    args: [
      o.mainScript,
      ...splitArgs(o.env.GRAPHNS_ELECTRON_ARGS),
      ...(o.asRoot ? ['--no-sandbox'] : []),
    ],
    // no ELECTRON_RUN_AS_NODE (Electron would run main.cjs as plain Node and
    // fail), no NODE_OPTIONS, no LD_PRELOAD
    env: windowEnv(o.env),
    fds: ['ignore', 'inherit', 'inherit', o.pipe ?? PIPE_FD],
    endsWithParent: true, // a host (or graphns) killed outright takes its window along
  };
}
