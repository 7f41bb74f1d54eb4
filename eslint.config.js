// ESLint flat config (`npm run lint`): typescript-eslint's recommended rules over the sources, tests,
// benchmarks, scripts and the web app. Type checking itself is tsc's (also in `npm run lint`), so the
// syntactic rule set runs here, without type information: it stays fast on a loaded machine.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-artifacts/', '.urbis/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // A leading underscore marks a binding kept on purpose (a member dropped by destructuring, an unused parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Flags the last cursor increment of the byte encoders and initial values that keep a variable's type and default visible; rewriting them buys nothing.
      'no-useless-assignment': 'off',
    },
  },
  {
    // Plain JavaScript entry points run on Node.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // Tests read untyped JSON answers of the API and tamper with them.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
