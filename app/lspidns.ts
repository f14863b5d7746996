/**
 * lspidns: the PID namespace hierarchy as a tree (or the model as JSON).
 */
import { pidTree } from '../main/emit';
import { runTreeCommand } from './tree-command';

// no top-level await: the command is bundled as CommonJS (build/bundle.mjs)
void runTreeCommand({
  name: 'lspidns',
  details: false,
  draw: pidTree,
  usage: `Usage: lspidns [-c|--color] [-J|--json]
Show the hierarchy of Linux PID namespaces and their owning user namespaces
(run with sudo to see all).
  -c, --color  colour namespaces by type
  -J, --json   print the full namespace model as JSON
  -h, --help   show this help
`,
});
