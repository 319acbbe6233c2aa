// ESLint over everything the project writes: the TypeScript of src, test, bench, scenarios and
// scripts (typescript-eslint's recommended rules, with type information), the browser scripts the
// emulator serves as they are, and the few Node scripts in plain JavaScript. `npm test` runs it
// (test/unit/typecheck.test.ts), so CI catches what tap's transpile-only run of the tests cannot.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'coverage/', '.tap/', 'artifacts/', 'docs/', '**/node_modules/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Fastify tells a promise hook from a callback hook by what it returns: an async hook or handler
      // without await is how a hook that does not call done() is written, not a mistake.
      '@typescript-eslint/require-await': 'off',
      // tap runs the subtests a test file starts: the promise t.test() returns needs no await.
      // Destructuring fields away to keep the rest (`const { id: _id, ...rest } = rule`) is the idiom for "all but".
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafePromises: [{ from: 'package', name: 'PromiseWithSubtest', package: '@tapjs/core' }] }],
    },
  },
  {
    // Answers are read untyped (inject's json() is any) and then compared whole with strictSame: typing
    // each read would restate what the assertion already checks.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The package consumer is type-checked against the built package by test/package, not by tsconfig.json.
    files: ['test/package/consumer/**/*.ts'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Served to browsers as they are: plain scripts with the DOM's globals (tsconfig.browser.json checks their types).
    files: ['src/ui/**/assets/*.js'],
    languageOptions: { sourceType: 'script', globals: globals.browser },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.mjs', 'test/package/consumer/**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
);
