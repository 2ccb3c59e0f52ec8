/**
 * The zod schemas behind the compiled models: models.ts's exports with the names they are exported under, and each
 * script's createSync/createAction parameters. Nango names action and metadata models `ActionInput_<integration>_
 * <name>` and the like; the manifest maps them back to the names of models.ts by identity of these schemas, and
 * follows a schema's zod definition beside its JSON schema to find the named models nested inside.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { MODELS_FILE, NANGO_DIR, readEntryPoints, ROOT } from '../nango-folder.js';

export type Zod = z.core.$ZodType;

export interface ScriptParams {
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

export function isZod(value: unknown): value is Zod {
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

export function defOf(schema: Zod): { type: string } & Record<string, unknown> {
    return schema._zod.def as unknown as { type: string } & Record<string, unknown>;
}

export function innerOf(schema: Zod, key: string): Zod | undefined {
    const value = defOf(schema)[key];
    return isZod(value) ? value : undefined;
}

/** Strips wrappers that leave no trace in the JSON schema of a property (optional-ness is read from `required`). */
export function unwrapTransparent(schema: Zod | undefined): Zod | undefined {
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
