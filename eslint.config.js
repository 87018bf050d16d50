// ESLint (flat config) for the import rules of docs/ARCHITECTURE.md, "Rules". `npm run lint` runs
// it with zero warnings allowed, as the first step of `npm test`; tests/unit/lint-config.test.ts
// checks that each rule fires. Formatting is Prettier's (`npm run format`), not ESLint's.
import tseslint from 'typescript-eslint';

/** Engine modules a component may import values from: the choice tables and the catalogs (plain data). */
const CATALOGS = String.raw`(choices/[\w-]+|data/registry|models/architectures|study/published|study/preset)$`;

export default tseslint.config(
  { ignores: ['dist/**', 'dist-*/**', 'node_modules/**', 'public/**', '.cache/**', 'test-results*/**', 'playwright-report/**', 'tools/zoo/build/**'] },
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `import type` where only types are used, so a type import never loads a module.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The engine is pure TypeScript: it runs in the worker, in Node (tests, CLI) and in benchmarks.
    files: ['src/engine/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['react', 'react-dom', 'zustand', 'recharts', 'idb-keyval'].map((name) => ({ name, message: 'The engine imports no UI or store library (docs/ARCHITECTURE.md, Rules).' })),
          patterns: [{ regex: String.raw`(^|/)(state|components|workers)/|(^|/)main$|bench-hook$`, message: 'The engine imports no store, component or worker code (docs/ARCHITECTURE.md, Rules).' }],
        },
      ],
      'no-restricted-globals': ['error', ...['document', 'window', 'localStorage', 'sessionStorage', 'indexedDB'].map((name) => ({ name, message: 'The engine runs in a worker and in Node: no DOM.' }))],
    },
  },
  {
    // Components render what the store holds. They may import engine types, and values only from
    // the choice tables and catalogs; engine compute (and tfjs) is reached through the store.
    files: ['src/components/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`(^|/)engine/(?!${CATALOGS})`,
              allowTypeImports: true,
              message:
                'Components import engine types, and values only from the choice tables (engine/choices/) and catalogs (data/registry, models/architectures, study/published, study/preset); compute goes through the store (docs/ARCHITECTURE.md, Rules).',
            },
            { regex: '^@tensorflow/', allowTypeImports: true, message: 'Components never run tfjs: the worker does (docs/ARCHITECTURE.md, Rules).' },
            { regex: String.raw`(^|/)workers/`, allowTypeImports: true, message: 'Components reach the worker through the store (state/jobs.ts).' },
          ],
        },
      ],
    },
  },
  {
    // The store runs on the main thread: it calls the worker for compute, never tfjs itself, and
    // never imports the views.
    files: ['src/state/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^@tensorflow/', allowTypeImports: true, message: 'The store never runs tfjs: the worker does.' },
            { regex: String.raw`(^|/)components/`, message: 'The store does not import views.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/workers/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['react', 'react-dom', 'zustand', 'recharts'].map((name) => ({ name, message: 'Workers run engine jobs: no UI or store.' })),
          patterns: [{ regex: String.raw`(^|/)(state|components)/`, message: 'Workers run engine jobs: no store or component code.' }],
        },
      ],
    },
  },
);
