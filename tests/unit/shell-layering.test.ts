/**
 * The viewer's edges of the dependency rule (ARCHITECTURE.md): the shell
 * never loads discovery or the emitters (the privileged caller passes them
 * in), only main/shell/electron may import electron, and the renderer
 * reaches the Node side through main/contract alone.
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
  ['main/shell/x.ts', '../contract', true],
  ['main/shell/x.ts', '../model', true],
  ['main/shell/x.ts', 'node:http', true],
  ['main/shell/x.ts', '../discover', false],
  ['main/shell/browser/x.ts', '../../emit', false],
  ['main/shell/x.ts', '../layout', false],
  ['main/shell/x.ts', 'electron', false],
  ['main/shell/browser/x.ts', 'electron', false],
  ['main/shell/electron/x.ts', 'electron', true],
  ['main/shell/electron/x.ts', '../handlers', true],
  ['main/shell/electron/x.ts', '../../discover', false],
  ['main/shell/electron/x.ts', '../../../renderer/keys', false],
  ['main/contract/x.ts', 'node:fs', false],
  ['main/contract/x.ts', '../shell', false],
  ['renderer/x.ts', '../main/shell', false],
  ['renderer/x.ts', '../main/contract', true],
];

test('lint keeps the viewer layered', async () => {
  const wrong: string[] = [];
  for (const [file, source, ok] of cases) {
    if ((await allowed(file, source)) !== ok) {
      wrong.push(`${file} importing ${source} should be ${ok ? 'allowed' : 'refused'}`);
    }
  }
  assert.deepEqual(wrong, []);
});
