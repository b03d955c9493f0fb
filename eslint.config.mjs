// ESLint (flat config). Formatting is Prettier's job (.prettierrc); eslint-config-prettier, last,
// turns off every rule that would disagree with it. `npm run lint` runs both.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'generated/', 'node_modules/', 'coverage/', 'data/', '.tmp/', '.cache/'] },

  js.configs.recommended,
  // Type-aware: the whole tree lints in well under 30 s, so the rules that need types are on.
  // Every .ts file is in tsconfig.json, which the project service finds by itself.
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A leading underscore marks a name kept on purpose: a destructured key taken out of an
      // object so that the rest can be passed on (`const { status: _s, ...doc } = body`), an
      // array slot skipped, or a parameter an interface requires (a Jest reporter's `_contexts`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },

  // Plain JavaScript (jest.config.js, test/summary-reporter.js, test/contract/*.js): CommonJS
  // scripts for Node, outside tsconfig.json, so without the type-aware rules.
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs'], extends: [tseslint.configs.disableTypeChecked], languageOptions: { globals: { ...globals.node } } },
  { files: ['test/**'], languageOptions: { globals: { ...globals.jest } } },
  // Tests and benchmarks read the server's JSON answers, which are untyped data by nature; the
  // spec check in every HTTP test is what holds their shape. src/ keeps these rules.
  {
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },

  prettier,
);
