// Dependencies point one way: webview -> shared <- host -> core, and worker -> core.
// The restricted-import rules below check that, instead of hoping for it.
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'src/core and webview must stay free of the VS Code API.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', '.e2e/**', 'docs/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noVscode],
          patterns: [
            { group: ['**/host/**', '**/webview/**', '**/worker/**', '**/cli/**'], message: 'core depends on nothing above it.' },
          ],
        },
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noVscode],
          patterns: [{ group: ['**/core/**', '**/host/**', '**/worker/**', 'node:*'], message: 'webview imports only src/shared.' }],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noVscode], patterns: [{ group: ['**/host/**', '**/webview/**', '**/worker/**', 'node:*'], message: 'shared holds types only.' }] },
      ],
    },
  },
);
