/**
 * tool-config.json and backend/src/catalog.generated.ts are generated from the scripts' definitions: they are up to
 * date (this test is the drift check of `npm test`), hold one tool per synced model and per action, carry the JSON
 * Schemas of the models the scripts declare, and `npm run tool-config:check` fails on a stale file.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ToolConfig } from '../../scripts/backend-catalog.js';
import { readEntryPoints, ROOT } from '../../scripts/nango-folder.js';
import { generate, staleFiles, type Generated } from '../../scripts/tool-config.js';

const require = createRequire(import.meta.url);
const TSX_CLI = require.resolve('tsx/cli');

interface Definition {
    models?: Record<string, z.ZodType>;
    input?: z.ZodType;
    output?: z.ZodType;
}

async function definitionOf(file: string): Promise<Definition> {
    return ((await import(pathToFileURL(file).href)) as { default: Definition }).default;
}

let generated: Generated;
let committed: ToolConfig;

beforeAll(async () => {
    generated = await generate();
    committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'tool-config.json'), 'utf8')) as ToolConfig;
});

describe('tool-config.json', () => {
    it('is up to date with the scripts, and so is backend/src/catalog.generated.ts (else: npm run tool-config)', () => {
        expect(staleFiles(generated)).toEqual([]);
    });

    it('has one cache tool per model of every sync and one action tool per action, named uniquely', async () => {
        const expected: string[] = [];
        for (const entry of readEntryPoints()) {
            const definition = await definitionOf(entry.file);
            if (entry.kind === 'syncs') {
                expected.push(...Object.keys(definition.models ?? {}).map((model) => `cache ${entry.integration} ${model}`));
            } else if (entry.kind === 'actions') {
                expected.push(`action ${entry.integration} ${entry.name}`);
            }
        }
        const tools = committed.tools.map((t) =>
            t.source === 'cache' ? `cache ${t.integration} ${t.cache_model}` : `action ${t.integration} ${t.action}`
        );
        expect(tools.sort()).toEqual(expected.sort());
        expect(new Set(committed.tools.map((t) => t.name)).size).toBe(committed.tools.length);
        for (const tool of committed.tools) {
            expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
            expect(tool.description.length, tool.name).toBeGreaterThan(10);
        }
    });

    it("carries the JSON Schema of each script's own zod schemas", async () => {
        for (const entry of readEntryPoints()) {
            const definition = await definitionOf(entry.file);
            if (entry.kind === 'syncs') {
                for (const [model, schema] of Object.entries(definition.models ?? {})) {
                    const tool = committed.tools.find((t) => t.source === 'cache' && t.cache_model === model);
                    expect(tool?.source === 'cache' ? tool.record_schema : undefined, model).toEqual(z.toJSONSchema(schema));
                    expect(tool?.source === 'cache' ? tool.sync : undefined).toBe(entry.name);
                }
            } else if (entry.kind === 'actions') {
                const tool = committed.tools.find(
                    (t) => t.source === 'action' && t.integration === entry.integration && t.action === entry.name
                );
                if (tool?.source !== 'action' || !definition.input || !definition.output)
                    throw new Error(`no action tool for ${entry.name}`);
                expect(tool.input_schema, entry.name).toEqual(z.toJSONSchema(definition.input, { io: 'input' }));
                expect(tool.output_schema, entry.name).toEqual(z.toJSONSchema(definition.output));
            }
        }
    });

    it('`tool-config:check` fails on a stale file and passes on fresh ones', () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tool-config-'));
        try {
            for (const [file, text] of generated.files) {
                fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
                fs.writeFileSync(path.join(root, file), text);
            }
            const stale = committed.tools.map((t) =>
                t.source === 'cache' && t.cache_model === 'SalesforceLead' ? { ...t, record_schema: {} } : t
            );
            fs.writeFileSync(path.join(root, 'tool-config.json'), JSON.stringify({ ...committed, tools: stale }, null, 4));
            const run = spawnSync(process.execPath, [TSX_CLI, 'scripts/tool-config.ts', '--check', '--root', root], {
                cwd: ROOT,
                encoding: 'utf8'
            });
            expect(run.status).toBe(1);
            expect(run.stderr).toContain('tool-config.json');
            expect(run.stderr).toContain('npm run tool-config');
            expect(staleFiles(generated, root)).toEqual(['tool-config.json']);
            fs.writeFileSync(path.join(root, 'tool-config.json'), generated.files.get('tool-config.json') ?? '');
            expect(staleFiles(generated, root)).toEqual([]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
