/**
 * A zod schema's check without zod's parse, for the listing's hot path: an events.list page holds 2,500 events, and
 * parsing one with zod rebuilds it object by object and field wrapper by field wrapper (about 14 µs an event here,
 * more than JSON.parse and the mapping together, and most of the garbage). The check is compiled once from the
 * schema itself, so the schema stays the one description of what Google sends; it accepts exactly what the schema's
 * parse accepts and hands back the value as it came, with any keys the schema does not name still on it (zod would
 * strip them; the mappers read named fields only). Only the kinds the Calendar schemas use are supported (objects,
 * arrays, string records, strings, numbers, booleans, unknown, optional, nullable): a schema with anything else, a
 * refinement or a transform included, is refused when compiled, not checked loosely.
 */
import type { z } from 'zod';

/** Why a value does not fit: where (keys and indexes from the top) and what was expected there. */
export interface ShapeProblem {
    path: (string | number)[];
    message: string;
}

type Check = (value: unknown) => ShapeProblem | null;

interface Def {
    type: string;
    checks?: unknown[];
    innerType?: z.ZodType;
    element?: z.ZodType;
    keyType?: z.ZodType;
    valueType?: z.ZodType;
    shape?: Record<string, z.ZodType>;
    catchall?: unknown;
}

/** The definition keys each supported kind may have; any other key (a format, a check, a catchall) is refused. */
const KEYS: Record<string, string[]> = {
    string: ['type', 'checks'],
    number: ['type', 'checks'],
    boolean: ['type'],
    unknown: ['type'],
    optional: ['type', 'innerType'],
    nullable: ['type', 'innerType'],
    array: ['type', 'element'],
    record: ['type', 'keyType', 'valueType'],
    object: ['type', 'shape']
};

/**
 * The check of `schema`: a function returning the value, typed, or the first problem found. Scripts run with the zod
 * of Nango's runner, not ours (NangoHQ/nango packages/runner/package.json pins zod 4.0.5, we build with 4.3.6), and
 * schema definitions differ between them (4.0's `extend` leaves an empty `checks` on the object): a schema this
 * cannot compile there is checked by zod itself, slower but with the same verdicts, rather than failing the script.
 */
export function shapeCheck<T extends z.ZodType>(schema: T): (value: unknown) => { value: z.output<T> } | { problem: ShapeProblem } {
    let check: Check;
    try {
        check = compile(schema);
    } catch {
        return (value) => {
            const parsed = schema.safeParse(value);
            if (parsed.success) return { value: parsed.data };
            const issue = parsed.error.issues[0]!;
            return {
                problem: { path: issue.path.filter((key): key is string | number => typeof key !== 'symbol'), message: issue.message }
            };
        };
    }
    return (value) => {
        const problem = check(value);
        return problem === null ? { value: value as z.output<T> } : { problem };
    };
}

function compile(schema: z.ZodType): Check {
    const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
    const allowed = KEYS[def.type];
    // An empty list of checks is no check, whatever the kind (zod 4.0 leaves one on extended objects).
    const extra = allowed
        ? Object.keys(def).filter((key) => !allowed.includes(key) && !(key === 'checks' && def.checks?.length === 0))
        : [];
    if (!allowed || extra.length > 0 || (def.checks?.length ?? 0) > 0) {
        throw new Error(`shapeCheck: a zod ${def.type} with ${extra.join(', ') || 'checks'} is not supported`);
    }
    switch (def.type) {
        case 'string':
            return (value) => (typeof value === 'string' ? null : expected('string', value));
        // zod's number refuses NaN and the infinities.
        case 'number':
            return (value) => (typeof value === 'number' && Number.isFinite(value) ? null : expected('number', value));
        case 'boolean':
            return (value) => (typeof value === 'boolean' ? null : expected('boolean', value));
        case 'unknown':
            return () => null;
        case 'optional': {
            const inner = compile(def.innerType!);
            return (value) => (value === undefined ? null : inner(value));
        }
        case 'nullable': {
            const inner = compile(def.innerType!);
            return (value) => (value === null ? null : inner(value));
        }
        case 'array': {
            const element = compile(def.element!);
            return (value) => {
                if (!Array.isArray(value)) return expected('array', value);
                for (let index = 0; index < value.length; index++) {
                    const problem = element(value[index]);
                    if (problem !== null) return within(index, problem);
                }
                return null;
            };
        }
        case 'record':
            return compileRecord(def);
        default:
            return compileObject(def.shape!);
    }
}

function compileRecord(def: Def): Check {
    if ((def.keyType as unknown as { _zod: { def: Def } })._zod.def.type !== 'string') {
        throw new Error('shapeCheck: only records with string keys are supported');
    }
    const entry = compile(def.valueType!);
    return (value) => {
        // zod's record wants a plain object (its prototype Object's, or none).
        if (!isObject(value) || !isPlain(value)) return expected('record', value);
        for (const key of Object.keys(value)) {
            const problem = entry((value as Record<string, unknown>)[key]);
            if (problem !== null) return within(key, problem);
        }
        return null;
    };
}

function compileObject(shape: Record<string, z.ZodType>): Check {
    const fields = Object.entries(shape).map(([key, field]) => ({ key, check: compile(field) }));
    return (value) => {
        if (!isObject(value)) return expected('object', value);
        for (const field of fields) {
            const problem = field.check((value as Record<string, unknown>)[field.key]);
            if (problem !== null) return within(field.key, problem);
        }
        return null;
    };
}

/** As zod's: an object that is not null and not an array. */
function isObject(value: unknown): value is object {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlain(value: object): boolean {
    const prototype: unknown = Object.getPrototypeOf(value);
    return prototype === null || Object.getPrototypeOf(prototype) === null;
}

function expected(kind: string, value: unknown): ShapeProblem {
    const received = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    return { path: [], message: `expected ${kind}, received ${received}` };
}

function within(key: string | number, problem: ShapeProblem): ShapeProblem {
    problem.path.unshift(key);
    return problem;
}
