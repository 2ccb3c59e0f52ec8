import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CalendarEventResource } from '../../nango-integrations/google-calendar/schemas.js';
import { shapeCheck } from '../../nango-integrations/google-calendar/shape-check.js';

/** An event with every field the schema names, nested ones included. */
const FULL = {
    id: 'evt1',
    etag: '"3"',
    status: 'confirmed',
    summary: 'Planning',
    description: 'Q3',
    location: 'Room 1',
    start: { dateTime: '2026-03-01T10:00:00+01:00', timeZone: 'Europe/Paris' },
    end: { dateTime: '2026-03-01T11:00:00+01:00', timeZone: 'Europe/Paris' },
    recurrence: ['RRULE:FREQ=WEEKLY'],
    recurringEventId: 'evt0',
    originalStartTime: { date: '2026-03-01' },
    organizer: { email: 'a@example.com', displayName: 'A', self: true },
    attendees: [
        {
            email: 'b@example.com',
            displayName: 'B',
            responseStatus: 'accepted',
            comment: 'ok',
            optional: false,
            organizer: false,
            resource: false,
            self: false
        }
    ],
    creator: { email: 'a@example.com' },
    iCalUID: 'evt1@google.com',
    sequence: 2,
    eventType: 'default',
    outOfOfficeProperties: { autoDeclineMode: 'declineNone', declineMessage: 'away' },
    transparency: 'opaque',
    visibility: 'default',
    hangoutLink: 'https://meet.google.com/x',
    conferenceData: {
        conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Meet' },
        entryPoints: [{ entryPointType: 'video', uri: 'https://meet.google.com/x' }]
    },
    attachments: [{ fileUrl: 'https://drive.google.com/f', title: 'f', mimeType: 'text/plain', fileId: 'f', iconLink: 'https://i' }],
    extendedProperties: { private: { a: '1' }, shared: { b: '2' } },
    reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 10 }] },
    htmlLink: 'https://calendar.google.com/e',
    created: '2026-01-01T00:00:00Z',
    updated: '2026-01-02T00:00:00Z',
    unknownField: { kept: true }
};

/** Every path to a value in `value`, objects and arrays included. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    if (typeof value !== 'object' || value === null) return [prefix];
    const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
    return [prefix, ...entries.flatMap(([key, item]) => paths(item, [...prefix, key]))];
}

function withValue(path: (string | number)[], replacement: unknown): unknown {
    const copy = structuredClone(FULL) as Record<string | number, unknown>;
    let target = copy;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (replacement === DELETE) delete target[last];
    else target[last] = replacement;
    return copy;
}

const DELETE = Symbol('delete');
const REPLACEMENTS: unknown[] = [
    DELETE,
    null,
    undefined,
    'text',
    7,
    Number.NaN,
    Infinity,
    true,
    [],
    ['x'],
    [7],
    {},
    { email: 3 },
    Object.create(null)
];

describe('shapeCheck', () => {
    const check = shapeCheck(CalendarEventResource);

    it('accepts what the zod schema accepts and refuses what it refuses, at every field of an event', () => {
        let compared = 0;
        for (const path of paths(FULL).filter((path) => path.length > 0)) {
            for (const replacement of REPLACEMENTS) {
                const value = withValue(path, replacement);
                const label = `${path.join('.')} = ${String(replacement === DELETE ? '(deleted)' : JSON.stringify(replacement))}`;
                const zod = CalendarEventResource.safeParse(value);
                const ours = check(value);
                expect('value' in ours, label).toBe(zod.success);
                if (!zod.success && 'problem' in ours) expect(ours.problem.path, label).toEqual(zod.error.issues[0]!.path);
                compared += 1;
            }
        }
        expect(compared).toBeGreaterThan(500);
        for (const value of [null, undefined, 'event', 3, [], [FULL]])
            expect('value' in check(value)).toBe(CalendarEventResource.safeParse(value).success);
    });

    it('hands back the event itself, unknown keys included, instead of a copy', () => {
        const result = check(FULL);
        expect('value' in result && result.value).toBe(FULL);
    });

    it('names where and what in its problem', () => {
        const result = check(withValue(['attendees', 0, 'email'], 3));
        expect('problem' in result && result.problem).toEqual({
            path: ['attendees', 0, 'email'],
            message: 'expected string, received number'
        });
    });

    it('leaves a schema it could only check loosely to zod, with zod’s verdicts, instead of failing the script', () => {
        const cases: [z.ZodType, unknown, unknown][] = [
            [z.object({ id: z.string().min(1) }), { id: 'a' }, { id: '' }],
            [z.object({ n: z.int() }), { n: 2 }, { n: 2.5 }],
            [z.looseObject({ id: z.string() }), { id: 'a', more: 1 }, { id: 1 }],
            [z.union([z.string(), z.number()]), 'a', true]
        ];
        for (const [schema, good, bad] of cases) {
            const check = shapeCheck(schema);
            expect(check(good)).toEqual({ value: schema.parse(good) });
            expect(check(bad)).toMatchObject({ problem: { message: schema.safeParse(bad).error!.issues[0]!.message } });
        }
        // zod's own parse: a transform's output, not the value as it came.
        expect(shapeCheck(z.string().transform(Number))('42')).toEqual({ value: 42 });
    });

    it('compiles an object whose definition carries an empty list of checks, as zod 4.0 leaves one on an extended object', () => {
        const extended = z.object({ id: z.string() }).extend({ name: z.string().nullish() });
        (extended._zod.def as { checks?: unknown[] }).checks = [];
        const value = { id: 'a', unknownKey: 1 };
        // The compiled check hands the value back as it came (zod would strip the unknown key).
        expect(shapeCheck(extended)(value)).toEqual({ value });
    });
});
