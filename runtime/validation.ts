import { clearValidationCache, validateData, type ValidateDataError } from '@nangohq/runner-sdk';
import { z } from 'zod';

/**
 * Validation the way `nango dryrun --validate` does it: `nango compile` turns each zod model into JSON Schema
 * (draft-7, dates as date-time strings; node_modules/nango/dist/zeroYaml/json-schema.js) and the runner checks data
 * with ajv through runner-sdk's `validateData`. So an extra key fails (`additionalProperties: false`) just as it
 * would there, which a plain `zod.safeParse` (stripping unknown keys) would let through.
 */

export type JsonSchemaDefinitions = { definitions: Record<string, Record<string, unknown>> };

export function toJsonSchemaDefinitions(models: Record<string, z.ZodType>): JsonSchemaDefinitions {
    const definitions: Record<string, Record<string, unknown>> = {};
    for (const [name, schema] of Object.entries(models)) {
        if (schema instanceof z.ZodVoid) {
            definitions[name] = { type: 'null' };
            continue;
        }
        const json = z.toJSONSchema(schema, {
            target: 'draft-7',
            unrepresentable: 'any',
            override(ctx) {
                if (ctx.zodSchema instanceof z.ZodDate) {
                    ctx.jsonSchema.type = 'string';
                    ctx.jsonSchema['format'] = 'date-time';
                }
            }
        }) as Record<string, unknown>;
        delete json['$schema'];
        definitions[name] = json;
    }
    return { definitions };
}

export class ModelValidator {
    private readonly version: string;

    constructor(
        readonly schema: JsonSchemaDefinitions,
        version: string | undefined
    ) {
        // runner-sdk caches compiled validators per model name and version, process-wide; fixtures reuse names.
        clearValidationCache();
        this.version = `${version ?? '1'}-local-${Math.random().toString(36).slice(2)}`;
    }

    /** Problems with `data` as the model `modelName`, one sentence each naming the field; empty when valid. */
    problems(modelName: string | undefined, data: unknown): string[] {
        // Nango validates the JSON form (JSON.parse(JSON.stringify(record)) in runner-sdk's validateRecords). Plain
        // data validates the same either way, so the costly round trip is only made when the raw form fails.
        if (this.check(modelName, data) === true) return [];
        const result = this.check(modelName, data === undefined ? undefined : (JSON.parse(JSON.stringify(data)) as unknown));
        return result === true ? [] : result.map(describe);
    }

    private check(modelName: string | undefined, input: unknown): ReturnType<typeof validateData> {
        return validateData({
            version: this.version,
            input,
            modelName,
            jsonSchema: this.schema as unknown as Parameters<typeof validateData>[0]['jsonSchema']
        });
    }
}

function describe(error: ValidateDataError | Error): string {
    if (error instanceof Error) return error.message;
    const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const params = error.params as Record<string, unknown>;
    if (typeof params['missingProperty'] === 'string') return `${join(path, params['missingProperty'])} is required`;
    if (typeof params['additionalProperty'] === 'string') return `${join(path, params['additionalProperty'])} is not in the model`;
    return `${path || '(root)'} ${error.message ?? 'is invalid'}`;
}

function join(path: string, key: string): string {
    return path ? `${path}.${key}` : key;
}
