import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const ELECTRON_MESSAGE = 'The core, CLI and server run in plain Node: never import electron here.';
const electronPaths = [{ name: 'electron', message: ELECTRON_MESSAGE }];
const electronPatterns = [{ group: ['electron/*', 'electron-store'], message: ELECTRON_MESSAGE }];

// Source folders: only the source's own folder, sources/registry.ts (the list of sources) and the
// source's own tests may import what is inside. Everything else talks to a source through the
// Source port (src-main/core/sources/source.ts) and finds it in the registry.
const SOURCES = ['hyperstudy', 'brainstem'];
const sourcePattern = (id, sibling) => ({
  // `./<id>` only where the source folder is a sibling (src-main/core/sources/*.ts).
  group: [`**/sources/${id}`, `**/sources/${id}/**`, ...(sibling ? [`./${id}`, `./${id}/**`] : [])],
  message: `Only src-main/core/sources/${id}/, sources/registry.ts and the ${id} tests may import the ${id} source; use the Source port (sources/source.ts) through sources/registry.ts.`,
});
/** no-restricted-imports with the given source folders closed (and electron too, for the Node-only code). */
const restrict = ({ electron, closed, sibling = false }) => ({
  'no-restricted-imports': ['error', {
    ...(electron ? { paths: electronPaths } : {}),
    patterns: [...(electron ? electronPatterns : []), ...closed.map((id) => sourcePattern(id, sibling))],
  }],
});
const nodeOnly = ['src-main/core/**', 'src-main/cli/**', 'src-main/server/**'];
const sourceFiles = (id) => [`src-main/core/sources/${id}/**`];
const sourceTests = (id) => [`tests/unit/sources/${id}/**`, `tests/integration/sources/${id}/**`, `tests/unit/${id}/**`, `tests/integration/${id}/**`];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // Everything: no source's insides (later entries open a source's own folder and tests).
  { files: ['**/*.{ts,tsx,js,mjs}'], rules: restrict({ electron: false, closed: SOURCES }) },
  { files: nodeOnly, rules: restrict({ electron: true, closed: SOURCES }) },
  { files: ['src-main/core/sources/*.ts'], rules: restrict({ electron: true, closed: SOURCES, sibling: true }) },
  ...SOURCES.map((id) => ({ files: sourceFiles(id), rules: restrict({ electron: true, closed: SOURCES.filter((x) => x !== id) }) })),
  ...SOURCES.map((id) => ({ files: sourceTests(id), rules: restrict({ electron: false, closed: SOURCES.filter((x) => x !== id) }) })),
  { files: ['src-main/core/sources/registry.ts'], rules: restrict({ electron: true, closed: [] }) },
  {
    files: ['src-renderer/**', 'src-preload/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/src-main/**', '../src-main/*'], message: 'The renderer and preload reach the core only through the contract.' }],
      }],
    },
  },
  { files: ['src-renderer/**'], languageOptions: { globals: { ...globals.browser } } },
);
