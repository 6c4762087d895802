import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noElectron = {
  'no-restricted-imports': ['error', {
    paths: [{ name: 'electron', message: 'The core, CLI and server run in plain Node: never import electron here.' }],
    patterns: [{ group: ['electron/*', 'electron-store'], message: 'The core, CLI and server run in plain Node: never import electron here.' }],
  }],
};

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
  { files: ['src-main/core/**', 'src-main/cli/**', 'src-main/server/**'], rules: noElectron },
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
