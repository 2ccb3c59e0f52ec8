/**
 * Action input, parsed the one way every action parses it. Nango does not validate an action's input against its
 * declared schema in production, so each action parses it itself and names the first offending field.
 *
 * Fields are named as a JavaScript accessor would reach them: `to[0].email`, `reminders.overrides[1].minutes`. That
 * is what a caller can paste into their own code or a debugger to find the value, and what the actions' own checks
 * (MIME headers, attendees, recurrence lines) already wrote; zod's dotted `to.0.email` is not.
 */
import type { NangoAction } from 'nango';
import type { z } from 'zod';

export interface InputIssue {
    /** The offending field as an accessor path (`to[0].email`); null when the input itself is wrong (not an object). */
    field: string | null;
    message: string;
}

export type ParsedInput<T> = { ok: true; value: T } | { ok: false; issue: InputIssue };

/** A zod issue path as an accessor: numbers as `[i]`, names joined by dots; '' for the input itself. */
export function fieldPath(path: readonly PropertyKey[]): string {
    let out = '';
    for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
    return out;
}

/** The input parsed with its schema, or zod's first complaint, named by field. */
export function checkInput<S extends z.ZodType>(schema: S, input: unknown): ParsedInput<z.infer<S>> {
    const parsed = schema.safeParse(input);
    if (parsed.success) return { ok: true, value: parsed.data };
    const issue = parsed.error.issues[0];
    return { ok: false, issue: { field: issue ? fieldPath(issue.path) || null : null, message: issue?.message ?? 'invalid input' } };
}

type Caller = Pick<NangoAction, 'ActionError'>;

/** The ActionError of a Google action's bad input: `invalid_input`, the field, and a message that starts with it. */
export function invalidInput(nango: Caller, field: string, message: string, extra: Record<string, unknown> = {}): Error {
    return new nango.ActionError({ type: 'invalid_input', field, message: `${field}: ${message}`, ...extra });
}

/** The parsed input, or an `invalid_input` ActionError naming the first offending field (`(input)` for the whole). */
export function parseInput<S extends z.ZodType>(nango: Caller, schema: S, input: unknown): z.infer<S> {
    const checked = checkInput(schema, input);
    if (checked.ok) return checked.value;
    throw invalidInput(nango, checked.issue.field ?? '(input)', checked.issue.message);
}
