import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/clock.js';
import { canonicalId15, caseSafeSuffix, SalesforceSimulator, to18 } from '../../simulators/salesforce/index.js';
import { server } from '../support/msw.js';

/**
 * Salesforce JSON of many shapes (query pages, error arrays, describe, records); the assertions below check them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const TOKEN = 'test-access-token';
const VERSION = 'v67.0';

let clock: VirtualClock;
let sim: SalesforceSimulator;

function setup(options: { leads?: number; opportunities?: number; dailyLimit?: number } = {}): void {
    clock = new VirtualClock();
    sim = new SalesforceSimulator({
        clock,
        seed: 7,
        leads: options.leads ?? 300,
        opportunities: options.opportunities ?? 120,
        ...(options.dailyLimit ? { dailyLimit: options.dailyLimit } : {})
    });
    server.use(...sim.handlers);
}

async function call(
    path: string,
    init: RequestInit & { token?: string; batchSize?: number } = {}
): Promise<{ status: number; body: Json; headers: Headers }> {
    const headers: Record<string, string> = {
        ...(init.headers as Record<string, string> | undefined),
        Authorization: `Bearer ${init.token ?? TOKEN}`
    };
    if (init.body) headers['Content-Type'] = 'application/json';
    if (init.batchSize) headers['Sforce-Query-Options'] = `batchSize=${init.batchSize}`;
    const url = path.startsWith('/services') ? `${sim.instanceUrl}${path}` : `${sim.instanceUrl}/services/data/${VERSION}${path}`;
    const response = await fetch(url, { ...init, headers });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

function soql(query: string, options: { all?: boolean; batchSize?: number } = {}) {
    return call(
        `/${options.all ? 'queryAll' : 'query'}?q=${encodeURIComponent(query)}`,
        options.batchSize ? { batchSize: options.batchSize } : {}
    );
}

/** Every row of a query, following nextRecordsUrl. */
async function soqlAll(
    query: string,
    options: { all?: boolean; batchSize?: number } = {}
): Promise<{ records: Json[]; pages: number; totalSize: number }> {
    let page = await soql(query, options);
    expect(page.status).toBe(200);
    const records = [...page.body.records];
    let pages = 1;
    while (!page.body.done) {
        page = await call(page.body.nextRecordsUrl);
        expect(page.status).toBe(200);
        records.push(...page.body.records);
        pages += 1;
    }
    return { records, pages, totalSize: page.body.totalSize };
}

function leads() {
    return [...sim.store.table('Lead').values()];
}

describe('ids', () => {
    it('computes the case-safe suffix Salesforce appends to 15-character ids', () => {
        expect(caseSafeSuffix('a0D30000001n7Pi')).toBe('EAI');
        // 001A0 -> bit 3 (I); 00000 -> none (A); 6Vm9r -> bit 1 (C)
        expect(to18('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
        expect(caseSafeSuffix('00Q000000000000')).toBe('EAA');
        expect(caseSafeSuffix('ABCDEabcdeZZZZZ')).toBe('5A5');
    });

    it('reads an 18-character id case-insensitively through its suffix', () => {
        expect(canonicalId15('001a0000006vm9riac')).toBe('001A0000006Vm9r');
        expect(canonicalId15('001A0000006Vm9r')).toBe('001A0000006Vm9r');
        expect(canonicalId15('001A0000006Vm9r9')).toBeNull();
        expect(canonicalId15("001A0000006Vm9r' OR")).toBeNull();
    });

    it('gives every seeded record an 18-character id with its object key prefix and a valid suffix', () => {
        setup();
        for (const [object, prefix] of [
            ['Lead', '00Q'],
            ['Opportunity', '006'],
            ['Account', '001'],
            ['User', '005']
        ] as const) {
            const ids = [...sim.store.table(object).values()].map((r) => String(r['Id']));
            expect(ids.length).toBeGreaterThan(0);
            for (const id of ids) {
                expect(id).toMatch(/^[a-zA-Z0-9]{18}$/);
                expect(id.slice(0, 3)).toBe(prefix);
                expect(id.slice(15)).toBe(caseSafeSuffix(id.slice(0, 15)));
            }
        }
    });
});

describe('versions and routing', () => {
    beforeEach(() => setup());

    it('lists the versions it serves, from 31.0 to the current 67.0', async () => {
        const res = await call('/services/data/');
        expect(res.status).toBe(200);
        expect(res.body[0]).toEqual({ label: "Summer '14", url: '/services/data/v31.0', version: '31.0' });
        expect(res.body.at(-1)).toEqual({ label: "Summer '26", url: '/services/data/v67.0', version: '67.0' });
    });

    it('refuses an unknown or retired version with 404 NOT_FOUND', async () => {
        for (const version of ['v20.0', 'v99.0', 'v62', 'latestish']) {
            const res = await call(`/services/data/${version}/query?q=${encodeURIComponent('SELECT Id FROM Lead')}`);
            expect(res.status).toBe(404);
            expect(res.body).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
        }
        expect((await call('/services/data/v62.0/query?q=SELECT+Id+FROM+Lead+LIMIT+1')).status).toBe(200);
    });

    it('answers an unknown resource with 404 and a wrong method with 405', async () => {
        expect((await call('/nothing/here')).status).toBe(404);
        const put = await call('/sobjects/Lead/00Q000000000000AAA', { method: 'PUT', body: '{}' });
        expect(put.status).toBe(405);
        expect(put.body[0].errorCode).toBe('METHOD_NOT_ALLOWED');
    });
});

describe('SOQL', () => {
    beforeEach(() => setup());

    it('filters on strings case-insensitively, with escaped quotes and backslashes', async () => {
        const created = await call('/sobjects/Lead', {
            method: 'POST',
            body: JSON.stringify({ LastName: "D'Arcy \\ Back", Company: 'Quote Co' })
        });
        expect(created.status).toBe(201);
        const res = await soql("SELECT Id, LastName FROM Lead WHERE LastName = 'd\\'arcy \\\\ back'");
        expect(res.status).toBe(200);
        expect(res.body.records.map((r: Json) => r.Id)).toEqual([created.body.id]);
        expect(res.body.records[0].LastName).toBe("D'Arcy \\ Back");
    });

    it('refuses an unterminated string and an illegal escape as MALFORMED_QUERY', async () => {
        for (const q of ["SELECT Id FROM Lead WHERE LastName = 'abc", "SELECT Id FROM Lead WHERE LastName = 'a\\qb'"]) {
            const res = await soql(q);
            expect(res.status).toBe(400);
            expect(res.body[0].errorCode).toBe('MALFORMED_QUERY');
        }
    });

    it('evaluates AND, OR, NOT and parentheses like the records say', async () => {
        const res = await soqlAll(
            "SELECT Id FROM Lead WHERE (Status = 'Working - Contacted' OR LeadSource = 'Web') AND (NOT IsConverted = true)"
        );
        const expected = leads()
            .filter((r) => r['IsDeleted'] !== true)
            .filter((r) => (r['Status'] === 'Working - Contacted' || r['LeadSource'] === 'Web') && r['IsConverted'] !== true)
            .map((r) => r['Id']);
        expect(expected.length).toBeGreaterThan(10);
        expect(res.records.map((r) => r.Id).sort()).toEqual([...expected].sort());
    });

    it('refuses AND and OR mixed without parentheses, and NOT after AND, as SOQL does', async () => {
        const mixed = await soql("SELECT Id FROM Lead WHERE Status = 'x' AND LeadSource = 'Web' OR IsConverted = true");
        expect(mixed.status).toBe(400);
        expect(mixed.body[0]).toMatchObject({ errorCode: 'MALFORMED_QUERY' });
        expect(mixed.body[0].message).toContain('unexpected token: OR');
        const notAfterAnd = await soql("SELECT Id FROM Lead WHERE Status = 'x' AND NOT (IsConverted = true)");
        expect(notAfterAnd.status).toBe(400);
    });

    it('matches IN and NOT IN on ids given in 15- or 18-character form', async () => {
        const sample = leads()
            .filter((r) => r['IsDeleted'] !== true)
            .slice(0, 3)
            .map((r) => String(r['Id']));
        const list = [sample[0]!, sample[1]!.slice(0, 15), sample[2]!.toLowerCase()].map((id) => `'${id}'`).join(', ');
        const res = await soql(`SELECT Id FROM Lead WHERE Id IN (${list})`);
        expect(res.body.records.map((r: Json) => r.Id).sort()).toEqual([...sample].sort());
        const not = await soql(`SELECT COUNT() FROM Lead WHERE Id NOT IN (${list})`);
        expect(not.body.totalSize).toBe(leads().filter((r) => r['IsDeleted'] !== true).length - 3);
    });

    it('refuses a malformed id literal as Salesforce does', async () => {
        const res = await soql("SELECT Id FROM Lead WHERE Id = 'abc'");
        expect(res.status).toBe(400);
        expect(res.body[0]).toMatchObject({
            errorCode: 'INVALID_QUERY_FILTER_OPERATOR',
            message: expect.stringContaining('invalid ID field: abc')
        });
    });

    it('compares date-times given as unquoted ISO 8601 literals, with Json offset', async () => {
        const cut = Date.UTC(2025, 6, 1);
        const expected = leads().filter((r) => r['IsDeleted'] !== true && (r['SystemModstamp'] as number) >= cut).length;
        for (const literal of ['2025-07-01T00:00:00Z', '2025-07-01T02:00:00+02:00', '2025-07-01T00:00:00.000Z']) {
            const res = await soql(`SELECT COUNT() FROM Lead WHERE SystemModstamp >= ${literal}`);
            expect(res.status).toBe(200);
            expect(res.body.totalSize).toBe(expected);
        }
    });

    it('refuses a quoted date-time or a date literal on a date-time field', async () => {
        for (const literal of ["'2025-07-01T00:00:00Z'", '2025-07-01', '42']) {
            const res = await soql(`SELECT Id FROM Lead WHERE SystemModstamp > ${literal}`);
            expect(res.status).toBe(400);
            expect(res.body[0].errorCode).toBe('INVALID_FIELD');
            expect(res.body[0].message).toContain("value of filter criterion for field 'SystemModstamp' must be of type dateTime");
        }
    });

    it('compares dates, numbers, booleans and null', async () => {
        const opportunities = [...sim.store.table('Opportunity').values()].filter((r) => r['IsDeleted'] !== true);
        const res = await soqlAll(
            'SELECT Id FROM Opportunity WHERE CloseDate < 2025-09-01 AND Amount > 100000 AND IsWon = false AND NextStep != null'
        );
        const expected = opportunities.filter(
            (r) =>
                String(r['CloseDate']) < '2025-09-01' &&
                typeof r['Amount'] === 'number' &&
                r['Amount'] > 100000 &&
                r['IsWon'] === false &&
                r['NextStep'] !== null
        );
        expect(expected.length).toBeGreaterThan(0);
        expect(res.records.map((r) => r.Id).sort()).toEqual(expected.map((r) => r['Id']).sort());
    });

    it('orders by several fields, descending and with nulls last, then limits', async () => {
        const res = await soql(
            'SELECT Id, Title, SystemModstamp FROM Lead ORDER BY Title DESC NULLS LAST, SystemModstamp ASC, Id LIMIT 50'
        );
        expect(res.body.records).toHaveLength(50);
        const rows = res.body.records as { Id: string; Title: string | null; SystemModstamp: string }[];
        for (let i = 1; i < rows.length; i += 1) {
            const a = rows[i - 1]!;
            const b = rows[i]!;
            if (a.Title === null) expect(b.Title).toBeNull();
            else if (b.Title !== null && a.Title.toLowerCase() !== b.Title.toLowerCase())
                expect(a.Title.toLowerCase() > b.Title.toLowerCase()).toBe(true);
            else if (b.Title !== null) expect(a.SystemModstamp <= b.SystemModstamp).toBe(true);
        }
    });

    it('answers unknown fields with INVALID_FIELD, unknown objects with INVALID_TYPE, broken syntax with MALFORMED_QUERY', async () => {
        const field = await soql('SELECT Id, Foo FROM Lead');
        expect(field.status).toBe(400);
        expect(field.body[0].errorCode).toBe('INVALID_FIELD');
        expect(field.body[0].message).toContain(
            "No such column 'Foo' on entity 'Lead'. If you are attempting to use a custom field, be sure to append the '__c'"
        );
        const type = await soql('SELECT Id FROM Leed');
        expect(type.body[0]).toMatchObject({
            errorCode: 'INVALID_TYPE',
            message: expect.stringContaining("sObject type 'Leed' is not supported")
        });
        for (const q of [
            'SELECT Id Lead',
            'SELECT FROM Lead',
            'SELECT Id FROM Lead WHERE',
            'SELECT Id FROM Lead ORDER SystemModstamp',
            'SELECT Id FROM Lead LIMIT x'
        ]) {
            const res = await soql(q);
            expect(res.status, q).toBe(400);
            expect(res.body[0].errorCode, q).toBe('MALFORMED_QUERY');
        }
        const empty = await call('/query?q=');
        expect(empty.body[0]).toEqual({ message: 'A query string has to be specified', errorCode: 'MALFORMED_QUERY' });
    });

    it('refuses to filter or sort on a long text area', async () => {
        const filter = await soql("SELECT Id FROM Lead WHERE Description = 'x'");
        expect(filter.body[0].message).toContain("field 'Description' can not be filtered in a query call");
        const sort = await soql('SELECT Id FROM Lead ORDER BY Description');
        expect(sort.body[0].message).toContain("field 'Description' can not be sorted in a query call");
    });

    it('accepts field and object names in Json case and answers with the canonical names', async () => {
        const res = await soql('select id, lastname from lead limit 1');
        expect(Object.keys(res.body.records[0])).toEqual(['attributes', 'Id', 'LastName']);
        expect(res.body.records[0].attributes.type).toBe('Lead');
    });
});

describe('SOQL relationship paths', () => {
    beforeEach(() => setup());

    const urlOf = (type: string, id: string): string => `/services/data/${VERSION}/sobjects/${type}/${id}`;

    it('answers Account.Name and Owner.Name as nested records with their own attributes, in the order asked', async () => {
        const { records } = await soqlAll('SELECT Id, account.name, Owner.Name, OwnerId FROM Opportunity WHERE AccountId != null');
        expect(records.length).toBeGreaterThan(0);
        for (const row of records) {
            const stored = sim.store.table('Opportunity').get(row.Id.slice(0, 15))!;
            const account = sim.store.table('Account').get(String(stored['AccountId']).slice(0, 15))!;
            const owner = sim.store.table('User').get(String(stored['OwnerId']).slice(0, 15))!;
            expect(Object.keys(row)).toEqual(['attributes', 'Id', 'Account', 'Owner', 'OwnerId']);
            expect(row.Account).toEqual({
                attributes: { type: 'Account', url: urlOf('Account', String(account['Id'])) },
                Name: account['Name']
            });
            expect(row.Owner).toEqual({ attributes: { type: 'User', url: urlOf('User', String(owner['Id'])) }, Name: owner['Name'] });
        }
    });

    it('answers null for the relationship when the lookup is empty', async () => {
        const { records } = await soqlAll('SELECT Id, Account.Name, Account.Industry FROM Opportunity WHERE AccountId = null');
        expect(records.length).toBeGreaterThan(0);
        for (const row of records) expect(row.Account).toBeNull();
    });

    it("reads a lead's polymorphic Owner through the Name entity, for a user and for a queue alike", async () => {
        const { records } = await soqlAll('SELECT Id, OwnerId, Owner.Name, Owner.Type, Owner.FirstName FROM Lead');
        const queued = records.filter((r: Json) => r.OwnerId.startsWith('00G'));
        const userOwned = records.filter((r: Json) => r.OwnerId.startsWith('005'));
        expect(queued.length).toBeGreaterThan(0);
        expect(userOwned.length).toBeGreaterThan(0);
        const queue = sim.store.table('Group').get(queued[0].OwnerId.slice(0, 15))!;
        expect(queued[0].Owner).toEqual({
            attributes: { type: 'Name', url: urlOf('Group', String(queue['Id'])) },
            Name: queue['Name'],
            Type: 'Group',
            FirstName: null
        });
        const user = sim.store.table('User').get(userOwned[0].OwnerId.slice(0, 15))!;
        expect(userOwned[0].Owner).toEqual({
            attributes: { type: 'Name', url: urlOf('User', String(user['Id'])) },
            Name: user['Name'],
            Type: 'User',
            FirstName: user['FirstName']
        });
    });

    it('filters and sorts on a relationship path', async () => {
        const queue = [...sim.store.table('Group').values()][0]!;
        const { records } = await soqlAll(
            `SELECT Id, OwnerId FROM Lead WHERE Owner.Name = '${String(queue['Name'])}' ORDER BY Owner.Name, Id`
        );
        expect(records.length).toBeGreaterThan(0);
        for (const row of records) expect(row.OwnerId).toBe(queue['Id']);
        const typed = await soqlAll("SELECT Id, OwnerId FROM Lead WHERE Owner.Type = 'Group'");
        expect(typed.records.every((r: Json) => r.OwnerId.startsWith('00G'))).toBe(true);
    });

    it('refuses an unknown relationship, a field the parent lacks and a lookup field used as a relationship, as INVALID_FIELD', async () => {
        const relationship = await soql('SELECT Id, Manager.Name FROM Opportunity');
        expect(relationship.status).toBe(400);
        expect(relationship.body[0]).toMatchObject({
            errorCode: 'INVALID_FIELD',
            message: expect.stringContaining(
                "Didn't understand relationship 'Manager' in field path. If you are attempting to use a custom relationship, be sure to append the '__r'"
            )
        });
        const lookupField = await soql('SELECT Id, AccountId.Name FROM Opportunity');
        expect(lookupField.body[0].message).toContain("Didn't understand relationship 'AccountId' in field path");
        const parentField = await soql('SELECT Id, Account.Nope FROM Opportunity');
        expect(parentField.body[0]).toMatchObject({
            errorCode: 'INVALID_FIELD',
            message: expect.stringContaining("No such column 'Nope' on entity 'Account'")
        });
        // Through a polymorphic lookup only the Name entity's fields exist, not every field of User.
        const polymorphic = await soql('SELECT Id, Owner.Username__c FROM Lead');
        expect(polymorphic.body[0].message).toContain("No such column 'Username__c' on entity 'Name'");
        const bare = await soql('SELECT Id, Owner FROM Lead');
        expect(bare.body[0].message).toContain("No such column 'Owner' on entity 'Lead'");
        const twice = await soql('SELECT Owner.Name, owner.name FROM Lead');
        expect(twice.body[0].errorCode).toBe('MALFORMED_QUERY');
    });

    it('lets a lead, not an opportunity, be given to a queue', async () => {
        const queue = String([...sim.store.table('Group').values()][0]!['Id']);
        const lead = String([...sim.store.table('Lead').values()].find((r) => r['IsDeleted'] !== true)!['Id']);
        const assigned = await call(`/sobjects/Lead/${lead}`, { method: 'PATCH', body: JSON.stringify({ OwnerId: queue }) });
        expect(assigned.status).toBe(204);
        expect(sim.store.table('Lead').get(lead.slice(0, 15))!['OwnerId']).toBe(queue);
        const deal = String([...sim.store.table('Opportunity').values()].find((r) => r['IsDeleted'] !== true)!['Id']);
        const refused = await call(`/sobjects/Opportunity/${deal}`, { method: 'PATCH', body: JSON.stringify({ OwnerId: queue }) });
        expect(refused.status).toBe(400);
        expect(refused.body[0]).toMatchObject({ errorCode: 'MALFORMED_ID', fields: ['OwnerId'] });
    });

    it('refuses a path whose lookup the org lacks', async () => {
        sim.removeField('Opportunity', 'AccountId');
        const res = await soql('SELECT Id, Account.Name FROM Opportunity');
        expect(res.body[0].message).toContain("Didn't understand relationship 'Account' in field path");
    });

    it('keeps the parent values a query saw on its later pages', async () => {
        sim.store.pageSizeCap = 20;
        const first = await soql('SELECT Id, Account.Name FROM Opportunity WHERE AccountId != null ORDER BY Id', { batchSize: 200 });
        expect(first.body.done).toBe(false);
        for (const id15 of sim.store.table('Account').keys()) sim.store.touch('Account', id15, { Name: 'Renamed' });
        const next = await call(first.body.nextRecordsUrl);
        expect(next.body.records.every((r: Json) => r.Account.Name !== 'Renamed')).toBe(true);
    });
});

describe('query cursors', () => {
    it('pages by nextRecordsUrl with the batch size asked for, 200 to 2,000', async () => {
        setup({ leads: 1100 });
        const first = await soql('SELECT Id FROM Lead ORDER BY SystemModstamp, Id', { batchSize: 300 });
        expect(first.body.records).toHaveLength(300);
        expect(first.body.done).toBe(false);
        expect(first.body.nextRecordsUrl).toMatch(/^\/services\/data\/v67\.0\/query\/01g[a-zA-Z0-9]{15}-300$/);
        const all = await soqlAll('SELECT Id FROM Lead ORDER BY SystemModstamp, Id', { batchSize: 300 });
        const live = leads().filter((r) => r['IsDeleted'] !== true).length;
        expect(all.records).toHaveLength(live);
        expect(new Set(all.records.map((r) => r.Id)).size).toBe(live);
        expect(all.pages).toBe(Math.ceil(live / 300));
        expect(all.totalSize).toBe(live);
        // Below the minimum is raised to 200; the default is 2,000.
        expect((await soql('SELECT Id FROM Lead', { batchSize: 50 })).body.records).toHaveLength(200);
        expect((await soql('SELECT Id FROM Lead')).body.records).toHaveLength(Math.min(2000, live));
    });

    it('serves 2,000 rows a page by default', async () => {
        setup({ leads: 4500, opportunities: 5 });
        const all = await soqlAll('SELECT Id FROM Lead', { all: true });
        expect(all.records).toHaveLength(4500);
        expect(all.pages).toBe(3);
    });

    it('keeps the rows of an open cursor as they were when the query ran', async () => {
        setup({ leads: 500 });
        const first = await soql('SELECT Id, Title FROM Lead ORDER BY Id', { batchSize: 200 });
        const later = leads().sort((a, b) => (String(a['Id']) < String(b['Id']) ? -1 : 1))[300]!;
        sim.store.update('Lead', String(later['Id']), { Title: 'Changed meanwhile' });
        const second = await call(first.body.nextRecordsUrl);
        const third = await call(second.body.nextRecordsUrl);
        const row = [...second.body.records, ...third.body.records].find((r: Json) => r.Id === later['Id']);
        expect(row.Title).toBe(later['Title']);
    });

    it('expires a cursor 15 minutes after its last use', async () => {
        setup({ leads: 500 });
        const first = await soql('SELECT Id FROM Lead', { batchSize: 200 });
        clock.advance(14 * 60_000);
        const second = await call(first.body.nextRecordsUrl);
        expect(second.status).toBe(200);
        clock.advance(15 * 60_000 + 1000);
        const third = await call(second.body.nextRecordsUrl);
        expect(third.status).toBe(400);
        expect(third.body).toEqual([{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
    });

    it('expires cursors on demand and closes the oldest beyond 10 open ones', async () => {
        setup({ leads: 500 });
        const first = await soql('SELECT Id FROM Lead', { batchSize: 200 });
        sim.applyActivity('expire-query-locators');
        expect((await call(first.body.nextRecordsUrl)).body[0].errorCode).toBe('INVALID_QUERY_LOCATOR');
        const opened = [];
        for (let i = 0; i < 11; i += 1) opened.push((await soql('SELECT Id FROM Lead', { batchSize: 200 })).body.nextRecordsUrl);
        expect((await call(opened[0])).status).toBe(400);
        expect((await call(opened[10])).status).toBe(200);
        expect((await call(opened[0].replace(/-\d+$/, '-99999'))).status).toBe(400);
        expect((await call('/query/not-a-locator')).body[0].errorCode).toBe('INVALID_QUERY_LOCATOR');
    });

    it('returns deleted rows only to queryAll, and its nextRecordsUrl stays on queryAll', async () => {
        setup({ leads: 600 });
        const victim = leads().find((r) => r['IsDeleted'] !== true)!;
        clock.advance(5000);
        expect((await call(`/sobjects/Lead/${victim['Id']}`, { method: 'DELETE' })).status).toBe(204);
        const q = `SELECT Id, IsDeleted, SystemModstamp FROM Lead WHERE Id = '${victim['Id']}'`;
        expect((await soql(q)).body.records).toEqual([]);
        const all = await soql(q, { all: true });
        expect(all.body.records[0]).toMatchObject({
            Id: victim['Id'],
            IsDeleted: true,
            SystemModstamp: new Date(clock.now()).toISOString().replace('Z', '+0000')
        });
        const binned = leads().filter((r) => r['IsDeleted'] === true).length;
        expect(binned).toBeGreaterThan(1);
        expect((await soql('SELECT COUNT() FROM Lead WHERE IsDeleted = true', { all: true })).body.totalSize).toBe(binned);
        expect((await soql('SELECT COUNT() FROM Lead WHERE IsDeleted = true')).body.totalSize).toBe(0);
        const paged = await soql('SELECT Id FROM Lead', { all: true, batchSize: 200 });
        expect(paged.body.nextRecordsUrl).toMatch(/^\/services\/data\/v67\.0\/queryAll\/01g/);
    });

    it('purges the recycle bin after its retention, so queryAll no longer sees those deletions', async () => {
        setup();
        const victim = leads().find((r) => r['IsDeleted'] !== true)!;
        await call(`/sobjects/Lead/${victim['Id']}`, { method: 'DELETE' });
        clock.advance(16 * 24 * 60 * 60 * 1000);
        expect((await soql(`SELECT Id FROM Lead WHERE Id = '${victim['Id']}'`, { all: true })).body.records).toEqual([]);
    });

    it('keeps emptied records visible to queryAll for 24 hours, but not to undelete or getDeleted', async () => {
        setup();
        const victim = leads().find((r) => r['IsDeleted'] !== true)!;
        const start = new Date(clock.now() - 5 * 60_000).toISOString();
        clock.advance(1000);
        await call(`/sobjects/Lead/${victim['Id']}`, { method: 'DELETE' });
        const deletedAt = clock.now();
        clock.advance(60_000);
        const deletedWindow = () =>
            `/sobjects/Lead/deleted/?start=${encodeURIComponent(start)}&end=${encodeURIComponent(new Date(clock.now()).toISOString())}`;
        const before = await call(deletedWindow());
        expect(before.body.deletedRecords.map((r: Json) => r.id)).toContain(victim['Id']);
        expect(Date.parse(before.body.earliestDateAvailable.replace('+0000', 'Z'))).toBeLessThan(deletedAt);
        expect(sim.applyActivity('empty-recycle-bin')).toMatch(/^emptied \d+ records/);
        const after = await call(deletedWindow());
        expect(after.body.deletedRecords).toEqual([]);
        expect(after.body.earliestDateAvailable).toBe(new Date(Math.max(...[deletedAt])).toISOString().replace('Z', '+0000'));
        const q = `SELECT Id, IsDeleted FROM Lead WHERE Id = '${victim['Id']}'`;
        expect((await soql(q, { all: true })).body.records).toEqual([expect.objectContaining({ Id: victim['Id'], IsDeleted: true })]);
        expect((await call(`/sobjects/Lead/${victim['Id']}`)).status).toBe(404);
        expect(() => sim.store.undelete('Lead', String(victim['Id']))).toThrow(/NOT_FOUND/);
        clock.advance(24 * 60 * 60 * 1000);
        expect((await soql(q, { all: true })).body.records).toEqual([]);
    });

    it('refuses a getDeleted window shorter than a minute or starting more than 30 days back', async () => {
        setup();
        const now = clock.now();
        const window = (start: number, end: number) =>
            call(
                `/sobjects/Lead/deleted/?start=${encodeURIComponent(new Date(start).toISOString())}&end=${encodeURIComponent(new Date(end).toISOString())}`
            );
        expect((await window(now - 30_000, now)).body[0].errorCode).toBe('INVALID_REPLICATION_DATE');
        expect((await window(now - 31 * 24 * 60 * 60 * 1000, now)).body[0].errorCode).toBe('INVALID_REPLICATION_DATE');
        expect((await window(now - 5 * 60_000, now)).status).toBe(200);
    });

    it('has seeded records sharing one SystemModstamp, as imports and mass updates leave them', () => {
        setup({ leads: 1000 });
        const counts = new Map<number, number>();
        for (const r of leads()) counts.set(r['SystemModstamp'] as number, (counts.get(r['SystemModstamp'] as number) ?? 0) + 1);
        const shared = [...counts.values()].filter((n) => n > 1);
        expect(Math.max(...shared)).toBeGreaterThanOrEqual(200);
        expect(shared.length).toBeGreaterThan(5);
    });
});

describe('records', () => {
    beforeEach(() => setup());

    it('creates a lead (201) with an 18-character 00Q id, then reads, updates and deletes it', async () => {
        const created = await call('/sobjects/Lead', {
            method: 'POST',
            body: JSON.stringify({ LastName: 'Nguyen', Company: 'Initech', Email: 'an@initech.example' })
        });
        expect(created.status).toBe(201);
        expect(created.body).toEqual({ id: expect.stringMatching(/^00Q[a-zA-Z0-9]{15}$/), success: true, errors: [] });
        const id = created.body.id as string;
        const read = await call(`/sobjects/Lead/${id}`);
        expect(read.body).toMatchObject({
            Id: id,
            LastName: 'Nguyen',
            Company: 'Initech',
            Status: 'Open - Not Contacted',
            IsConverted: false,
            Name: 'Nguyen'
        });
        expect(read.body.attributes).toEqual({ type: 'Lead', url: `/services/data/${VERSION}/sobjects/Lead/${id}` });
        clock.advance(3000);
        const patched = await call(`/sobjects/Lead/${id}`, { method: 'PATCH', body: JSON.stringify({ Title: 'CTO', FirstName: 'Anh' }) });
        expect(patched.status).toBe(204);
        const after = await call(`/sobjects/Lead/${id}?fields=Title,Name,SystemModstamp,LastModifiedDate`);
        const stamp = new Date(clock.now()).toISOString().replace('Z', '+0000');
        expect(after.body).toMatchObject({ Title: 'CTO', Name: 'Anh Nguyen', SystemModstamp: stamp, LastModifiedDate: stamp });
        expect((await call(`/sobjects/Lead/${id}`, { method: 'DELETE' })).status).toBe(204);
        for (const method of ['GET', 'PATCH', 'DELETE']) {
            const res = await call(`/sobjects/Lead/${id}`, method === 'PATCH' ? { method, body: '{"Title":"x"}' } : { method });
            expect(res.status).toBe(404);
            expect(res.body).toEqual([{ errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }]);
        }
    });

    it('answers a PATCH with If-Unmodified-Since 412 once the record changed after that date, 400 for a bad date', async () => {
        const opportunity = [...sim.store.table('Opportunity').values()].find((r) => r['IsDeleted'] !== true)!;
        const id = String(opportunity['Id']);
        const seen = new Date(opportunity['LastModifiedDate'] as number).toUTCString();
        clock.advance(3000);
        const patch = (date: string, body: object) =>
            call(`/sobjects/Opportunity/${id}`, { method: 'PATCH', body: JSON.stringify(body), headers: { 'If-Unmodified-Since': date } });
        expect((await patch(seen, { NextStep: 'first' })).status).toBe(204);
        const stale = await patch(seen, { NextStep: 'second' });
        expect(stale.status).toBe(412);
        expect(stale.body).toEqual([{ errorCode: 'PRECONDITION_FAILED', message: expect.any(String) }]);
        expect(sim.store.table('Opportunity').get(id.slice(0, 15))!['NextStep']).toBe('first');
        const fresh = new Date(sim.store.table('Opportunity').get(id.slice(0, 15))!['LastModifiedDate'] as number).toUTCString();
        expect((await patch(fresh, { NextStep: 'third' })).status).toBe(204);
        expect((await patch('not a date', { NextStep: 'fourth' })).status).toBe(400);
        expect(sim.store.table('Opportunity').get(id.slice(0, 15))!['NextStep']).toBe('third');
    });

    it('upserts a lead by an External ID field: 201 created, then 200 updating the same record', async () => {
        const upsert = (field: string, value: string, body: object) =>
            call(`/sobjects/Lead/${field}/${encodeURIComponent(value)}`, { method: 'PATCH', body: JSON.stringify(body) });
        const before = sim.store.table('Lead').size;
        const created = await upsert('External_Key__c', 'order-42', { LastName: 'Keyed', Company: 'Keyed Co' });
        expect(created.status).toBe(201);
        expect(created.body).toEqual({ id: expect.stringMatching(/^00Q/), success: true, errors: [], created: true });
        const again = await upsert('external_key__c', 'ORDER-42', { LastName: 'Keyed', Company: 'Keyed Co', Title: 'CEO' });
        expect(again.status).toBe(200);
        expect(again.body).toEqual({ id: created.body.id, success: true, errors: [], created: false });
        expect(sim.store.table('Lead').size).toBe(before + 1);
        const read = await call('/sobjects/Lead/External_Key__c/order-42');
        expect(read.body).toMatchObject({ Id: created.body.id, External_Key__c: 'order-42', Title: 'CEO' });
        // Not an External ID, or no such field: "Incorrect external ID field".
        for (const field of ['Company', 'Nope__c']) {
            const refused = await upsert(field, 'x', { LastName: 'A', Company: 'B' });
            expect(refused.status).toBe(404);
            expect(refused.body).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
        }
        expect((await upsert('External_Key__c', 'k', { LastName: 'A', Company: 'B', External_Key__c: 'k' })).status).toBe(400);
        const duplicate = await call('/sobjects/Lead', {
            method: 'POST',
            body: JSON.stringify({ LastName: 'Twin', Company: 'Twin', External_Key__c: 'Order-42' })
        });
        expect(duplicate.status).toBe(400);
        expect(duplicate.body[0]).toMatchObject({ errorCode: 'DUPLICATE_VALUE', fields: ['External_Key__c'] });
        expect(sim.store.table('Lead').size).toBe(before + 1);
    });

    it('refuses dates outside 1700-01-01..4000-12-31 with FIELD_INTEGRITY_EXCEPTION, accepting both ends', async () => {
        const opportunity = [...sim.store.table('Opportunity').values()].find((r) => r['IsDeleted'] !== true)!;
        const patch = (CloseDate: string) =>
            call(`/sobjects/Opportunity/${String(opportunity['Id'])}`, { method: 'PATCH', body: JSON.stringify({ CloseDate }) });
        for (const date of ['0000-01-01', '1699-12-31', '4001-01-01', '9999-12-31']) {
            const refused = await patch(date);
            expect(refused.status).toBe(400);
            expect(refused.body[0]).toMatchObject({ errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['CloseDate'] });
        }
        for (const date of ['1700-01-01', '4000-12-31']) expect((await patch(date)).status).toBe(204);
    });

    it("answers MALFORMED_ID for a bad id or another object's id, NOT_FOUND for an unknown one", async () => {
        const bad = await call('/sobjects/Opportunity/abc', { method: 'PATCH', body: '{"Name":"x"}' });
        expect(bad.status).toBe(400);
        expect(bad.body).toEqual([
            { message: 'Opportunity ID: id value of incorrect type: abc', errorCode: 'MALFORMED_ID', fields: ['Id'] }
        ]);
        const lead = String(leads()[0]!['Id']);
        expect((await call(`/sobjects/Opportunity/${lead}`)).body[0].errorCode).toBe('MALFORMED_ID');
        const unknown = await call(`/sobjects/Opportunity/${to18('006Dn000000zzzz')}`);
        expect(unknown.status).toBe(404);
        expect(unknown.body).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    });

    it('reports every missing required field, too-long string, bad picklist value and bad email of a lead', async () => {
        const missing = await call('/sobjects/Lead', { method: 'POST', body: JSON.stringify({ FirstName: 'A' }) });
        expect(missing.status).toBe(400);
        expect(missing.body).toEqual([
            {
                message: 'Required fields are missing: [LastName, Company]',
                errorCode: 'REQUIRED_FIELD_MISSING',
                fields: ['LastName', 'Company']
            }
        ]);
        const blank = await call('/sobjects/Lead', { method: 'POST', body: JSON.stringify({ LastName: '  ', Company: 'X' }) });
        expect(blank.body[0].fields).toEqual(['LastName']);
        const bad = await call('/sobjects/Lead', {
            method: 'POST',
            body: JSON.stringify({
                LastName: 'x'.repeat(81),
                Company: 'Y',
                Email: 'not-an-email',
                Status: 'Maybe',
                FirstName: 'f'.repeat(41)
            })
        });
        expect(bad.status).toBe(400);
        const byCode = Object.fromEntries(bad.body.map((e: Json) => [e.fields[0], e.errorCode]));
        expect(byCode).toEqual({
            LastName: 'STRING_TOO_LONG',
            FirstName: 'STRING_TOO_LONG',
            Email: 'INVALID_EMAIL_ADDRESS',
            Status: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST'
        });
        expect(bad.body.find((e: Json) => e.fields[0] === 'Status').message).toBe(
            'Lead Status: bad value for restricted picklist field: Maybe'
        );
        expect(bad.body.find((e: Json) => e.fields[0] === 'Email').message).toBe('Email: invalid email address: not-an-email');
        expect(bad.body.find((e: Json) => e.fields[0] === 'LastName').message).toBe(
            `Last Name: data value too large: ${'x'.repeat(81)} (max length=80)`
        );
        expect(leads().some((r) => r['Company'] === 'Y')).toBe(false);
    });

    it('refuses an Id, an unknown field, a read-only field and a value of the wrong type', async () => {
        const withId = await call('/sobjects/Lead', {
            method: 'POST',
            body: JSON.stringify({ Id: '00Q000000000000', LastName: 'A', Company: 'B' })
        });
        expect(withId.body).toEqual([{ message: 'The Id field should not be specified in the sobject data.', errorCode: 'INVALID_FIELD' }]);
        const unknown = await call('/sobjects/Lead', { method: 'POST', body: JSON.stringify({ LastName: 'A', Company: 'B', Foo__c: 1 }) });
        expect(unknown.body).toEqual([{ message: "No such column 'Foo__c' on sobject of type Lead", errorCode: 'INVALID_FIELD' }]);
        const readOnly = await call('/sobjects/Lead', {
            method: 'POST',
            body: JSON.stringify({ LastName: 'A', Company: 'B', IsConverted: true })
        });
        expect(readOnly.body[0]).toMatchObject({ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['IsConverted'] });
        const wrongType = await call('/sobjects/Opportunity', {
            method: 'POST',
            body: JSON.stringify({ Name: 'A', StageName: 'Prospecting', CloseDate: '2026-03-01', Amount: 'lots' })
        });
        expect(wrongType.body[0].errorCode).toBe('JSON_PARSER_ERROR');
        const notJson = await call('/sobjects/Lead', { method: 'POST', body: '{"LastName":' });
        expect(notJson.body[0].errorCode).toBe('JSON_PARSER_ERROR');
    });

    it('enforces the opportunity rules: required fields, stage picklist, date format, and derives stage flags', async () => {
        const missing = await call('/sobjects/Opportunity', { method: 'POST', body: JSON.stringify({ Name: 'Deal' }) });
        expect(missing.body[0]).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['StageName', 'CloseDate'] });
        const badStage = await call('/sobjects/Opportunity', {
            method: 'POST',
            body: JSON.stringify({ Name: 'Deal', StageName: 'Won-ish', CloseDate: '2026-03-01' })
        });
        expect(badStage.body[0]).toMatchObject({ errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['StageName'] });
        const badDate = await call('/sobjects/Opportunity', {
            method: 'POST',
            body: JSON.stringify({ Name: 'Deal', StageName: 'Prospecting', CloseDate: '2026-02-30' })
        });
        expect(badDate.body[0].errorCode).toBe('JSON_PARSER_ERROR');
        const created = await call('/sobjects/Opportunity', {
            method: 'POST',
            body: JSON.stringify({ Name: 'Deal', StageName: 'Prospecting', CloseDate: '2026-03-01', Amount: 1000 })
        });
        expect(created.status).toBe(201);
        const id = created.body.id;
        expect(id.slice(0, 3)).toBe('006');
        await call(`/sobjects/Opportunity/${id}`, { method: 'PATCH', body: JSON.stringify({ StageName: 'Closed Won' }) });
        const won = await call(`/sobjects/Opportunity/${id}`);
        expect(won.body).toMatchObject({ StageName: 'Closed Won', IsClosed: true, IsWon: true, Probability: 100, ExpectedRevenue: 1000 });
        const range = await call(`/sobjects/Opportunity/${id}`, { method: 'PATCH', body: JSON.stringify({ Probability: 150 }) });
        expect(range.body[0]).toMatchObject({ errorCode: 'NUMBER_OUTSIDE_VALID_RANGE', fields: ['Probability'] });
        const cleared = await call(`/sobjects/Opportunity/${id}`, { method: 'PATCH', body: JSON.stringify({ Name: null }) });
        expect(cleared.body[0]).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] });
    });

    it('applies a duplicate rule on lead email when switched on, and a configured validation rule', async () => {
        const existing = leads().find((r) => r['IsDeleted'] !== true && typeof r['Email'] === 'string')!;
        const body = JSON.stringify({ LastName: 'Dup', Company: 'Dup Co', Email: String(existing['Email']).toUpperCase() });
        sim.store.duplicateRuleOnLeadEmail = true;
        const dup = await call('/sobjects/Lead', { method: 'POST', body });
        expect(dup.status).toBe(400);
        expect(dup.body[0]).toMatchObject({ errorCode: 'DUPLICATES_DETECTED', message: 'Use one of these records?', fields: [] });
        expect(dup.body[0].duplicateResult.matchResults[0].matchRecords[0].record.Id).toBe(existing['Id']);
        sim.store.duplicateRuleOnLeadEmail = false;
        expect((await call('/sobjects/Lead', { method: 'POST', body })).status).toBe(201);
        sim.store.validationRules.push({
            object: 'Lead',
            message: 'A phone number is required for partner leads',
            errorField: 'Phone',
            when: { field: 'LeadSource', equals: 'Partner Referral' }
        });
        const rule = await call('/sobjects/Lead', {
            method: 'POST',
            body: JSON.stringify({ LastName: 'R', Company: 'R', LeadSource: 'Partner Referral' })
        });
        expect(rule.body).toEqual([
            { message: 'A phone number is required for partner leads', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', fields: ['Phone'] }
        ]);
    });

    it('refuses to update a converted lead', async () => {
        sim.applyActivity('convert-leads');
        const converted = leads().find((r) => r['IsConverted'] === true && r['IsDeleted'] !== true)!;
        const res = await call(`/sobjects/Lead/${converted['Id']}`, { method: 'PATCH', body: '{"Title":"x"}' });
        expect(res.body[0].errorCode).toBe('CANNOT_UPDATE_CONVERTED_LEAD');
    });

    it('lists deletions in a window with the deleted endpoint', async () => {
        const start = new Date(clock.now() - 60_000).toISOString();
        const victim = leads().find((r) => r['IsDeleted'] !== true)!;
        await call(`/sobjects/Lead/${victim['Id']}`, { method: 'DELETE' });
        clock.advance(1000);
        const res = await call(
            `/sobjects/Lead/deleted/?start=${encodeURIComponent(start)}&end=${encodeURIComponent(new Date(clock.now()).toISOString())}`
        );
        expect(res.status).toBe(200);
        expect(res.body.deletedRecords).toEqual([
            { id: victim['Id'], deletedDate: new Date(clock.now() - 1000).toISOString().replace('Z', '+0000') }
        ]);
        const backwards = await call(
            `/sobjects/Lead/deleted/?start=${encodeURIComponent(new Date(clock.now()).toISOString())}&end=${encodeURIComponent(start)}`
        );
        expect(backwards.body[0].errorCode).toBe('INVALID_REPLICATION_DATE');
    });
});

describe('describe', () => {
    beforeEach(() => setup());

    it('describes fields with name, type, nillable, createable, updateable, length and picklist values', async () => {
        const res = await call('/sobjects/Lead/describe');
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ name: 'Lead', keyPrefix: '00Q', queryable: true });
        const byName: Record<string, Json> = Object.fromEntries(res.body.fields.map((f: Json) => [f.name, f]));
        expect(byName['LastName']).toMatchObject({ type: 'string', length: 80, nillable: false, createable: true, updateable: true });
        expect(byName['Email']).toMatchObject({ type: 'email', length: 80, nillable: true });
        expect(byName['SystemModstamp']).toMatchObject({ type: 'datetime', createable: false, updateable: false });
        expect(byName['Status'].picklistValues.map((p: Json) => p.value)).toContain('Working - Contacted');
    });

    it("names each lookup's relationship, and tells a polymorphic one by its several parents", async () => {
        const lead: Record<string, Json> = Object.fromEntries(
            (await call('/sobjects/Lead/describe')).body.fields.map((f: Json) => [f.name, f])
        );
        expect(lead['OwnerId']).toMatchObject({
            type: 'reference',
            relationshipName: 'Owner',
            referenceTo: ['Group', 'User'],
            polymorphicForeignKey: true
        });
        expect(lead['ConvertedAccountId']).toMatchObject({ relationshipName: 'ConvertedAccount', polymorphicForeignKey: false });
        expect(lead['LastName'].relationshipName).toBeNull();
        const opportunity: Record<string, Json> = Object.fromEntries(
            (await call('/sobjects/Opportunity/describe')).body.fields.map((f: Json) => [f.name, f])
        );
        expect(opportunity['AccountId']).toMatchObject({ relationshipName: 'Account', referenceTo: ['Account'] });
        expect(opportunity['OwnerId']).toMatchObject({ relationshipName: 'Owner', referenceTo: ['User'] });
    });

    it('describes an org without a field, and refuses queries and writes that name it', async () => {
        sim.removeField('Opportunity', 'Probability');
        const res = await call('/sobjects/Opportunity/describe');
        expect(res.body.fields.map((f: Json) => f.name)).not.toContain('Probability');
        expect(res.body.fields.map((f: Json) => f.name)).toContain('StageName');
        const query = await soql('SELECT Id, Probability FROM Opportunity');
        expect(query.body[0]).toMatchObject({
            errorCode: 'INVALID_FIELD',
            message: expect.stringContaining("No such column 'Probability' on entity 'Opportunity'")
        });
        const write = await call('/sobjects/Opportunity', {
            method: 'POST',
            body: JSON.stringify({ Name: 'A', StageName: 'Prospecting', CloseDate: '2026-03-01', Probability: 5 })
        });
        expect(write.body[0].errorCode).toBe('INVALID_FIELD');
        expect((await call('/sobjects/Nope/describe')).status).toBe(404);
    });
});

describe('describe with If-Modified-Since', () => {
    beforeEach(() => setup());
    const since = (ms: number) => ({ headers: { 'If-Modified-Since': new Date(ms).toUTCString() } });

    it('answers 304 Not Modified without a body while the object has not changed, and counts the call', async () => {
        const before = sim.apiUsage().used;
        const res = await call('/sobjects/Lead/describe', since(clock.now() - 60_000));
        expect(res.status).toBe(304);
        expect(res.body).toBeNull();
        expect(sim.apiUsage().used).toBe(before + 1);
        expect(res.headers.get('sforce-limit-info')).toBe(`api-usage=${before + 1}/100000`);
    });

    it('answers the full describe once a field of that object changed after the date, and only of that object', async () => {
        const date = clock.now() - 60_000;
        sim.removeField('Lead', 'Title');
        const lead = await call('/sobjects/Lead/describe', since(date));
        expect(lead.status).toBe(200);
        expect(lead.body.fields.map((f: Json) => f.name)).not.toContain('Title');
        expect((await call('/sobjects/Opportunity/describe', since(date))).status).toBe(304);
        // A date after the change: unchanged since.
        clock.advance(2000);
        expect((await call('/sobjects/Lead/describe', since(clock.now() - 1000))).status).toBe(304);
    });

    it('counts a change within the very second named as not after it (HTTP dates have whole seconds)', async () => {
        clock.advance(1500 - (clock.now() % 1000));
        sim.removeField('Lead', 'Title');
        expect((await call('/sobjects/Lead/describe', since(clock.now()))).status).toBe(304);
        expect((await call('/sobjects/Lead/describe', since(clock.now() - 1000))).status).toBe(200);
    });

    it.each([
        ['not an HTTP-date', '2026-01-15T12:00:00Z'],
        ['a word', 'yesterday'],
        ['another zone', 'Thu, 15 Jan 2026 11:00:00 PST'],
        ['a day the month lacks', 'Sat, 31 Feb 2026 10:00:00 GMT'],
        ['a date after the server clock', 'Fri, 01 Jan 2100 00:00:00 GMT']
    ])('ignores an If-Modified-Since that is %s and answers the full describe', async (_what, value) => {
        const res = await call('/sobjects/Lead/describe', { headers: { 'If-Modified-Since': value } });
        expect(res.status).toBe(200);
        expect(res.body.name).toBe('Lead');
    });

    it("reads the one-digit day of Salesforce's own example", async () => {
        expect((await call('/sobjects/Lead/describe', { headers: { 'If-Modified-Since': 'Wed, 3 Jan 2024 19:43:31 GMT' } })).status).toBe(
            304
        );
    });

    it('keeps when a field was removed across a snapshot, and treats a removal of unknown time as a change', async () => {
        sim.removeField('Lead', 'Title');
        const date = clock.now() + 1000;
        clock.advance(5000);
        const snapshot = JSON.parse(JSON.stringify(sim.snapshot()));
        sim = SalesforceSimulator.restore(snapshot, { clock });
        server.use(...sim.handlers);
        expect((await call('/sobjects/Lead/describe', since(date))).status).toBe(304);
        for (const removal of snapshot.removedFields) delete removal.at;
        sim = SalesforceSimulator.restore(snapshot, { clock });
        server.use(...sim.handlers);
        expect((await call('/sobjects/Lead/describe', since(date))).status).toBe(200);
    });
});

describe('session and allowance', () => {
    it('answers a bad token with 401 INVALID_SESSION_ID', async () => {
        setup();
        const res = await call('/query?q=SELECT+Id+FROM+Lead', { token: 'expired' });
        expect(res.status).toBe(401);
        expect(res.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    });

    it('reports usage in Sforce-Limit-Info and answers 403 REQUEST_LIMIT_EXCEEDED once the rolling 24 hours are spent', async () => {
        setup({ dailyLimit: 5 });
        for (let i = 1; i <= 5; i += 1) {
            const res = await soql('SELECT Id FROM Lead LIMIT 1');
            expect(res.status).toBe(200);
            expect(res.headers.get('sforce-limit-info')).toBe(`api-usage=${i}/5`);
        }
        const over = await soql('SELECT Id FROM Lead LIMIT 1');
        expect(over.status).toBe(403);
        expect(over.body).toEqual([{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }]);
        expect(over.headers.get('sforce-limit-info')).toBe('api-usage=5/5');
        clock.advance(24 * 60 * 60 * 1000);
        expect((await soql('SELECT Id FROM Lead LIMIT 1')).status).toBe(200);
    });

    it("answers an injected fault in Salesforce's error format", async () => {
        setup();
        sim.core.faults.inject('query', { kind: 'status', status: 503 });
        const res = await soql('SELECT Id FROM Lead LIMIT 1');
        expect(res.status).toBe(503);
        expect(res.body[0].errorCode).toBe('SERVER_UNAVAILABLE');
        expect((await soql('SELECT Id FROM Lead LIMIT 1')).status).toBe(200);
    });
});

describe('activities, truth and snapshots', () => {
    beforeEach(() => setup());

    it('moves the truth the way each activity says', () => {
        const before = sim.truth('SalesforceLead');
        expect(sim.applyActivity('delete-leads')).toBe('deleted 5 lead records');
        const afterDelete = sim.truth('SalesforceLead');
        expect(afterDelete).toHaveLength(before.length - 5);
        clock.advance(1000);
        sim.applyActivity('undelete-leads');
        expect(sim.truth('SalesforceLead')).toHaveLength(before.length - 2);
        const opportunities = sim.truth('SalesforceOpportunity').length;
        sim.applyActivity('convert-leads');
        expect(sim.truth('SalesforceOpportunity')).toHaveLength(opportunities + 3);
        clock.advance(1000);
        sim.applyActivity('mass-update-leads');
        const stamp = new Date(clock.now()).toISOString();
        expect(sim.truth('SalesforceLead').filter((t) => t.version === stamp).length).toBeGreaterThan(200);
        clock.advance(1000);
        const lead = leads().find((r) => r['IsDeleted'] !== true)!;
        const lastModified = lead['LastModifiedDate'];
        sim.store.touch('Lead', String(lead['Id']).slice(0, 15), {}, false);
        const touched = sim.store.table('Lead').get(String(lead['Id']).slice(0, 15))!;
        expect(touched['LastModifiedDate']).toBe(lastModified);
        expect(touched['SystemModstamp']).toBe(clock.now());
        for (const activity of sim.activities()) expect(typeof sim.applyActivity(activity.name)).toBe('string');
        expect(() => sim.applyActivity('nope')).toThrow(/unknown salesforce activity/);
    });

    it.each(['Lead', 'Opportunity'])(
        'undeletes only %s records still in the recycle bin, and nothing once a gap of over 15 days purged it',
        (objectName) => {
            const plural = objectName === 'Lead' ? 'leads' : 'opportunities';
            const binned = () => sim.store.binnedIds(objectName);
            clock.advance(20 * 24 * 60 * 60 * 1000);
            expect(() => sim.applyActivity(`undelete-${plural}`)).not.toThrow();
            expect(binned()).toEqual([]);
            sim.applyActivity(`delete-${plural}`);
            const old = binned();
            clock.advance(10 * 24 * 60 * 60 * 1000);
            sim.applyActivity(`delete-${plural}`);
            clock.advance(6 * 24 * 60 * 60 * 1000);
            // The first five are past the 15 days (purged), the last five can still be restored.
            expect(sim.applyActivity(`undelete-${plural}`)).toMatch(/^restored 3 /);
            expect(binned().filter((id) => old.includes(id))).toEqual([]);
            expect(binned()).toHaveLength(2);
        }
    );

    it('versions a cached record by SystemModstamp in either wire or ISO form', () => {
        const truth = sim.truth('SalesforceLead')[0]!;
        expect(sim.versionOf('SalesforceLead', { systemModstamp: truth.version.replace('Z', '+0000') })).toBe(truth.version);
        expect(sim.versionOf('SalesforceLead', { systemModstamp: truth.version })).toBe(truth.version);
    });

    it('restores a snapshot to the same org, including a removed field and the rules', () => {
        sim.applyActivity('delete-leads');
        sim.removeField('Lead', 'Title');
        sim.store.duplicateRuleOnLeadEmail = true;
        const snapshot = JSON.parse(JSON.stringify(sim.snapshot()));
        const restored = SalesforceSimulator.restore(snapshot, { clock });
        expect(restored.truth('SalesforceLead')).toEqual(sim.truth('SalesforceLead'));
        expect(restored.truth('SalesforceOpportunity')).toEqual(sim.truth('SalesforceOpportunity'));
        expect(restored.store.schema.field(restored.store.object('Lead'), 'Title')).toBeUndefined();
        expect(restored.store.duplicateRuleOnLeadEmail).toBe(true);
        expect(restored.store.binnedIds('Lead').sort()).toEqual(sim.store.binnedIds('Lead').sort());
        // Ids keep counting where the snapshot stopped.
        expect(restored.store.ids.next).toBe(sim.store.ids.next);
    });

    it('seeds the same org from the same seed', () => {
        const again = new SalesforceSimulator({ clock, seed: 7, leads: 300, opportunities: 120 });
        expect(again.truth('SalesforceLead')).toEqual(sim.truth('SalesforceLead'));
    });
});
