/**
 * lsuserns: the user namespace hierarchy as a tree (or the model as JSON).
 */
import { discover } from '../main/discover';
import { userTree } from '../main/emit/tree';
import { graphOf, serializeModel } from '../main/model';
import { EXIT, parse, reportScan, run, useColor, writeOut } from './cli';

const USAGE = `Usage: lsuserns [-d|--details] [-c|--color] [-J|--json]
Show the hierarchy of Linux user namespaces (run with sudo to see all).
  -d, --details  also list the namespaces each user namespace owns
  -c, --color    colour namespaces by type
  -J, --json     print the full namespace model as JSON
  -h, --help     show this help
`;

await run('lsuserns', USAGE, async () => {
  const opts = parse(process.argv.slice(2), {
    details: { type: 'boolean', short: 'd' },
    color: { type: 'boolean', short: 'c' },
    json: { type: 'boolean', short: 'J' },
    help: { type: 'boolean', short: 'h' },
  });
  if (opts.help) {
    await writeOut(USAGE);
    return EXIT.ok;
  }
  const model = discover();
  reportScan('lsuserns', model.warnings);
  if (opts.json) await writeOut(`${serializeModel(model, process.stdout.isTTY ? 2 : undefined)}\n`);
  else
    await writeOut(
      userTree(graphOf(model), { details: opts.details, color: useColor(opts.color) }),
    );
  return EXIT.ok;
});
