/**
 * A stand-in for `graphns` that opens the viewer, for the end-to-end tests
 * and the benchmark while app/graphns.ts does not call openViewer yet:
 * `viewer-entry.ts [--open SNAPSHOT.json] [--shell browser|electron] [-d]`.
 * Without --open it discovers the live system, like graphns.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { discover } from '../../main/discover';
import { modelToDot } from '../../main/emit';
import { parseModel } from '../../main/model';
import { openViewer } from '../../main/shell';

const { values } = parseArgs({
  options: {
    open: { type: 'string' },
    shell: { type: 'string' },
    details: { type: 'boolean', short: 'd' },
  },
  strict: true,
});
const snapshot = values.open;
const shell = values.shell === 'electron' || values.shell === 'browser' ? values.shell : undefined;
process.exitCode = await openViewer({
  shell,
  details: values.details ?? false,
  load: snapshot ? () => parseModel(readFileSync(snapshot, 'utf8')) : () => discover(),
  toDot: modelToDot,
});
