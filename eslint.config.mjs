// ESLint: JavaScript's recommended rules and typescript-eslint's recommended type-checked ones,
// which read the types tsconfig.json gives (a floating promise, a value of type any spreading,
// awaiting what is not a promise). Not strictTypeChecked: what it adds here is style the code
// does not follow (no `!`, no numbers in template strings, no `void` expressions in arrows) and
// no-unnecessary-condition, which calls a `?? fallback` after an index read unnecessary.
// Formatting is Prettier's (.prettierrc.json); ESLint's recommended sets check no formatting.
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', 'tmp/']),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // As tsc's noUnusedLocals reads them: a name starting with _ is unused on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Fakes implement the async interfaces of src/ with async methods that have nothing to await.
      '@typescript-eslint/require-await': 'off',
      // Tests read untyped JSON and YAML (the GitHub stand-in's bodies, GitHub's OpenAPI
      // description, workflows) and vitest types its asymmetric matchers (expect.stringMatching)
      // as any. These rules keep any from spreading through src/; in a test, a wrong guess about
      // a value's shape fails the test.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (scripts/, this file, the fixture's stand-in service): no types to check.
    files: ['**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
)
