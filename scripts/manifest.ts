/**
 * `npm run manifest` writes nango.yaml at the repository root: the syncs, actions and models of the compiled Nango
 * folder, in the shape reviewers know from Nango's former nango.yaml. `npm run manifest:check` (part of `npm test`)
 * fails when the committed file differs from what the scripts compile to.
 *
 * The truth is `nango-integrations/.nango/nango.json`, written by `nango compile` (run here when it is missing or
 * stale). Nango names action and metadata models `ActionInput_<integration>_<name>` and the like; they are mapped
 * back to the names of models.ts by identity of the zod schemas the scripts pass to createSync/createAction.
 *
 * Options: `--check` compare instead of write; `--out <file>` another target (tests).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { diff } from 'node:util';
import { Document, isMap, isScalar, type Pair, type Scalar, YAMLMap } from 'yaml';
import { z } from 'zod';
import { ensureCompiled, MODELS_FILE, NANGO_DIR, readEntryPoints, ROOT } from './nango-folder.js';

// ---------------------------------------------------------------------------------------------------------------
// nango.json, as `nango compile` 0.71.10 writes it (node_modules/nango/dist/zeroYaml/definitions.js)
// ---------------------------------------------------------------------------------------------------------------

export interface JsonSchema {
    type?: string | string[];
    properties?: Record<string, JsonSchema>;
    required?: string[];
    items?: JsonSchema;
    anyOf?: JsonSchema[];
    oneOf?: JsonSchema[];
    allOf?: JsonSchema[];
    enum?: unknown[];
    const?: unknown;
    additionalProperties?: boolean | JsonSchema;
    description?: string;
    format?: string;
}

const JsonSchemaDefinitions = z.object({
    definitions: z.record(
        z.string(),
        z.custom<JsonSchema>((v) => typeof v === 'object' && v !== null)
    )
});

const Endpoint = z.object({ method: z.string(), path: z.string() }).loose();

const NangoJsonSync = z
    .object({
        name: z.string(),
        description: z.string().optional(),
        runs: z.string(),
        output: z.array(z.string()).nullable(),
        auto_start: z.boolean(),
        scopes: z.array(z.string()).optional(),
        version: z.string().optional(),
        sync_type: z.string().optional(),
        track_deletes: z.boolean().optional(),
        input: z.string().nullable().optional(),
        endpoints: z.array(Endpoint).optional(),
        webhookSubscriptions: z.array(z.string()).optional(),
        json_schema: JsonSchemaDefinitions
    })
    .loose();

const NangoJsonAction = z
    .object({
        name: z.string(),
        description: z.string().optional(),
        input: z.string().nullable().optional(),
        output: z.array(z.string()).nullable(),
        scopes: z.array(z.string()).optional(),
        version: z.string().optional(),
        endpoint: Endpoint.nullable().optional(),
        json_schema: JsonSchemaDefinitions
    })
    .loose();

const NangoJson = z.array(
    z
        .object({
            providerConfigKey: z.string(),
            syncs: z.array(NangoJsonSync),
            actions: z.array(NangoJsonAction),
            onEventScripts: z.record(z.string(), z.array(z.string())).optional()
        })
        .loose()
);
type NangoJson = z.infer<typeof NangoJson>;

// ---------------------------------------------------------------------------------------------------------------
// Zod schemas of the scripts, for the model names
// ---------------------------------------------------------------------------------------------------------------

type Zod = z.core.$ZodType;

interface ScriptParams {
    type?: string;
    models?: Record<string, Zod>;
    metadata?: Zod;
    input?: Zod;
    output?: Zod;
}

export interface ZodSources {
    /** Each zod schema exported by models.ts, with every name it is exported under, in file order. */
    names: Map<Zod, string[]>;
    /** `<integration>/<name>` -> the script's createSync/createAction parameters. */
    scripts: Map<string, ScriptParams>;
}

function isZod(value: unknown): value is Zod {
    return typeof value === 'object' && value !== null && '_zod' in value;
}

export async function loadZodSources(nangoDir = NANGO_DIR, modelsFile = MODELS_FILE): Promise<ZodSources> {
    const models = (await import(pathToFileURL(modelsFile).href)) as Record<string, unknown>;
    const names = new Map<Zod, string[]>();
    for (const [name, value] of Object.entries(models)) {
        if (isZod(value)) {
            names.set(value, [...(names.get(value) ?? []), name]);
        }
    }
    const scripts = new Map<string, ScriptParams>();
    for (const entry of readEntryPoints(nangoDir)) {
        const mod = (await import(pathToFileURL(entry.file).href)) as { default?: ScriptParams };
        if (!mod.default || typeof mod.default !== 'object') {
            throw new Error(`${path.relative(ROOT, entry.file)} has no default export`);
        }
        scripts.set(`${entry.integration}/${entry.name}`, mod.default);
    }
    return { names, scripts };
}

function defOf(schema: Zod): { type: string } & Record<string, unknown> {
    return schema._zod.def as unknown as { type: string } & Record<string, unknown>;
}

function innerOf(schema: Zod, key: string): Zod | undefined {
    const value = defOf(schema)[key];
    return isZod(value) ? value : undefined;
}

/** Strips wrappers that leave no trace in the JSON schema of a property (optional-ness is read from `required`). */
function unwrapTransparent(schema: Zod | undefined): Zod | undefined {
    let current = schema;
    for (let i = 0; current && i < 20; i += 1) {
        const def = defOf(current);
        if (['optional', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) {
            current = innerOf(current, 'innerType');
        } else if (def.type === 'pipe') {
            current = innerOf(current, 'out');
        } else if (def.type === 'lazy' && typeof def['getter'] === 'function') {
            current = (def['getter'] as () => Zod)();
        } else {
            return current;
        }
    }
    return current;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON schema -> nango.yaml model notation
// ---------------------------------------------------------------------------------------------------------------

/** A field's value in the models section: a type expression, or an anonymous object as a nested map. */
type Shape = { kind: 'type'; text: string } | { kind: 'map'; fields: Field[]; nullable: boolean; array: boolean };

interface Field {
    key: string;
    shape: Shape;
    description: string | undefined;
}

interface ModelEntry {
    json: JsonSchema;
    zod: Zod | undefined;
}

class ModelRenderer {
    readonly models = new Map<string, ModelEntry>();

    constructor(private readonly names: Map<Zod, string[]>) {}

    /** Registers a top-level model; the same name twice must mean the same shape. */
    add(name: string, json: JsonSchema, zod: Zod | undefined): void {
        const known = this.models.get(name);
        if (known) {
            if (JSON.stringify(known.json) !== JSON.stringify(json)) {
                throw new Error(`Model ${name} is declared twice with different shapes`);
            }
            return;
        }
        this.models.set(name, { json, zod });
    }

    /** The model's own fields (its root is never replaced by its name). */
    fields(name: string): Field[] | string {
        const entry = this.models.get(name);
        if (!entry) {
            throw new Error(`Unknown model ${name}`);
        }
        const shape = this.objectOrType(entry.json, unwrapTransparent(entry.zod), true);
        return shape.kind === 'map' && !shape.nullable && !shape.array ? shape.fields : typeText(shape);
    }

    private nameOf(zod: Zod | undefined): string | undefined {
        return zod ? this.names.get(zod)?.[0] : undefined;
    }

    private shape(json: JsonSchema, zodIn: Zod | undefined): Shape {
        const zod = unwrapTransparent(zodIn);
        const nullUnion = splitNull(json);
        if (nullUnion) {
            const inner = zod && defOf(zod).type === 'nullable' ? innerOf(zod, 'innerType') : undefined;
            const shape = this.shape(nullUnion, inner);
            return shape.kind === 'map' ? { ...shape, nullable: true } : { kind: 'type', text: `${shape.text} | null` };
        }
        const options = json.anyOf ?? json.oneOf;
        if (options) {
            const zodOptions = zod && defOf(zod).type === 'union' ? (defOf(zod)['options'] as Zod[]) : [];
            return { kind: 'type', text: options.map((o, i) => typeText(this.shape(o, zodOptions[i]))).join(' | ') };
        }
        if (json.allOf) {
            return { kind: 'type', text: json.allOf.map((o) => typeText(this.shape(o, undefined))).join(' & ') };
        }
        if (json.enum) {
            return { kind: 'type', text: json.enum.map(literalText).join(' | ') };
        }
        if ('const' in json) {
            return { kind: 'type', text: literalText(json.const) };
        }
        const type = Array.isArray(json.type) ? json.type : json.type ? [json.type] : [];
        if (type.length > 1) {
            return { kind: 'type', text: type.map((t) => typeText(this.shape({ ...json, type: t }, undefined))).join(' | ') };
        }
        switch (type[0]) {
            case 'string':
            case 'boolean':
            case 'null':
                return { kind: 'type', text: type[0] };
            case 'number':
            case 'integer':
                return { kind: 'type', text: 'number' };
            case 'array': {
                const element = zod && defOf(zod).type === 'array' ? innerOf(zod, 'element') : undefined;
                const item = json.items ? this.shape(json.items, element) : ({ kind: 'type', text: 'any' } as const);
                if (item.kind === 'map') {
                    return item.array || item.nullable ? { kind: 'type', text: `${arrayOf(typeText(item))}[]` } : { ...item, array: true };
                }
                return { kind: 'type', text: arrayOf(item.text) };
            }
            case 'object':
                return this.objectOrType(json, zod, false);
            default:
                return { kind: 'type', text: 'any' };
        }
    }

    private objectOrType(json: JsonSchema, zod: Zod | undefined, isRoot: boolean): Shape {
        const zodObject = zod && defOf(zod).type === 'object' ? zod : undefined;
        const name = isRoot ? undefined : this.nameOf(zodObject);
        if (name) {
            this.add(name, json, zodObject);
            return { kind: 'type', text: name };
        }
        if (!json.properties) {
            const extra = json.additionalProperties;
            if (extra && typeof extra === 'object') {
                const value = zod && defOf(zod).type === 'record' ? innerOf(zod, 'valueType') : undefined;
                return { kind: 'type', text: `Record<string, ${typeText(this.shape(extra, value))}>` };
            }
            return { kind: 'type', text: extra === false ? '{}' : 'Record<string, any>' };
        }
        const shapeOf = zodObject ? (defOf(zodObject)['shape'] as Record<string, Zod>) : {};
        const required = new Set(json.required ?? []);
        const fields = Object.entries(json.properties).map(([key, value]) => ({
            key: required.has(key) ? key : `${key}?`,
            shape: this.shape(value, shapeOf[key]),
            description: value.description
        }));
        return { kind: 'map', fields, nullable: false, array: false };
    }
}

/** `anyOf: [X, { type: 'null' }]` -> X. */
function splitNull(json: JsonSchema): JsonSchema | undefined {
    const options = json.anyOf ?? json.oneOf;
    if (!options || options.length !== 2) {
        return undefined;
    }
    const nullIndex = options.findIndex((o) => o.type === 'null' && Object.keys(o).length === 1);
    return nullIndex === -1 ? undefined : options[1 - nullIndex];
}

function literalText(value: unknown): string {
    return typeof value === 'string' ? value : JSON.stringify(value);
}

function arrayOf(text: string): string {
    return text.includes(' ') ? `(${text})[]` : `${text}[]`;
}

/** A map shape as a one-line type, for the rare places a nested map cannot be written (arrays of arrays). */
function typeText(shape: Shape): string {
    if (shape.kind === 'type') {
        return shape.text;
    }
    let text = `{ ${shape.fields.map((f) => `${f.key}: ${typeText(f.shape)}`).join('; ')} }`;
    if (shape.array) {
        text = `${text}[]`;
    }
    return shape.nullable ? `${text} | null` : text;
}

// ---------------------------------------------------------------------------------------------------------------
// The manifest
// ---------------------------------------------------------------------------------------------------------------

const HEADER = [
    ' Generated by `npm run manifest` (scripts/manifest.ts) from nango-integrations/.nango/nango.json, which',
    ' `nango compile` writes from the scripts and models.ts. Do not edit: change the scripts, then run',
    ' `npm run manifest` and commit this file. `npm test` fails while it is out of date.'
].join('\n');

function pascal(name: string): string {
    return name
        .split(/[^a-zA-Z0-9]+/)
        .filter(Boolean)
        .map((part) => part[0]!.toUpperCase() + part.slice(1))
        .join('');
}

function byName<T extends { name: string }>(items: T[]): T[] {
    return [...items].sort((a, b) => a.name.localeCompare(b.name));
}

function modelName(sources: ZodSources, zod: Zod | undefined, preferred: string): string {
    const names = zod ? (sources.names.get(zod) ?? []) : [];
    return names.includes(preferred) ? preferred : (names[0] ?? preferred);
}

function definition(item: { name: string; json_schema: { definitions: Record<string, JsonSchema> } }, key: string): JsonSchema {
    const json = item.json_schema.definitions[key];
    if (!json) {
        throw new Error(`nango.json: ${item.name} names model ${key} but has no JSON schema for it`);
    }
    return json;
}

export function buildManifest(nangoJson: NangoJson, sources: ZodSources): string {
    const renderer = new ModelRenderer(sources.names);
    const integrations: Record<string, unknown> = {};

    for (const integration of [...nangoJson].sort((a, b) => a.providerConfigKey.localeCompare(b.providerConfigKey))) {
        const key = integration.providerConfigKey;
        const section: Record<string, unknown> = {};

        const syncs: Record<string, unknown> = {};
        for (const sync of byName(integration.syncs)) {
            const params = sources.scripts.get(`${key}/${sync.name}`);
            const outputs = sync.output ?? [];
            for (const output of outputs) {
                renderer.add(output, definition(sync, output), params?.models?.[output]);
            }
            let input: string | undefined;
            if (sync.input) {
                input = modelName(sources, params?.metadata, `${pascal(sync.name)}Metadata`);
                renderer.add(input, definition(sync, sync.input), params?.metadata);
            }
            syncs[sync.name] = {
                description: sync.description ?? '',
                runs: sync.runs,
                output: outputs.length === 1 ? outputs[0] : outputs,
                auto_start: sync.auto_start,
                scopes: sync.scopes ?? [],
                version: sync.version ?? '',
                // syncType and trackDeletes are deprecated in Nango: shown only when a script still sets them.
                ...(sync.sync_type && sync.sync_type !== 'full' ? { sync_type: sync.sync_type } : {}),
                ...(sync.track_deletes ? { track_deletes: true } : {}),
                ...(input ? { input } : {}),
                ...(sync.endpoints?.length ? { endpoints: sync.endpoints.map((e) => `${e.method} ${e.path}`) } : {}),
                ...(sync.webhookSubscriptions?.length ? { webhook_subscriptions: sync.webhookSubscriptions } : {})
            };
        }
        if (Object.keys(syncs).length > 0) {
            section['syncs'] = syncs;
        }

        const actions: Record<string, unknown> = {};
        for (const action of byName(integration.actions)) {
            const params = sources.scripts.get(`${key}/${action.name}`);
            let input: string | null = null;
            if (action.input) {
                input = modelName(sources, params?.input, `${pascal(action.name)}Input`);
                renderer.add(input, definition(action, action.input), params?.input);
            }
            const outputs = (action.output ?? []).map((nangoName) => {
                const name = modelName(sources, params?.output, `${pascal(action.name)}Output`);
                renderer.add(name, definition(action, nangoName), params?.output);
                return name;
            });
            actions[action.name] = {
                description: action.description ?? '',
                input,
                output: outputs.length === 1 ? outputs[0] : outputs,
                scopes: action.scopes ?? [],
                version: action.version ?? '',
                ...(action.endpoint ? { endpoint: `${action.endpoint.method} ${action.endpoint.path}` } : {})
            };
        }
        if (Object.keys(actions).length > 0) {
            section['actions'] = actions;
        }
        const onEvents = Object.entries(integration.onEventScripts ?? {}).filter(([, scripts]) => scripts.length > 0);
        if (onEvents.length > 0) {
            section['on-events'] = Object.fromEntries(onEvents.sort(([a], [b]) => a.localeCompare(b)));
        }
        integrations[key] = section;
    }

    // Rendering a model can register the named models it contains: loop until no new name appears.
    const rendered = new Map<string, Field[] | string>();
    for (
        let pending = [...renderer.models.keys()];
        pending.length > 0;
        pending = [...renderer.models.keys()].filter((n) => !rendered.has(n))
    ) {
        for (const name of pending) {
            rendered.set(name, renderer.fields(name));
        }
    }
    const models = [...rendered.keys()].sort((a, b) => a.localeCompare(b));

    const doc = new Document({ integrations, models: {} });
    doc.commentBefore = HEADER;
    const modelsNode = doc.get('models');
    if (!isMap(modelsNode)) {
        throw new Error('unreachable: models is a map');
    }
    for (const name of models) {
        const fields = rendered.get(name)!;
        modelsNode.add(doc.createPair(name, typeof fields === 'string' ? fields : fieldsNode(doc, fields)));
    }
    return doc.toString({ indent: 4, lineWidth: 0, nullStr: 'null' });
}

/** Nested maps for anonymous objects; an array of them is a one-item sequence; `| null` goes in a comment. */
function fieldsNode(doc: Document, fields: Field[]): unknown {
    const map = new YAMLMap<unknown, unknown>();
    for (const field of fields) {
        let value: unknown;
        const notes: string[] = [];
        if (field.shape.kind === 'type') {
            value = field.shape.text;
        } else {
            const inner = fieldsNode(doc, field.shape.fields);
            value = field.shape.array ? doc.createNode([inner]) : inner;
            if (field.shape.array) {
                notes.push('array of');
            }
            if (field.shape.nullable) {
                notes.push('or null');
            }
        }
        const pair = doc.createPair(field.key, value) as Pair<Scalar, unknown>;
        if (field.description) {
            notes.push(field.description.replace(/\s+/g, ' ').trim());
        }
        if (notes.length > 0 && isScalar(pair.key)) {
            if (field.shape.kind === 'type' && isScalar(pair.value)) {
                pair.value.comment = ` ${notes.join('; ')}`;
            } else {
                pair.key.comment = ` ${notes.join('; ')}`;
            }
        }
        map.add(pair);
    }
    return map;
}

// ---------------------------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------------------------

export async function generate(nangoDir = NANGO_DIR, modelsFile = MODELS_FILE): Promise<string> {
    await ensureCompiled(nangoDir, modelsFile);
    const file = path.join(nangoDir, '.nango', 'nango.json');
    const parsed = NangoJson.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (!parsed.success) {
        throw new Error(`${file} is not what nango compile 0.71.10 writes: ${z.prettifyError(parsed.error)}`);
    }
    return buildManifest(parsed.data, await loadZodSources(nangoDir, modelsFile));
}

function describeDifference(committed: string, expected: string): string {
    // util.diff marks lines found only in its first argument with 1, only in its second with -1.
    const lines = diff(committed.split('\n'), expected.split('\n'));
    const changed = lines.filter(([op]) => op !== 0);
    const shown = changed.slice(0, 20).map(([op, line]) => `${op === 1 ? '-' : '+'} ${line}`);
    return [...shown, ...(changed.length > shown.length ? [`... and ${changed.length - shown.length} more`] : [])].join('\n');
}

function parseArgs(argv: string[]): { check: boolean; out: string } {
    let check = false;
    let out = path.join(ROOT, 'nango.yaml');
    for (let i = 0; i < argv.length; i += 1) {
        const arg = argv[i];
        if (arg === '--check') {
            check = true;
        } else if (arg === '--out' && argv[i + 1]) {
            out = path.resolve(argv[i + 1]!);
            i += 1;
        } else {
            throw new Error(`unknown argument ${arg}; usage: tsx scripts/manifest.ts [--check] [--out <file>]`);
        }
    }
    return { check, out };
}

async function main(): Promise<number> {
    const { check, out } = parseArgs(process.argv.slice(2));
    const manifest = await generate();
    const shown = path.relative(process.cwd(), out) || out;
    if (!check) {
        fs.writeFileSync(out, manifest);
        process.stdout.write(`wrote ${shown}\n`);
        return 0;
    }
    const committed = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : null;
    if (committed === manifest) {
        process.stdout.write(`${shown} is up to date with the scripts\n`);
        return 0;
    }
    process.stderr.write(
        committed === null
            ? `${shown} is missing. Run \`npm run manifest\` and commit it.\n`
            : `${shown} is out of date with the scripts. Run \`npm run manifest\` and commit it.\n` +
                  `Lines to change (- now in the file, + expected):\n${describeDifference(committed, manifest)}\n`
    );
    return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
    main().then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`manifest: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = 1;
        }
    );
}
