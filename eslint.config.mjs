// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const NO_VSCODE = { name: 'vscode', message: 'Keep this layer free of vscode.' };
/** The CLI and the VS Code layer see each library through its index: its one public surface. */
const LIBRARY_SURFACES = {
  patterns: [
    {
      group: ['**/harmony/*', '**/servers/*'],
      message: 'Import from the layer’s index (../harmony, ../servers): src/harmony/index.ts and src/servers/index.ts are its public surface.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-results/**', 'media/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/harmony/**', 'src/servers/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_VSCODE] }] },
  },
  {
    files: ['src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_VSCODE], ...LIBRARY_SURFACES }] },
  },
  {
    files: ['src/vscode/**'],
    rules: { 'no-restricted-imports': ['error', LIBRARY_SURFACES] },
  },
);
