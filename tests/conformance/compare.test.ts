import { describe, expect, it } from 'vitest';
import { compareOutputs, compareRecords, dryrunRecords, fieldDifferences, type RunRecords } from '../../conformance/compare.js';

// The comparison `npm run conformance` fails on: every difference names the script, the record id and the field.

const records = (saved: Record<string, unknown>, deleted: string[] = []): RunRecords => ({
    saved: new Map(Object.entries(saved)),
    deleted: new Set(deleted)
});

describe('fieldDifferences', () => {
    it('names each differing leaf by its path, and nothing when deep-equal', () => {
        const dry = { id: 'a', subject: 'Hi', messages: [{ from: { email: 'x@e.com' } }, { labels: ['INBOX'] }] };
        const rt = { id: 'a', subject: 'Hi', messages: [{ from: { email: 'y@e.com' } }, { labels: ['INBOX', 'STARRED'] }] };
        expect(fieldDifferences(dry, rt)).toEqual([
            { field: 'messages[0].from.email', dryrun: 'x@e.com', runtime: 'y@e.com' },
            { field: 'messages[1].labels[1]', dryrun: undefined, runtime: 'STARRED' }
        ]);
        expect(fieldDifferences(structuredClone(dry), dry)).toEqual([]);
    });

    it('tells null from a missing field', () => {
        expect(fieldDifferences({ title: null }, {})).toEqual([{ field: 'title', dryrun: null, runtime: undefined }]);
    });
});

describe('compareRecords', () => {
    it('reports a changed field, a record only one side saved, and a deletion only one side made', () => {
        const dry = records({ a: { id: 'a', title: 'VP' }, b: { id: 'b' } }, ['d']);
        const rt = records({ a: { id: 'a', title: 'vp' }, c: { id: 'c' } }, ['e']);
        const found = compareRecords('salesforce-leads', 'first run', dry, rt).map((d) => `${d.id} ${d.field}`);
        expect(found.sort()).toEqual(
            [
                'a title',
                'b (record saved by dryrun only)',
                'c (record saved by the runtime only)',
                'd (deleted by dryrun only)',
                'e (deleted by the runtime only)'
            ].sort()
        );
    });

    it('finds nothing when both sides agree', () => {
        const side = () => records({ a: { id: 'a', n: [1, 2] } }, ['z']);
        expect(compareRecords('s', 'p', side(), side())).toEqual([]);
    });
});

describe('compareOutputs', () => {
    it('leaves out only the fields named volatile for that action', () => {
        const dry = { id: 'm1', threadId: 't1', labelIds: ['SENT'], messageId: '<1@x>' };
        const rt = { id: 'm2', threadId: 't2', labelIds: ['SENT'], messageId: '<2@x>' };
        expect(compareOutputs('send-email', dry, rt)).toEqual([]);
        expect(compareOutputs('send-email', dry, { ...rt, labelIds: ['SENT', 'INBOX'] }).map((d) => d.field)).toEqual(['labelIds[1]']);
        // create-lead names no volatile field: a different id is a difference.
        expect(compareOutputs('create-lead', { id: '00Q1' }, { id: '00Q2' })).toEqual([
            { script: 'create-lead', phase: 'action', id: 'output', field: 'id', dryrun: '00Q1', runtime: '00Q2' }
        ]);
    });
});

describe('dryrunRecords', () => {
    it('reads --save output: the last save of an id wins, a deleted id counts as deleted', () => {
        const saved = {
            nango: {
                batchSave: { Lead: [{ id: 'a', v: 1 }, { id: 'b' }, { id: 'a', v: 2 }], Other: [{ id: 'x' }] },
                batchDelete: { Lead: [{ id: 'b' }] }
            }
        };
        const found = dryrunRecords(saved, 'Lead');
        expect([...found.saved]).toEqual([['a', { id: 'a', v: 2 }]]);
        expect([...found.deleted]).toEqual(['b']);
        expect(dryrunRecords({}, 'Lead')).toEqual({ saved: new Map(), deleted: new Set() });
    });
});
