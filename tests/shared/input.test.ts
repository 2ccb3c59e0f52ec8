import { ActionError } from '@nangohq/runner-sdk';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CreateEventInput, CreateLeadInput, SendEmailInput } from '../../models.js';
import { checkInput, fieldPath, parseInput } from '../../nango-integrations/shared/input.js';

const nango = { ActionError } as unknown as Parameters<typeof parseInput>[0];

function payloadOf(schema: z.ZodType, input: unknown): Record<string, unknown> | null {
    try {
        parseInput(nango, schema, input);
    } catch (error) {
        return (error as ActionError).payload as Record<string, unknown>;
    }
    return null;
}

describe('shared action input parsing', () => {
    it('names fields as a JavaScript accessor: indexes in brackets, names after dots', () => {
        expect(fieldPath([])).toBe('');
        expect(fieldPath(['subject'])).toBe('subject');
        expect(fieldPath(['to', 0, 'email'])).toBe('to[0].email');
        expect(fieldPath(['reminders', 'overrides', 12, 'minutes'])).toBe('reminders.overrides[12].minutes');
        expect(fieldPath(['recurrence', 1])).toBe('recurrence[1]');
        expect(fieldPath(['extraFields', 'Custom__c'])).toBe('extraFields.Custom__c');
    });

    it('names every provider action schema mismatch in that one style', () => {
        expect(payloadOf(SendEmailInput, { to: [{ email: 'a@b.co' }, { name: 'x' }], subject: 's' })?.['field']).toBe('to[1].email');
        const event = { summary: 's', start: { date: '2026-02-03' }, end: { date: '2026-02-04' }, attendees: [{ name: 'J' }] };
        expect(payloadOf(CreateEventInput, event)?.['field']).toBe('attendees[0].email');
        const lead = checkInput(CreateLeadInput, { lastName: 'L', company: 'C', extraFields: { Custom__c: { nested: 1 } } });
        expect(lead.ok ? null : lead.issue.field).toBe('extraFields.Custom__c');
    });

    it('answers an invalid_input ActionError whose message starts with the field; the whole input is (input)', () => {
        const payload = payloadOf(SendEmailInput, { to: [{ email: 'a@b.co' }], subject: 42, text: 't' });
        expect(payload).toMatchObject({ type: 'invalid_input', field: 'subject' });
        expect(String(payload?.['message'])).toMatch(/^subject: /);
        expect(payloadOf(SendEmailInput, 'not an object')).toMatchObject({ type: 'invalid_input', field: '(input)' });
        const whole = checkInput(SendEmailInput, null);
        expect(whole.ok ? 'parsed' : whole.issue.field).toBeNull();
    });

    it('returns the parsed value when the input fits', () => {
        const input = { to: [{ email: 'a@b.co' }], subject: 's', text: 't' };
        expect(parseInput(nango, SendEmailInput, input)).toEqual(input);
        expect(checkInput(z.object({ n: z.number() }), { n: 1 })).toEqual({ ok: true, value: { n: 1 } });
    });
});
