// Lint enforces the layering habits in STYLE.md (workflow code stays deterministic and
// bundleable, executors stay free of Temporal and the store) plus a few correctness rules.
// Formatting is Prettier's job (.prettierrc.json), so no stylistic rules here.
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const sourceDirs = ['components', 'pipelines', 'workflows', 'schemas', 'src', 'test', 'bench', 'bin'];
const tsFiles = sourceDirs.map((d) => `${d}/**/*.ts`);

// Type imports stay allowed everywhere: they are erased, so they never reach the bundle.
const restrict = (names, message) => names.map((name) => ({ name, message, allowTypeImports: true }));
const nodeBuiltins = (why) => [
  ...restrict(builtinModules, `Node builtins are not allowed here: ${why}`),
  ...restrict(['better-sqlite3', 'pg'], `Node-only packages are not allowed here: ${why}`),
];
const nodePrefixPattern = (why) => ({
  group: ['node:*'],
  message: `Node builtins are not allowed here: ${why}`,
  allowTypeImports: true,
});

const workflowWhy = 'workflow code runs in the deterministic sandbox; reach Node through activities.';
const schemasWhy = 'schemas/ must stay importable by workflow code.';
const browserWhy = 'src/ml/browser/ is bundled for the browser (test/helpers/browser-bundle.ts).';

export default defineConfig(
  { ignores: ['node_modules/', '.tsfx/', 'coverage/', '.venv*/', 'tmp/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: [...tsFiles, 'bin/**/*.js', '*.js', '*.ts'],
    languageOptions: {
      parserOptions: {
        // files outside tsconfig's include (root configs, the JS bin shim) get a default project
        projectService: { allowDefaultProject: ['*.js', '*.ts', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      // without the TS extensions import-x skips .ts modules, and no-cycle sees no edges
      'import-x/extensions': importX.flatConfigs.typescript.settings['import-x/extensions'],
      'import-x/parsers': importX.flatConfigs.typescript.settings['import-x/parsers'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      'import-x/no-cycle': 'error',
    },
  },
  {
    // Tests cast to `any` on purpose: they push ill-typed input past the compiler to check
    // that runtime validation rejects it.
    files: ['test/**/*.ts', '**/*.test.ts', '**/*.test-d.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Only @temporalio/workflow, schemas/ and type imports: everything else is either
    // non-deterministic, Node-only, or too heavy for the workflow bundle.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins(workflowWhy),
            ...restrict(
              ['@temporalio/activity', '@temporalio/worker', '@temporalio/client'],
              'Workflow code imports only @temporalio/workflow; activities reach it via proxyActivities<typeof ...>.',
            ),
            ...restrict(['kysely', 'apache-arrow'], `Not in workflow code: ${workflowWhy}`),
          ],
          patterns: [
            nodePrefixPattern(workflowWhy),
            {
              regex: String.raw`^\.\./(?!schemas/)`,
              message: 'Workflow code imports only types from outside workflows/ (values only from schemas/).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['schemas/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins(schemasWhy),
          patterns: [
            nodePrefixPattern(schemasWhy),
            { group: ['**/src/**'], message: `Only type imports from src/: ${schemasWhy}`, allowTypeImports: true },
          ],
        },
      ],
    },
  },
  {
    // the raw-feature predictor is the browser bundle's core too (and serving's)
    files: ['src/ml/browser/**/*.ts', 'src/ml/model-predictor.ts', 'src/ml/raw-instances.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins(browserWhy),
            ...restrict(
              ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
              `Node-only packages are not allowed here: ${browserWhy}`,
            ),
          ],
          patterns: [nodePrefixPattern(browserWhy)],
        },
      ],
    },
  },
  {
    // registry.ts is the one place components meet the runtime.
    files: ['components/**/*.ts'],
    ignores: ['components/registry.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@temporalio/*'],
              message: 'Executors never import Temporal: the activity adapter wraps them.',
            },
            {
              group: ['**/src/metadata/**', '**/src/metadata'],
              message: 'Executors never touch the metadata store: only the activity adapter writes lineage.',
            },
          ],
        },
      ],
    },
  },
);
