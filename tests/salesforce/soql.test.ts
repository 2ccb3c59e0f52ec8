import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idProblem, idSuffix, toId18 } from '../../nango-integrations/salesforce/ids.js';
import {
    buildSelect,
    parseIsoDateTime,
    soqlBoolean,
    soqlDateTime,
    soqlId,
    soqlName,
    soqlString,
    where,
    whereIn
} from '../../nango-integrations/salesforce/soql.js';
import { caseSafeSuffix } from '../../simulators/salesforce/index.js';
import { parseSoql } from '../../simulators/salesforce/soql/parser.js';

/** The value the simulator's SOQL parser reads back from `LastName = <literal>`. */
function readBack(literalText: string): unknown {
    const query = parseSoql(`SELECT Id FROM Lead WHERE LastName = ${literalText}`);
    const condition = query.where;
    if (condition?.kind !== 'compare') throw new Error('not a comparison');
    return condition.value.kind === 'string' ? condition.value.value : condition.value;
}

describe('soqlString', () => {
    it('escapes quotes, backslashes and control characters', () => {
        expect(soqlString("O'Brien").text).toBe("'O\\'Brien'");
        expect(soqlString('back\\slash').text).toBe("'back\\\\slash'");
        expect(soqlString('line\nbreak\ttab"quote').text).toBe("'line\\nbreak\\ttab\\\"quote'");
    });

    it('round-trips any string through a SOQL parser unchanged, so no value can end the literal', () => {
        fc.assert(
            fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
                expect(readBack(soqlString(value).text)).toBe(value);
            }),
            { numRuns: 500 }
        );
        for (const attack of ["' OR Name != '", "\\' OR Id != null OR LastName = '", "x'); DELETE FROM Lead; --", "'' OR ''='"]) {
            expect(readBack(soqlString(attack).text)).toBe(attack);
        }
    });
});

describe('soqlDateTime', () => {
    it('writes UTC to the second, unquoted', () => {
        expect(soqlDateTime('2026-01-15T12:34:56.789Z').text).toBe('2026-01-15T12:34:56Z');
        expect(soqlDateTime('2026-01-15T14:34:56+02:00').text).toBe('2026-01-15T12:34:56Z');
        expect(soqlDateTime('2026-01-15T12:34:56.000+0000').text).toBe('2026-01-15T12:34:56Z');
        expect(soqlDateTime('2026-01-15').text).toBe('2026-01-15T00:00:00Z');
        expect(soqlDateTime(Date.UTC(2026, 0, 15, 12)).text).toBe('2026-01-15T12:00:00Z');
    });

    it.each([
        '2026-01-15T12:00:00Z OR Id != null',
        "2026-01-15' OR '1'='1",
        '2026-02-30',
        '2026-01-15T25:00:00Z',
        '2026-01-15T12:00:00',
        'today',
        '',
        ' 2026-01-15'
    ])('refuses %j', (text) => {
        expect(() => soqlDateTime(text)).toThrow(/not an ISO 8601 date-time/);
    });

    it('parses what Salesforce writes and what ISO allows, to the millisecond', () => {
        expect(parseIsoDateTime('2026-01-15T12:00:00.000+0000')).toBe(Date.UTC(2026, 0, 15, 12));
        expect(parseIsoDateTime('2026-01-15T12:00:00.5-01:30')).toBe(Date.UTC(2026, 0, 15, 13, 30, 0, 500));
        expect(parseIsoDateTime('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
        expect(parseIsoDateTime('2025-02-29')).toBeNull();
    });

    it("reads Salesforce's own form as the general ISO reading does, and refuses what it refuses", () => {
        fc.assert(
            fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) }), (ms) => {
                const iso = new Date(ms).toISOString();
                expect(parseIsoDateTime(iso.replace('Z', '+0000'))).toBe(ms);
                expect(parseIsoDateTime(iso)).toBe(ms);
                // The same instant in a form only the general reading takes.
                expect(parseIsoDateTime(iso.replace('Z', '+00:00'))).toBe(ms);
            })
        );
        for (const bad of [
            '2025-02-29T00:00:00.000+0000',
            '2026-13-01T00:00:00.000Z',
            '2026-01-15T23:60:00.000+0000',
            '2026-01-1xT00:00:00.000Z'
        ])
            expect(parseIsoDateTime(bad)).toBeNull();
    });
});

describe('ids', () => {
    it('computes the same suffix as the simulator for any 15-character id', () => {
        fc.assert(
            fc.property(
                fc.string({
                    unit: fc.constantFrom(...'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')),
                    minLength: 15,
                    maxLength: 15
                }),
                (id) => {
                    expect(idSuffix(id)).toBe(caseSafeSuffix(id));
                }
            )
        );
    });

    it('tells a bad shape, a bad suffix and another object apart', () => {
        const opportunity = toId18('006Dn000000AbCd');
        expect(idProblem(opportunity, '006')).toBeNull();
        expect(idProblem(opportunity.slice(0, 15), '006')).toBeNull();
        expect(idProblem(opportunity, '00Q')).toBe('prefix');
        expect(idProblem(`${opportunity.slice(0, 15)}AAA`, '006')).toBe('checksum');
        expect(idProblem(`${opportunity.slice(0, 15)}A`, '006')).toBe('format');
        expect(idProblem(`${opportunity}'`, '006')).toBe('format');
    });

    it('renders an id literal only for a valid id', () => {
        const id = toId18('00QDn000000xYz1');
        expect(soqlId(id, '00Q').text).toBe(`'${id}'`);
        expect(() => soqlId(`${id.slice(0, 15)}' OR Id != '`)).toThrow(/not a Salesforce id/);
        expect(() => soqlId(id, '006')).toThrow(/prefix/);
    });
});

describe('buildSelect', () => {
    it('writes the incremental query the syncs send', () => {
        const soql = buildSelect({
            fields: ['Id', 'SystemModstamp', 'LastName'],
            from: 'Lead',
            where: [where('SystemModstamp', '>=', soqlDateTime('2026-01-15T12:00:00.000Z')), where('IsDeleted', '=', soqlBoolean(false))],
            orderBy: [{ field: 'SystemModstamp' }, { field: 'Id' }]
        });
        expect(soql).toBe(
            'SELECT Id, SystemModstamp, LastName FROM Lead WHERE (SystemModstamp >= 2026-01-15T12:00:00Z) AND (IsDeleted = false) ORDER BY SystemModstamp ASC, Id ASC'
        );
        expect(() => parseSoql(soql)).not.toThrow();
    });

    it('writes IN lists and limits', () => {
        const ids = [toId18('00QDn000000aaaa'), toId18('00QDn000000bbbb')];
        const soql = buildSelect({
            fields: ['Id'],
            from: 'Lead',
            where: [
                whereIn(
                    'Id',
                    ids.map((id) => soqlId(id))
                )
            ],
            limit: 2
        });
        expect(soql).toBe(`SELECT Id FROM Lead WHERE Id IN ('${ids[0]}', '${ids[1]}') LIMIT 2`);
    });

    it.each([
        'Name, (SELECT Id FROM Contacts)',
        'Id FROM Lead --',
        "LastName = 'x'",
        '',
        '1Field',
        'Foo__bar',
        'Owner.',
        '.Name',
        'Owner..Name'
    ])('refuses %j as a field or object name', (name) => {
        expect(() => soqlName(name)).toThrow(/not a Salesforce API name/);
        expect(() => buildSelect({ fields: [name], from: 'Lead' })).toThrow();
    });

    it('accepts standard, custom and namespaced names', () => {
        for (const name of ['Id', 'Lead_Score__c', 'ns__Field__c', 'Account__r']) expect(soqlName(name)).toBe(name);
    });

    it('selects child-to-parent paths, and only there: an object or a sort key stays a plain name', () => {
        const soql = buildSelect({ fields: ['Id', 'Owner.Name', 'Parent__r.Account.Name'], from: 'Opportunity' });
        expect(soql).toBe('SELECT Id, Owner.Name, Parent__r.Account.Name FROM Opportunity');
        expect(parseSoql(soql).select).toHaveLength(3);
        expect(() => soqlName('Owner.Name')).toThrow(/not a Salesforce API name/);
        expect(() => buildSelect({ fields: ['Id'], from: 'Owner.Name' })).toThrow(/not a Salesforce API name/);
        expect(() => buildSelect({ fields: ['Owner.Name; DELETE'], from: 'Lead' })).toThrow(/not a Salesforce API name/);
        expect(() => buildSelect({ fields: ['A.B.C.D.E.F.Name'], from: 'Lead' })).toThrow(/more than five relationships/);
        expect(buildSelect({ fields: ['A.B.C.D.E.Name'], from: 'Lead' })).toBe('SELECT A.B.C.D.E.Name FROM Lead');
    });
});
