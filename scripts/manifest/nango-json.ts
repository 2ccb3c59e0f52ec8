/**
 * `nango-integrations/.nango/nango.json`, as `nango compile` 0.71.10 writes it (node_modules/nango/dist/zeroYaml/
 * definitions.js): the syncs and actions of each integration, with the JSON schema of every model they name. The
 * manifest is built from this file; a shape the CLI no longer writes fails here, by name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

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

export const NangoJson = z.array(
    z
        .object({
            providerConfigKey: z.string(),
            syncs: z.array(NangoJsonSync),
            actions: z.array(NangoJsonAction),
            onEventScripts: z.record(z.string(), z.array(z.string())).optional()
        })
        .loose()
);
export type NangoJson = z.infer<typeof NangoJson>;

/** The compiled folder's nango.json, checked against the shape above. */
export function readNangoJson(nangoDir: string): NangoJson {
    const file = path.join(nangoDir, '.nango', 'nango.json');
    const parsed = NangoJson.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (!parsed.success) {
        throw new Error(`${file} is not what nango compile 0.71.10 writes: ${z.prettifyError(parsed.error)}`);
    }
    return parsed.data;
}
