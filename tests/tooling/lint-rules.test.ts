/**
 * The lint rules that stand in for Nango's sandbox must keep firing: each bad snippet below, linted as if it sat in
 * nango-integrations/, must be reported by the named rule, and the good snippets must pass clean (so a rule that
 * reports everything would fail too). Runs ESLint's Node API with the repository's eslint.config.js.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Files that do not exist: ESLint and the TypeScript project service lint the text given for them.
const HELPER = path.join(root, 'nango-integrations/google-mail/lint-probe.ts');
const ENTRY = path.join(root, 'nango-integrations/google-mail/syncs/lint-probe.ts');
const OUTSIDE = path.join(root, 'runner/lint-probe.ts');

let eslint: ESLint;

beforeAll(() => {
    // The probes do not exist on disk, so the TypeScript project service would not find them in tsconfig.json's
    // program: let it open them in a default project built from the same tsconfig.json. Only the parser's project
    // lookup is overridden here; every rule comes from eslint.config.js.
    const probes = [HELPER, ENTRY, OUTSIDE].map((file) => path.relative(root, file));
    eslint = new ESLint({
        cwd: root,
        overrideConfig: {
            files: probes,
            languageOptions: { parserOptions: { projectService: { allowDefaultProject: probes, defaultProject: 'tsconfig.json' } } }
        }
    });
});

async function ruleIds(code: string, filePath = HELPER): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    if (!result) {
        throw new Error('ESLint returned no result');
    }
    const fatal = result.messages.filter((m) => m.fatal);
    if (fatal.length > 0) {
        throw new Error(`snippet did not parse: ${fatal.map((m) => m.message).join('; ')}`);
    }
    return result.messages.map((m) => m.ruleId ?? '(none)');
}

/** Wraps statements in a function with a typed `nango`, as a script's helper would be. */
function inScript(body: string, imports = ''): string {
    return `import type { NangoSync } from 'nango';\n${imports}\nexport async function probe(nango: NangoSync): Promise<unknown> {\n${body}\n}\n`;
}

describe('proxy calls state retries (nango-local/proxy-call-retries)', () => {
    for (const method of ['get', 'post', 'put', 'patch', 'delete', 'proxy']) {
        it(`reports nango.${method} without retries`, async () => {
            const ids = await ruleIds(inScript(`return await nango.${method}({ endpoint: '/x' });`));
            expect(ids).toContain('nango-local/proxy-call-retries');
        });
    }

    it('reports nango.paginate without retries', async () => {
        const ids = await ruleIds(
            inScript(`for await (const page of nango.paginate({ endpoint: '/x' })) { await nango.log(String(page.length)); }\nreturn null;`)
        );
        expect(ids).toContain('nango-local/proxy-call-retries');
    });

    it('reports a call with no configuration, a const without retries, an opaque variable and a bad value', async () => {
        // Lint does not type-check: a call without arguments still reaches the rule.
        expect(await ruleIds(inScript(`return await nango.get();`))).toContain('nango-local/proxy-call-retries');
        expect(await ruleIds(inScript(`return await this.nango.get({ endpoint: '/x' });`))).toContain('nango-local/proxy-call-retries');
        const constWithout = await ruleIds(inScript(`const config = { endpoint: '/x' };\nreturn await nango.get(config);`));
        expect(constWithout).toContain('nango-local/proxy-call-retries');
        const opaque = await ruleIds(
            `import type { NangoSync, ProxyConfiguration } from 'nango';\nexport async function probe(nango: NangoSync, config: ProxyConfiguration): Promise<unknown> {\nreturn await nango.get(config);\n}\n`
        );
        expect(opaque).toContain('nango-local/proxy-call-retries');
        const negative = await ruleIds(inScript(`return await nango.get({ endpoint: '/x', retries: -1 });`));
        expect(negative).toContain('nango-local/proxy-call-retries');
        const fraction = await ruleIds(inScript(`return await nango.get({ endpoint: '/x', retries: 2.5 });`));
        expect(fraction).toContain('nango-local/proxy-call-retries');
    });

    it('accepts retries stated directly, through a const, or through a spread of a const', async () => {
        expect(await ruleIds(inScript(`return await nango.get({ endpoint: '/x', retries: 3 });`))).toEqual([]);
        expect(await ruleIds(inScript(`return await nango.post({ endpoint: '/x', data: {}, retries: 0 });`))).toEqual([]);
        expect(await ruleIds(inScript(`const config = { endpoint: '/x', retries: 5 };\nreturn await nango.get(config);`))).toEqual([]);
        expect(
            await ruleIds(inScript(`const base = { retries: 5 } as const;\nreturn await nango.get({ ...base, endpoint: '/x' });`))
        ).toEqual([]);
        const paginate = inScript(
            `for await (const page of nango.paginate({ endpoint: '/x', retries: 10 })) { await nango.log(String(page.length)); }\nreturn null;`
        );
        expect(await ruleIds(paginate)).toEqual([]);
    });
});

describe('no console in scripts (no-console)', () => {
    it('reports console.log and console.error in a script, not outside nango-integrations/', async () => {
        expect(await ruleIds(inScript(`console.log('x');\nreturn await nango.getMetadata();`))).toContain('no-console');
        expect(await ruleIds(inScript(`console.error('x');\nreturn await nango.getMetadata();`))).toContain('no-console');
        expect(await ruleIds(`export function probe(): void {\n    console.log('x');\n}\n`, OUTSIDE)).toEqual([]);
    });
});

describe('promises are awaited', () => {
    it('reports a floating nango.log (no-floating-promises)', async () => {
        const ids = await ruleIds(inScript(`nango.log('x');\nreturn null;`));
        expect(ids).toContain('@typescript-eslint/no-floating-promises');
    });

    it('reports an async callback where a void one is expected (no-misused-promises)', async () => {
        const ids = await ruleIds(inScript(`['a'].forEach(async (m) => { await nango.log(m); });\nreturn null;`));
        expect(ids).toContain('@typescript-eslint/no-misused-promises');
    });

    it('reports an async function that awaits nothing (require-await)', async () => {
        const ids = await ruleIds(`export async function probe(): Promise<number> {\n    return 1;\n}\n`);
        expect(ids).toContain('@typescript-eslint/require-await');
    });
});

describe('imports the sandbox resolves', () => {
    it('reports packages the sandbox cannot require, and node:crypto', async () => {
        expect(
            await ruleIds(inScript('return await nango.getMetadata();', `import { gmail } from '@googleapis/gmail';\nvoid gmail;`))
        ).toContain('@typescript-eslint/no-restricted-imports');
        expect(
            await ruleIds(inScript('return await nango.getMetadata();', `import { randomUUID } from 'node:crypto';\nvoid randomUUID;`))
        ).toContain('@typescript-eslint/no-restricted-imports');
        expect(await ruleIds(inScript('return await nango.getMetadata();', `import fs from 'fs';\nvoid fs;`))).toContain(
            '@typescript-eslint/no-restricted-imports'
        );
        expect(await ruleIds(inScript('return await nango.getMetadata();', `import { z } from 'zod/v4';\nvoid z;`))).toContain(
            '@typescript-eslint/no-restricted-imports'
        );
    });

    it('reports an inline type import, which leaves a runtime import behind', async () => {
        const ids = await ruleIds(
            inScript(
                'return await nango.getMetadata();',
                `import { type gmail_v1 } from '@googleapis/gmail';\nexport type T = gmail_v1.Schema$Message;`
            )
        );
        expect(ids).toContain('@typescript-eslint/no-import-type-side-effects');
    });

    it('accepts relative files, zod, crypto, url, nango and `import type` from any package', async () => {
        const imports = [
            `import { z } from 'zod';`,
            `import crypto from 'crypto';`,
            `import { URL as NodeUrl } from 'url';`,
            `import { createSync } from 'nango';`,
            `import { GmailThread } from '../../models.js';`,
            `import type { gmail_v1 } from '@googleapis/gmail';`,
            `export type T = gmail_v1.Schema$Message;`,
            `void [z, crypto, NodeUrl, createSync, GmailThread];`
        ].join('\n');
        expect(await ruleIds(inScript('return await nango.getMetadata();', imports))).toEqual([]);
    });

    it('reports a dynamic import()', async () => {
        const ids = await ruleIds(inScript(`const m: unknown = await import('./other.js');\nreturn m;`));
        expect(ids).toContain('no-restricted-syntax');
    });
});

describe('globals the sandbox lacks (no-restricted-globals)', () => {
    const banned: Record<string, string> = {
        fetch: `await fetch('https://example.com');`,
        process: `await nango.log(String(process.env['X']));`,
        TextEncoder: `await nango.log(String(new TextEncoder().encode('x').length));`,
        TextDecoder: `await nango.log(new TextDecoder().decode(new Uint8Array()));`,
        atob: `await nango.log(atob('eA=='));`,
        btoa: `await nango.log(btoa('x'));`,
        structuredClone: `await nango.log(JSON.stringify(structuredClone({})));`,
        AbortController: `await nango.log(String(new AbortController().signal.aborted));`,
        setInterval: `setInterval(() => undefined, 10);\nawait nango.log('x');`,
        clearTimeout: `clearTimeout(setTimeout(() => undefined, 10));\nawait nango.log('x');`,
        queueMicrotask: `queueMicrotask(() => undefined);\nawait nango.log('x');`
    };
    for (const [name, statement] of Object.entries(banned)) {
        it(`reports ${name}`, async () => {
            const ids = await ruleIds(inScript(`${statement}\nreturn null;`));
            expect(ids).toContain('no-restricted-globals');
        });
    }

    it('reports the same names reached through globalThis (no-restricted-properties)', async () => {
        const ids = await ruleIds(inScript(`await globalThis.fetch('https://example.com');\nreturn null;`));
        expect(ids).toContain('no-restricted-properties');
    });

    it('accepts what the sandbox offers: Buffer, setTimeout, URL, URLSearchParams', async () => {
        const body = [
            `const url = new URL('https://example.com');`,
            `url.search = new URLSearchParams({ q: Buffer.from('x', 'utf8').toString('base64') }).toString();`,
            `await new Promise((resolve) => setTimeout(resolve, 1));`,
            `await nango.log(url.toString());`,
            `return null;`
        ].join('\n');
        expect(await ruleIds(inScript(body))).toEqual([]);
    });
});

describe('code generation and entry files', () => {
    it('reports eval and new Function', async () => {
        expect(await ruleIds(inScript(`await nango.log(String(eval('1')));\nreturn null;`))).toContain('no-eval');
        expect(await ruleIds(inScript(`await nango.log(String(new Function('return 1')()));\nreturn null;`))).toContain('no-new-func');
    });

    it('reports a named export from an entry file, not from a helper', async () => {
        const code = `import { createSync } from 'nango';\nexport const helper = 1;\nexport default createSync;\n`;
        expect(await ruleIds(code, ENTRY)).toContain('no-restricted-syntax');
        expect(await ruleIds(code, HELPER)).toEqual([]);
        expect(await ruleIds(`import { createSync } from 'nango';\nexport type T = string;\nexport default createSync;\n`, ENTRY)).toEqual(
            []
        );
    });
});
