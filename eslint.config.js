// ESLint: JavaScript's and typescript-eslint's recommended rules over the TypeScript sources
// and the browser's ES modules in public/.
// Formatting is Prettier's job (npm run lint runs both); no rule here concerns layout.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'dist.building-*/',
      'data/',
      'coverage/',
      'reports/',
      '.stryker-tmp/',
      'src/contract/openapi-types.ts',
      'client/openapi-types.ts',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a parameter or binding that is there for its position only.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Plain Node scripts (migrations, schema generation, the worker shim) run outside TypeScript's lib.
    files: ['**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly' } },
  },
  {
    // The page's modules run in the browser as they are (no build step): its globals, no Node's.
    files: ['public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'document',
          'window',
          'location',
          'localStorage',
          'fetch',
          'crypto',
          'confirm',
          'setTimeout',
          'clearTimeout',
          'FormData',
          'Node',
          'Option',
          'URLSearchParams',
          'URL',
          'Blob',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    // The scenario runner reads untyped scenario JSON (to be typed with labs/scenario-format's Json).
    files: ['test/scenario-runner/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
