/**
 * What lsuserns, lspidns and lsnetns share: discover, report what the scan could not
 * see, then print the tree (or the model as JSON). Each command only names
 * itself, its usage text and how it draws.
 */
import { discover, type ScanOptions } from '../main/discover';
import type { TreeOptions } from '../main/emit';
import { graphOf, serializeModel, type ModelGraph } from '../main/model';
import { EXIT, parse, reportScan, run, useColor, writeOut } from './cli';

/** One tree command. */
export interface TreeCommand {
  name: string;
  usage: string;
  /** Whether the command takes -d/--details. */
  details: boolean;
  draw: (g: ModelGraph, o: TreeOptions) => string;
  /** What the scan reads beyond the namespaces (lsnetns: the interfaces). */
  scan?: ScanOptions;
}

/** Run a tree command on this process's argv and set the exit code. */
export function runTreeCommand(cmd: TreeCommand): Promise<void> {
  return run(cmd.name, cmd.usage, async () => {
    const opts = parse(process.argv.slice(2), {
      ...(cmd.details ? { details: { type: 'boolean', short: 'd' } as const } : {}),
      color: { type: 'boolean', short: 'c' },
      json: { type: 'boolean', short: 'J' },
      help: { type: 'boolean', short: 'h' },
    });
    if (opts.help) {
      await writeOut(cmd.usage);
      return EXIT.ok;
    }
    const model = discover(cmd.scan);
    reportScan(cmd.name, model.warnings);
    if (opts.json) {
      // pretty for a person at a terminal, compact for programs
      await writeOut(`${serializeModel(model, process.stdout.isTTY ? 2 : undefined)}\n`);
    } else {
      const details = (opts as { details?: boolean }).details === true;
      await writeOut(cmd.draw(graphOf(model), { details, color: useColor(opts.color) }));
    }
    return EXIT.ok;
  });
}
