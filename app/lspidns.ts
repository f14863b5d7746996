/**
 * lspidns: the PID namespace hierarchy as a tree (or the model as JSON).
 */
import { discover } from '../main/discover';
import { pidTree } from '../main/emit/tree';
import { graphOf, serializeModel } from '../main/model';
import { EXIT, parse, reportScan, run, useColor, writeOut } from './cli';

const USAGE = `Usage: lspidns [-c|--color] [-J|--json]
Show the hierarchy of Linux PID namespaces and their owning user namespaces
(run with sudo to see all).
  -c, --color  colour namespaces by type
  -J, --json   print the full namespace model as JSON
  -h, --help   show this help
`;

await run('lspidns', USAGE, async () => {
  const opts = parse(process.argv.slice(2), {
    color: { type: 'boolean', short: 'c' },
    json: { type: 'boolean', short: 'J' },
    help: { type: 'boolean', short: 'h' },
  });
  if (opts.help) {
    await writeOut(USAGE);
    return EXIT.ok;
  }
  const model = discover();
  reportScan('lspidns', model.warnings);
  if (opts.json) await writeOut(`${serializeModel(model, process.stdout.isTTY ? 2 : undefined)}\n`);
  else await writeOut(pidTree(graphOf(model), { color: useColor(opts.color) }));
  return EXIT.ok;
});
