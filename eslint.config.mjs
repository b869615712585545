import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** A layer may not import from the named directories of src (or these packages). */
function layer(files, message, dirs, packages = []) {
  return {
    files: [files],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: `^\\.{1,2}/(?:\\.\\./)*(?:${dirs.join('|')})(?:/|$)`, message },
            ...(packages.length ? [{ regex: `^(?:${packages.join('|')})$`, message }] : []),
          ],
        },
      ],
    },
  };
}

/** A file may import none of our modules whose specifier matches `regex`. */
function only(files, message, regex) {
  return {
    files: [files],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex, message }] }] },
  };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'var/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  // The layers (DESIGN.md, Shape): dependencies point inward. api → services → models;
  // workers → services; services know no HTTP, queue or worker; services, models and
  // clients know nothing of the environment: the entry points parse it and pass it in.
  layer(
    'src/services/**/*.ts',
    'services know no HTTP, queues, workers or clients: take inputs as plain types, declare the ports they need',
    ['api', 'queues', 'workers', 'clients', 'config', 'test-support'],
    ['express', 'bullmq'],
  ),
  layer('src/models/**/*.ts', 'models know nothing above them, nor the environment', [
    'services',
    'api',
    'queues',
    'workers',
    'config',
  ]),
  // src/shared holds the leaves every part may read (names, domain errors, the address
  // policy, the secret-strength estimate): they import nothing of ours outside it, and
  // configuration reads nothing else, so loading the config loads no part of the service.
  only('src/shared/**/*.ts', 'shared leaves import nothing of ours outside src/shared', '^\\.\\./'),
  only('src/config.ts', 'configuration imports only the shared leaves', '^\\./(?!shared/)'),
  layer(
    'src/clients/**/*.ts',
    'clients are adapters: they implement the ports services declare, and are given their settings',
    ['services', 'api', 'queues', 'workers', 'config'],
  ),
  layer('src/queues/**/*.ts', 'queues know no HTTP and no worker', ['api', 'workers'], ['express']),
  layer('src/workers/**/*.ts', 'workers know no HTTP', ['api'], ['express']),
  // A double cast hides whatever type error it covers: only where a library's types are
  // narrower than what it takes, and then only in src/shared/type-gaps.ts, with the reason.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/shared/type-gaps.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSAsExpression > TSNeverKeyword.typeAnnotation',
          message: 'no `as never`: type the value (a library gap goes in src/shared/type-gaps.ts)',
        },
        {
          selector: 'TSAsExpression > TSAsExpression.expression > TSUnknownKeyword.typeAnnotation',
          message: 'no `as unknown as`: type the value (a library gap goes in src/shared/type-gaps.ts)',
        },
      ],
    },
  },
  // Last: layout is prettier's (npm run format); rules that would argue with it are off.
  prettier,
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
