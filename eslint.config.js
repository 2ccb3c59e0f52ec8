// ESLint for the whole repository, with extra rules for Nango scripts (nango-integrations/): what Nango's sandbox
// lacks fails at run time only once deployed, so lint is where we catch it. Nango's published rules
// (@nangohq/eslint-plugin-custom-integrations-linting 0.0.4) do not load under ESLint 10: 6 of its 10 rules, among
// them proxy-call-retries and no-console-log, call context.getSourceCode() or context.getAncestors(), which ESLint 10
// removed. Their intent is enforced below and in eslint-rules/.
// tests/tooling/lint-rules.test.ts proves every rule below still fires.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import nangoLocal from './eslint-rules/index.js';

/** Globals Node offers but Nango's sandbox (a node:vm context, see docs/nango-sandbox.md) does not. */
const SANDBOX_MISSING_GLOBALS = [
    'fetch',
    'process',
    'TextEncoder',
    'TextDecoder',
    'atob',
    'btoa',
    'structuredClone',
    'AbortController',
    'AbortSignal',
    'setInterval',
    'clearInterval',
    'clearTimeout',
    'setImmediate',
    'clearImmediate',
    'queueMicrotask',
    'performance',
    'crypto',
    'require',
    'module',
    'exports',
    '__dirname',
    '__filename',
    'global',
    'WebSocket',
    'navigator'
];

const SANDBOX_GLOBAL_MESSAGE =
    "is not defined in Nango's script sandbox (only console, Buffer, setTimeout, URL, URLSearchParams and the language built-ins are)";

/** Module specifiers a script may import at run time: relative files and what the sandbox's `require` answers. */
const SANDBOX_IMPORT_PATTERN = '^(?!\\.{1,2}/|zod$|crypto$|url$|nango$)';

const DYNAMIC_IMPORT = {
    selector: 'ImportExpression',
    message: "Nango's sandbox has no dynamic import(): use a static import of a relative file, zod, crypto, url or nango."
};

const ENTRY_FILE_EXPORTS = [
    {
        selector: 'ExportNamedDeclaration[exportKind="value"][declaration]',
        message: 'A Nango entry file (syncs/*.ts, actions/*.ts) exports only `default`: move helpers to a file beside it.'
    },
    {
        selector: 'ExportNamedDeclaration[exportKind="value"] > ExportSpecifier[exportKind="value"]',
        message: 'A Nango entry file (syncs/*.ts, actions/*.ts) exports only `default`: move helpers to a file beside it.'
    },
    {
        selector: 'ExportAllDeclaration[exportKind="value"]',
        message: 'A Nango entry file (syncs/*.ts, actions/*.ts) exports only `default`.'
    }
];

/** Node's globals for the few plain .js/.mjs files (this config, eslint-rules/, test preloads). */
const NODE_GLOBALS = Object.fromEntries(
    ['process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'setTimeout', 'clearTimeout', 'setImmediate', 'fetch'].map((name) => [
        name,
        'readonly'
    ])
);

export default defineConfig(
    // Dot-folders hold generated or local-only files (.nango, .nango-local, scratch folders), never source.
    globalIgnores(['node_modules/', 'nango-integrations/build/', '**/dist/', '**/.nango/', '.*/', 'coverage/']),
    js.configs.recommended,
    tseslint.configs.recommended,
    {
        files: ['**/*.ts'],
        languageOptions: {
            parserOptions: {
                projectService: true,
                tsconfigRootDir: import.meta.dirname
            }
        },
        rules: {
            // The type-aware rules that catch real bugs for the price of the one type-check ESLint already does.
            '@typescript-eslint/no-floating-promises': 'error',
            '@typescript-eslint/no-misused-promises': 'error',
            '@typescript-eslint/await-thenable': 'error',
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }]
        }
    },
    {
        files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
        languageOptions: { globals: NODE_GLOBALS }
    },
    {
        files: ['nango-integrations/**/*.ts'],
        plugins: { 'nango-local': nangoLocal },
        rules: {
            'nango-local/proxy-call-retries': 'error',
            // Nango's production runner makes console a no-op: `await nango.log(...)` reaches the dashboard.
            'no-console': 'error',
            '@typescript-eslint/require-await': 'error',
            '@typescript-eslint/no-import-type-side-effects': 'error',
            '@typescript-eslint/no-restricted-imports': [
                'error',
                {
                    paths: [{ name: 'node:crypto', message: "`node:crypto` throws in Nango's sandbox: import from 'crypto'." }],
                    patterns: [
                        {
                            regex: SANDBOX_IMPORT_PATTERN,
                            allowTypeImports: true,
                            message:
                                "Nango's sandbox only resolves relative files, 'zod', 'crypto', 'url' and 'nango' (use `import type` for types from other packages)."
                        }
                    ]
                }
            ],
            'no-restricted-globals': [
                'error',
                ...SANDBOX_MISSING_GLOBALS.map((name) => ({ name, message: `\`${name}\` ${SANDBOX_GLOBAL_MESSAGE}.` }))
            ],
            'no-restricted-properties': [
                'error',
                ...SANDBOX_MISSING_GLOBALS.map((property) => ({ object: 'globalThis', property, message: SANDBOX_GLOBAL_MESSAGE }))
            ],
            // The sandbox context is created with codeGeneration: { strings: false }.
            'no-eval': 'error',
            'no-new-func': 'error',
            '@typescript-eslint/no-implied-eval': 'error',
            'no-restricted-syntax': ['error', DYNAMIC_IMPORT]
        }
    },
    {
        files: ['nango-integrations/*/syncs/*.ts', 'nango-integrations/*/actions/*.ts'],
        rules: {
            'no-restricted-syntax': ['error', DYNAMIC_IMPORT, ...ENTRY_FILE_EXPORTS]
        }
    },
    {
        files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
        extends: [tseslint.configs.disableTypeChecked]
    }
);
