/**
 * lsuserns: the user namespace hierarchy as a tree (or the model as JSON).
 */
import { userTree } from '../main/emit';
import { runTreeCommand } from './tree-command';

// no top-level await: the command is bundled as CommonJS (build/bundle.mjs)
void runTreeCommand({
  name: 'lsuserns',
  details: true,
  draw: userTree,
  usage: `Usage: lsuserns [-d|--details] [-c|--color] [-J|--json]
Show the hierarchy of Linux user namespaces (run with sudo to see all).
  -d, --details  also list the namespaces each user namespace owns, and
                 each user namespace's uid and gid maps
  -c, --color    colour namespaces by type
  -J, --json     print the full namespace model as JSON
  -h, --help     show this help
`,
});
