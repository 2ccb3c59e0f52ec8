/**
 * `npm start -- action <integration> <action> --help`: the fields the action's input takes, read from the zod schema
 * the script declares (`createAction({ input })`), so the list cannot drift from what the action accepts.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { textTable } from './format.js';
import { repoRoot } from './paths.js';

interface JsonSchema {
    type?: string | string[];
    properties?: Record<string, JsonSchema>;
    required?: string[];
    items?: JsonSchema;
    enum?: unknown[];
    const?: unknown;
    anyOf?: JsonSchema[];
    oneOf?: JsonSchema[];
    additionalProperties?: boolean | JsonSchema;
    description?: string;
}

export interface InputField {
    name: string;
    type: string;
    required: boolean;
    description: string;
}

/** A JSON schema as a short TypeScript-like type: `string`, `"a" | "b"`, `{ email: string, name?: string }[]`. */
function typeText(schema: JsonSchema): string {
    if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
    if (schema.const !== undefined) return JSON.stringify(schema.const);
    const union = schema.anyOf ?? schema.oneOf;
    if (union) return union.map(typeText).join(' | ');
    if (schema.type === 'array') return `${wrapped(schema.items ? typeText(schema.items) : 'unknown')}[]`;
    if (schema.type === 'object' || schema.properties) {
        const fields = fieldsOf(schema);
        if (fields.length === 0) {
            const values = typeof schema.additionalProperties === 'object' ? typeText(schema.additionalProperties) : 'unknown';
            return `{ [key: string]: ${values} }`;
        }
        return `{ ${fields.map((f) => `${f.name}${f.required ? '' : '?'}: ${f.type}`).join(', ')} }`;
    }
    if (Array.isArray(schema.type)) return schema.type.join(' | ');
    return schema.type ?? 'unknown';
}

function wrapped(text: string): string {
    return text.includes(' | ') ? `(${text})` : text;
}

function fieldsOf(schema: JsonSchema): InputField[] {
    const required = new Set(schema.required ?? []);
    return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
        name,
        type: typeText(property),
        required: required.has(name),
        description: property.description ?? ''
    }));
}

/** The top-level fields of an input schema, in declaration order. */
export function inputFields(input: z.ZodType): InputField[] {
    return fieldsOf(z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
}

/** A field the schema leaves optional only for an alias (create-lead's `LastName`) says so in its description. */
function requiredText(field: InputField): string {
    if (field.required) return 'yes';
    return field.description.startsWith('Required') ? 'yes, or alias' : 'no';
}

/** The help section for one action, from its script in nango-integrations/. */
export async function actionInputHelp(integration: string, action: string): Promise<string> {
    const file = join(repoRoot, 'nango-integrations', integration, 'actions', `${action}.ts`);
    const script = ((await import(pathToFileURL(file).href)) as { default: { input?: z.ZodType; description?: string } }).default;
    if (!script.input) return `${integration} ${action} declares no input.`;
    const fields = inputFields(script.input);
    // Our models carry no zod descriptions yet; an empty column would only take room.
    const described = fields.some((f) => f.description !== '');
    const table = textTable(
        [{ title: 'field' }, { title: 'type' }, { title: 'required' }, ...(described ? [{ title: 'description' }] : [])],
        fields.map((f) => [f.name, f.type, requiredText(f), ...(described ? [f.description] : [])])
    );
    const about = script.description ? `${integration} ${action}: ${script.description}\n` : '';
    return `${about}Input (--input, a JSON object):\n${table}`;
}
