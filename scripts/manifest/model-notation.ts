/**
 * JSON schema -> the model notation of Nango's former nango.yaml (`field?: string | null`, nested maps for anonymous
 * objects, a named model by its name). The zod schema beside each JSON schema tells which nested objects are models
 * of models.ts, so they are written by name and listed once.
 */
import type { JsonSchema } from './nango-json.js';
import { defOf, innerOf, unwrapTransparent, type Zod } from './zod-sources.js';

/** A field's value in the models section: a type expression, or an anonymous object as a nested map. */
export type Shape = { kind: 'type'; text: string } | { kind: 'map'; fields: Field[]; nullable: boolean; array: boolean };

export interface Field {
    key: string;
    shape: Shape;
    description: string | undefined;
}

interface ModelEntry {
    json: JsonSchema;
    zod: Zod | undefined;
}

export class ModelRenderer {
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
