/**
 * The catalog a product's backend builds on: which models each sync of each integration saves, which connection
 * metadata it reads, which input and output each action takes. It is read from one place, the scripts' own
 * `createSync` / `createAction` definitions (the objects `nango compile` turns into .nango/nango.json), with the
 * schemas named as models.ts exports them. Two files are generated from it:
 *
 * - `backend/src/catalog.generated.ts`: the catalog as TypeScript over the zod schemas of models.ts, which the
 *   backend package types and validates with;
 * - `tool-config.json`: one tool per synced model and per action, with JSON Schemas, for the product's assistant.
 *
 * `npm run tool-config` writes both; `npm run tool-config:check` fails when either is stale (tests/backend/ runs it).
 */
import path from 'node:path';
import { z } from 'zod';
import { loadZodSources, type ZodSources } from './manifest/zod-sources.js';
import { readEntryPoints, ROOT } from './nango-folder.js';

type Zod = z.core.$ZodType;

export const CATALOG_FILE = path.join(ROOT, 'backend', 'src', 'catalog.generated.ts');
export const TOOL_CONFIG_FILE = path.join(ROOT, 'tool-config.json');

interface ScriptDefinition {
    description?: string;
    models?: Record<string, Zod>;
    metadata?: Zod;
    input?: Zod;
    output?: Zod;
}

export interface CatalogSync {
    integration: string;
    name: string;
    description: string;
    /** Model name -> its schema, in the order the script declares them. */
    models: [string, Zod][];
    /** The models.ts export name of the metadata schema, with the schema. */
    metadata: [string, Zod] | null;
}

export interface CatalogAction {
    integration: string;
    name: string;
    description: string;
    input: [string, Zod];
    output: [string, Zod];
}

export interface Catalog {
    syncs: CatalogSync[];
    actions: CatalogAction[];
}

function pascal(scriptName: string): string {
    return scriptName.replace(/(^|-)([a-z0-9])/g, (_m, _dash: string, c: string) => c.toUpperCase());
}

/** The export name of a schema in models.ts; an alias named after the script (`ReplyEmailOutput`) wins. */
function exportName(sources: ZodSources, schema: Zod | undefined, preferred: string, where: string): [string, Zod] {
    const names = schema ? (sources.names.get(schema) ?? []) : [];
    const name = names.includes(preferred) ? preferred : names[0];
    if (!schema || !name) {
        throw new Error(`${where} is not a schema exported by models.ts: the backend can only import what models.ts exports`);
    }
    return [name, schema];
}

export function catalogOf(sources: ZodSources): Catalog {
    const catalog: Catalog = { syncs: [], actions: [] };
    const modelOwner = new Map<string, string>();
    for (const entry of readEntryPoints()) {
        const key = `${entry.integration}/${entry.name}`;
        const script = sources.scripts.get(key) as ScriptDefinition | undefined;
        if (!script) {
            throw new Error(`${key} is listed in index.ts but was not loaded`);
        }
        const description = script.description ?? '';
        if (entry.kind === 'syncs') {
            const models = Object.entries(script.models ?? {});
            for (const [model, schema] of models) {
                exportName(sources, schema, model, `${key} model ${model}`);
                // listRecords names a model alone, as Nango's records API does per integration; one name, one owner.
                const owner = modelOwner.get(model);
                if (owner && owner !== key) {
                    throw new Error(`model ${model} is saved by both ${owner} and ${key}: give one of them another name`);
                }
                modelOwner.set(model, key);
            }
            const metadata = script.metadata
                ? exportName(sources, script.metadata, `${pascal(entry.name)}Metadata`, `${key} metadata`)
                : null;
            catalog.syncs.push({ integration: entry.integration, name: entry.name, description, models, metadata });
        } else if (entry.kind === 'actions') {
            catalog.actions.push({
                integration: entry.integration,
                name: entry.name,
                description,
                input: exportName(sources, script.input, `${pascal(entry.name)}Input`, `${key} input`),
                output: exportName(sources, script.output, `${pascal(entry.name)}Output`, `${key} output`)
            });
        }
    }
    return catalog;
}

export async function loadCatalog(): Promise<Catalog> {
    return catalogOf(await loadZodSources());
}

// ---------------------------------------------------------------------------------------------------------------
// backend/src/catalog.generated.ts
// ---------------------------------------------------------------------------------------------------------------

const q = (text: string): string => JSON.stringify(text);

export function renderCatalogModule(catalog: Catalog, sources: ZodSources): string {
    const imports = new Set<string>();
    const integrations = [...new Set([...catalog.syncs, ...catalog.actions].map((s) => s.integration))];
    const blocks = integrations.map((integration) => {
        const syncs = catalog.syncs
            .filter((s) => s.integration === integration)
            .map((s) => {
                const models = s.models.map(([model, schema]) => {
                    const [name] = exportName(sources, schema, model, `${s.integration}/${s.name} model ${model}`);
                    imports.add(name);
                    return name === model ? model : `${model}: ${name}`;
                });
                return `${q(s.name)}: { description: ${q(s.description)}, models: { ${models.join(', ')} }, metadata: ${s.metadata ? s.metadata[0] : 'null'} }`;
            });
        const actions = catalog.actions
            .filter((a) => a.integration === integration)
            .map((a) => `${q(a.name)}: { description: ${q(a.description)}, input: ${a.input[0]}, output: ${a.output[0]} }`);
        return `${q(integration)}: { syncs: { ${syncs.join(', ')} }, actions: { ${actions.join(', ')} } }`;
    });
    for (const s of catalog.syncs) {
        if (s.metadata) imports.add(s.metadata[0]);
    }
    for (const a of catalog.actions) {
        imports.add(a.input[0]);
        imports.add(a.output[0]);
    }
    return [
        '// Generated by `npm run tool-config` (scripts/backend-catalog.ts) from the scripts in nango-integrations/. Do not edit.',
        `import { ${[...imports].sort().join(', ')} } from '../../models.js';`,
        '',
        '/** Integration (folder name) -> its syncs (models, metadata) and actions (input, output), with the zod schemas. */',
        `export const catalog = { ${blocks.join(', ')} } as const;`,
        ''
    ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// tool-config.json
// ---------------------------------------------------------------------------------------------------------------

/** Assistant APIs take tool names of at most 64 characters out of letters, digits, `_` and `-`. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export type JsonSchema = Record<string, unknown>;

export type Tool =
    | {
          name: string;
          source: 'cache';
          integration: string;
          sync: string;
          cache_model: string;
          description: string;
          record_schema: JsonSchema;
      }
    | {
          name: string;
          source: 'action';
          integration: string;
          action: string;
          description: string;
          input_schema: JsonSchema;
          output_schema: JsonSchema;
      };

export interface ToolConfig {
    $comment: string;
    tools: Tool[];
}

/** A record as the cache holds it (output side); an action input as a caller may write it (input side: optionals). */
export function recordJsonSchema(schema: Zod): JsonSchema {
    return z.toJSONSchema(schema, { io: 'output' }) as JsonSchema;
}

export function inputJsonSchema(schema: Zod): JsonSchema {
    return z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
}

function toolName(integration: string, name: string): string {
    const tool = `${integration}_${name}`;
    if (!TOOL_NAME.test(tool)) {
        throw new Error(`tool name ${tool} does not match ${String(TOOL_NAME)}`);
    }
    return tool;
}

export function toolConfigOf(catalog: Catalog): ToolConfig {
    const tools: Tool[] = [];
    for (const sync of catalog.syncs) {
        for (const [model, schema] of sync.models) {
            tools.push({
                name: toolName(sync.integration, model),
                source: 'cache',
                integration: sync.integration,
                sync: sync.name,
                cache_model: model,
                description: `${model} records in the cache, kept by the ${sync.name} sync: ${sync.description}`,
                record_schema: recordJsonSchema(schema)
            });
        }
    }
    for (const action of catalog.actions) {
        tools.push({
            name: toolName(action.integration, action.name),
            source: 'action',
            integration: action.integration,
            action: action.name,
            description: action.description,
            input_schema: inputJsonSchema(action.input[1]),
            output_schema: recordJsonSchema(action.output[1])
        });
    }
    const names = tools.map((t) => t.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) {
        throw new Error(`two tools are named ${twice}`);
    }
    return {
        $comment: 'Generated by `npm run tool-config` (scripts/backend-catalog.ts) from the scripts in nango-integrations/. Do not edit.',
        tools
    };
}
