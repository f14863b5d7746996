/**
 * The dependency rule of ARCHITECTURE.md is enforced by lint: feed ESLint
 * imports that cross a forbidden edge and check it refuses each, and
 * accepts the allowed ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function allowed(file: string, source: string): Promise<boolean> {
  const code = `import { x as y } from '${source}';\nexport const x = y;\n`;
  const [result] = await eslint.lintText(code, { filePath: file });
  return !result!.messages.some((m) => m.ruleId === 'no-restricted-imports');
}

const cases: [file: string, source: string, ok: boolean][] = [
  ['native-shim/x.ts', '../main/relations', false],
  ['native-shim/x.ts', 'node:fs', true],
  ['main/relations/x.ts', '../../native-shim', true],
  ['main/relations/x.ts', '../discover', false],
  ['main/model/x.ts', 'node:fs', false],
  ['main/model/x.ts', '../relations/constants', true],
  ['main/model/x.ts', '../relations', false],
  ['main/emit/x.ts', '../../native-shim', false],
  ['main/emit/x.ts', '../model', true],
  ['main/discover/x.ts', '../emit/dot', false],
  ['main/discover/x.ts', 'electron', false],
  ['main/discover/x.ts', '../relations', true],
  ['main/shell/x.ts', 'electron', false],
  ['main/shell/x.ts', '../relations', false],
  ['main/shell/x.ts', '../relations/constants', false],
  ['main/shell/x.ts', '../../native-shim', false],
  ['main/shell/x.ts', 'koffi', false],
  ['main/shell/electron/x.ts', '../../relations', false],
  ['main/shell/electron/x.ts', 'koffi', false],
  ['main/shell/electron/x.ts', 'electron', true],
  ['renderer/x.ts', 'node:fs', false],
  ['renderer/x.ts', 'electron', false],
  ['renderer/x.ts', '../native-shim', false],
  ['renderer/x.ts', '../main', false],
  ['renderer/x.ts', '../main/model', true],
  ['renderer/x.ts', '../main/model/json', true],
  ['renderer/x.ts', '../main/emit', true],
  ['renderer/x.ts', '../main/emit/view', true],
  ['renderer/x.ts', '../main/relations/constants', true],
  ['renderer/x.ts', '../main/relations', false],
  ['renderer/x.ts', '../main/relations/relations', false],
  ['renderer/x.ts', '../main/discover', false],
  ['renderer/x.ts', '../main/layout', false],
  ['renderer/x.ts', '../main/modelx', false],
  ['renderer/x.ts', '../main/emitter/x', false],
  ['renderer/x.ts', '../main/contract', true],
  ['renderer/x.ts', 'svg-pan-zoom', true],
  ['main/layout/x.ts', '../emit', true],
  ['main/layout/x.ts', 'node:fs', true],
  ['main/layout/x.ts', '../discover', false],
  ['main/layout/x.ts', '../../native-shim', false],
  ['main/discover/x.ts', '../layout', false],
  ['main/emit/x.ts', '../layout', false],
  ['app/x.ts', '../native-shim', false],
  ['app/x.ts', 'electron', false],
  ['app/x.ts', '../main/discover', true],
  // the viewer: the shell never loads discovery or the emitters (the privileged caller
  // passes them in), only main/shell/electron may import electron
  ['main/shell/x.ts', '../contract', true],
  ['main/shell/x.ts', '../model', true],
  ['main/shell/x.ts', 'node:http', true],
  ['main/shell/x.ts', '../discover', false],
  ['main/shell/browser/x.ts', '../../emit', false],
  ['main/shell/x.ts', '../layout', false],
  ['main/shell/x.ts', 'electron', false],
  ['main/shell/x.ts', '../relations', false],
  ['main/shell/x.ts', '../relations/constants', false],
  ['main/shell/x.ts', '../../native-shim', false],
  ['main/shell/x.ts', 'koffi', false],
  ['main/shell/electron/x.ts', '../../relations', false],
  ['main/shell/electron/x.ts', 'koffi', false],
  ['main/shell/browser/x.ts', 'electron', false],
  ['main/shell/electron/x.ts', 'electron', true],
  ['main/shell/electron/x.ts', '../handlers', true],
  ['main/shell/electron/x.ts', '../../discover', false],
  ['main/shell/electron/x.ts', '../../../renderer/keys', false],
  ['main/contract/x.ts', 'node:fs', false],
  ['main/contract/x.ts', '../shell', false],
  // main/files: the one reader and writer, node:* only, usable by layout and the shell
  ['main/files/x.ts', 'node:fs', true],
  ['main/files/x.ts', './read', true],
  ['main/files/x.ts', '../model', false],
  ['main/files/x.ts', '../model/names', false],
  ['main/files/x.ts', '../shell', false],
  ['main/files/x.ts', '../layout/file', false],
  ['main/files/x.ts', '../../native-shim', false],
  ['main/files/x.ts', '../../app/cli', false],
  ['main/files/x.ts', 'koffi', false],
  ['main/files/x.ts', 'electron', false],
  ['main/layout/x.ts', '../files', true],
  ['main/shell/x.ts', '../files', true],
  ['main/shell/x.ts', '../files/read', true],
  ['main/shell/browser/x.ts', '../../files', true],
  ['main/shell/electron/x.ts', '../../files', true],
  ['app/x.ts', '../main/files', true],
  ['renderer/x.ts', '../main/files', false],
  ['main/model/x.ts', '../files', false],
  ['main/contract/x.ts', '../files', false],
  ['renderer/x.ts', '../main/shell', false],
  ['renderer/x.ts', '../main/contract', true],
];

test('lint enforces the one-way dependency rule', async () => {
  const wrong: string[] = [];
  for (const [file, source, ok] of cases) {
    if ((await allowed(file, source)) !== ok) {
      wrong.push(`${file} importing ${source} should be ${ok ? 'allowed' : 'refused'}`);
    }
  }
  assert.deepEqual(wrong, []);
});
