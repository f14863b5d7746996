/**
 * lsnetns: every network namespace with its interfaces, addresses and the
 * veth pairs between namespaces (or the model, interfaces included, as JSON).
 */
import { netTree } from '../main/emit';
import { runTreeCommand } from './tree-command';

// no top-level await: the command is bundled as CommonJS (build/bundle.mjs)
void runTreeCommand({
  name: 'lsnetns',
  details: false,
  draw: netTree,
  scan: { net: true },
  usage: `Usage: lsnetns [-c|--color] [-J|--json]
Show every Linux network namespace, what holds it and its container, its
interfaces with their kind, state and addresses, and each veth's peer with
the peer's namespace (run with sudo to see all).
  -c, --color  colour namespaces by type
  -J, --json   print the full namespace model, interfaces included, as JSON
  -h, --help   show this help
`,
});
