// Lint, including the one-way dependency rule between folders (ARCHITECTURE.md).
// Each area lists what it must not import; a bad edge fails `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** A no-restricted-imports rule forbidding the given import patterns, with a reason. */
const forbid = (reason, ...group) => ({
  'no-restricted-imports': ['error', { patterns: [{ group, message: reason }] }],
});

// The shell gets discovery and DOT from its caller, so the unprivileged host holds none of
// it, nor the kernel surface (relations, the shim, koffi) it would need to discover itself.
const NOT_IN_SHELL = [
  '**/relations',
  '**/relations/**',
  '**/native-shim',
  '**/native-shim/**',
  'koffi',
  '**/discover',
  '**/discover/**',
  '**/emit',
  '**/emit/**',
  '**/layout',
  '**/layout/**',
  '**/app/**',
  '**/renderer/**',
];

const NODE = ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'net', 'util'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'out/', 'test-results/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']",
          message: 'set process.exitCode and return: process.exit() can cut piped output',
        },
      ],
    },
  },
  {
    files: ['main/**'],
    ignores: ['main/shell/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron'], message: 'only main/shell/electron may import electron' },
            {
              group: ['**/app/**', '**/renderer/**'],
              message: 'main never imports app or renderer',
            },
          ],
        },
      ],
    },
  },
  {
    // tests look at control characters and poke at untyped JSON on purpose
    files: ['tests/**'],
    rules: { 'no-control-regex': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['native-shim/**'],
    rules: forbid(
      'native-shim depends on nothing of the project',
      '**/main/**',
      '**/app/**',
      '**/renderer/**',
      'electron',
    ),
  },
  {
    files: ['main/relations/**'],
    rules: forbid(
      'relations sits on native-shim only',
      '../model*',
      '../discover*',
      '../emit*',
      '../shell*',
      '../contract*',
      '**/app/**',
      '**/renderer/**',
      'electron',
    ),
  },
  {
    // rtnetlink in a chosen network namespace: the kernel surface for interfaces, beside relations
    files: ['main/net/**'],
    rules: forbid(
      'net reads interfaces through native-shim; it knows nothing of the model, discovery or presentations',
      '../model*',
      '../discover*',
      '../emit*',
      '../shell*',
      '../contract*',
      '../layout*',
      '**/app/**',
      '**/renderer/**',
      'electron',
    ),
  },
  {
    files: ['main/model/**', 'main/emit/**', 'main/contract/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...NODE,
                '**/native-shim',
                '**/native-shim/**',
                '../discover*',
                '../shell*',
                '../layout*',
                '../files*',
                '**/app/**',
                '**/renderer/**',
                'electron',
                'koffi',
              ],
              message: 'model, emit and contract are pure: data in, data out, no I/O, no kernel',
            },
            {
              regex: '(^|/)relations(/(?!constants$).*)?$',
              message: 'pure code may use the relations constants, never the ioctl calls',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/discover/**'],
    rules: forbid(
      'discover builds the model; it knows nothing of emitters, shells or the renderer',
      '../emit*',
      '../shell*',
      '../layout*',
      '**/app/**',
      '**/renderer/**',
      'electron',
    ),
  },
  {
    // The one safe reader and atomic writer: Node's fs and nothing of the
    // project, so both layout and the shell (even the unprivileged host) may use it.
    files: ['main/files/**'],
    rules: forbid(
      'main/files reads and writes files with node:* only; it imports nothing of the project',
      '../*',
      '../../*',
      '**/native-shim',
      '**/native-shim/**',
      '**/app/**',
      '**/renderer/**',
      'electron',
      'koffi',
    ),
  },
  {
    files: ['main/layout/**'],
    rules: forbid(
      'layout turns DOT into SVG files in Node: model, emit and node:* only, never discovery, the kernel or the shells',
      '../discover*',
      '../relations*',
      '../shell*',
      '**/native-shim',
      '**/native-shim/**',
      '**/app/**',
      '**/renderer/**',
      'electron',
      'koffi',
    ),
  },
  {
    // The shell shows graphs; it never discovers or draws them itself: the
    // privileged process passes discovery and DOT in (openViewer's options),
    // so the unprivileged shell host cannot even load that code.
    files: ['main/shell/**'],
    ignores: ['main/shell/electron/**'],
    rules: forbid(
      'main/shell gets discovery and DOT from its caller; only main/shell/electron may import electron',
      ...NOT_IN_SHELL,
      'electron',
    ),
  },
  {
    files: ['main/shell/electron/**'],
    rules: forbid('the Electron wiring uses main/shell and main/contract only', ...NOT_IN_SHELL),
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...NODE,
                'electron',
                'koffi',
                '**/native-shim',
                '**/native-shim/**',
                '**/app',
                '**/app/**',
              ],
              message: 'the renderer is browser code: no Node, no Electron, no kernel',
            },
            {
              // the pure areas (data in, data out) run in the page too: it parses the model,
              // filters it and writes its DOT itself (issue 12); I/O stays behind the contract
              regex: '(^|/)main(/(?!(contract|model|emit)(/|$)|relations/constants$).*)?$',
              message:
                'the renderer may use the pure main/contract, main/model, main/emit and the relations constants; the Node side only through main/contract',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['app/**'],
    rules: forbid(
      'commands use the library through main/, never the shim, the renderer or electron',
      '**/native-shim/**',
      '**/native-shim',
      '**/renderer/**',
      'electron',
    ),
  },
);
