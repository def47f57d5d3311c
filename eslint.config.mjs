// Lint for every project (`npx nx run-many -t lint`): ESLint's and typescript-eslint's recommended
// rules, without type information (fast enough to run per project on every change).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/.arca/**', 'services/gateway/console/**', 'e2e/output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The CLI's launcher is plain CommonJS run by Node.
    files: ['cli/bin/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      // Unused arguments named _x are intentional (interface shapes, Nest signatures).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
);
