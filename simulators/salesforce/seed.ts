/**
 * A deterministic org of realistic shape: users, accounts, leads (some converted, a few in the recycle bin) and
 * opportunities across the sales stages. Many records share one SystemModstamp, as imports and mass updates leave
 * them, because that is where `>` on a timestamp loses rows.
 */
import { Random } from '../common/random.js';
import { KEY_PREFIXES } from './ids.js';
import { INDUSTRIES, LEAD_SOURCES, OPPORTUNITY_TYPES, RATINGS, STAGES } from './schema.js';
import type { SalesforceStore } from './store.js';
import { blankRecord } from './writes.js';
import { formatDate, toSecond, type FieldValue } from './values.js';

const DAY = 24 * 60 * 60 * 1000;

export const FIRST_NAMES = [
    'Olivia',
    'Liam',
    'Emma',
    'Noah',
    'Ava',
    'Mateo',
    'Sofia',
    'Lucas',
    'Mia',
    'Ethan',
    'Chloé',
    'José',
    'Zoë',
    'Łukasz',
    'Søren',
    'Aoife',
    'Priya',
    'Wei',
    'Yuki',
    'Fatima',
    'Kwame',
    'Ingrid',
    'Dmitri',
    'Ana',
    'Björn',
    'Amara',
    'Hiroshi',
    'Lena'
] as const;
export const LAST_NAMES = [
    'Smith',
    'Johnson',
    'Garcia',
    'Müller',
    "O'Brien",
    'Nguyen',
    'Kowalski',
    'Rossi',
    'Dubois',
    'Andersson',
    'Patel',
    'Kim',
    'Silva',
    'Novák',
    'Okafor',
    'Van der Berg',
    'McAllister',
    'Jensen',
    'Haddad',
    'Schmidt',
    'Tanaka',
    'Ivanova',
    'López',
    'Brown'
] as const;
export const COMPANIES = [
    'Acme Corporation',
    'Globex',
    'Initech',
    'Umbrella Holdings',
    "Ben & Jerry's Distribution",
    'Müller Maschinenbau GmbH',
    'Stark Industries',
    'Wayne Enterprises',
    'Soylent Foods',
    'Hooli',
    'Pied Piper',
    'Vandelay Industries',
    'Tyrell Corp',
    'Cyberdyne Systems',
    'Wonka Confections',
    'Gringotts Bank',
    'Oceanic Airlines',
    'Nakatomi Trading',
    'Blue Sun Ltd',
    'Aperture Science',
    'Black Mesa',
    'Massive Dynamic',
    'Dunder Mifflin',
    'Sterling Cooper',
    'Los Pollos Hermanos'
] as const;
const MIDDLE_NAMES = ['Marie', 'James', 'Anne', 'Lee'] as const;
const TITLES = [
    'CEO',
    'CTO',
    'VP Sales',
    'Head of Operations',
    'Procurement Manager',
    'IT Director',
    'Office Manager',
    'Founder',
    'Buyer',
    null
] as const;
const PRODUCTS = ['Platform Licence', 'Renewal', 'Expansion', 'Services', 'Pilot', 'Enterprise Upgrade'] as const;
const NEXT_STEPS = ['Send proposal', 'Schedule demo', 'Legal review', 'Follow up call', 'Waiting on budget', null] as const;
const COMPETITORS = ['Contoso', 'Northwind', 'Fabrikam', null, null] as const;
const STATUS_WEIGHTS = [
    'Open - Not Contacted',
    'Open - Not Contacted',
    'Working - Contacted',
    'Working - Contacted',
    'Closed - Not Converted'
] as const;

export interface SeedOptions {
    seed: number;
    leads: number;
    opportunities: number;
}

function asciiSlug(text: string): string {
    return text
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/ł/g, 'l')
        .replace(/ø/g, 'o')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '');
}

/** Stamps for `count` records: mostly spread over two years, with an import and mass updates sharing one second. */
function stamps(
    random: Random,
    count: number,
    now: number,
    importShare: number
): { created: number; modified: number; modstamp: number }[] {
    const out: { created: number; modified: number; modstamp: number }[] = [];
    const importAt = toSecond(now - 200 * DAY - random.int(0, DAY));
    const importSize = count >= 2 ? Math.max(2, Math.min(3000, Math.floor(count * importShare))) : 0;
    for (let i = 0; i < count; i += 1) {
        if (i < importSize) {
            out.push({ created: importAt, modified: importAt, modstamp: importAt });
            continue;
        }
        const created = toSecond(now - random.int(DAY, 730 * DAY));
        const modified = toSecond(created + random.int(0, Math.max(0, now - DAY - created)));
        // Automation and recalculation move SystemModstamp without touching LastModifiedDate.
        const modstamp = random.chance(0.15) ? toSecond(modified + random.int(1000, Math.max(1000, now - 60_000 - modified))) : modified;
        out.push({ created, modified, modstamp });
    }
    // Mass updates: small groups of records saved in the same second.
    for (let start = importSize; start + 1 < count; start += random.int(40, 120)) {
        const size = random.int(2, 20);
        const at = out[start]!.modstamp;
        for (let j = start + 1; j < Math.min(count, start + size); j += 1) {
            const entry = out[j]!;
            out[j] = { created: Math.min(entry.created, at), modified: Math.min(entry.modified, at), modstamp: at };
        }
    }
    return out;
}

export function seedOrg(store: SalesforceStore, options: SeedOptions, now: number): void {
    const random = new Random(options.seed);
    const userNames: [string, string][] = [
        ['Integration', 'User'],
        ['Dana', 'Whitfield'],
        ['Marco', 'Bellini'],
        ['Aiko', 'Mori'],
        ['Sam', 'Okoye'],
        ['Greta', 'Lindqvist']
    ];
    const created0 = toSecond(now - 900 * DAY);
    for (const [first, last] of userNames) {
        const id = store.ids.make(KEY_PREFIXES.User);
        store.users.push(id);
        const record = blankRecord(store.object('User'));
        Object.assign(record, {
            Id: id,
            Username: `${asciiSlug(first)}.${asciiSlug(last)}@acme.example`,
            FirstName: first,
            LastName: last,
            Name: `${first} ${last}`,
            Email: `${asciiSlug(first)}.${asciiSlug(last)}@acme.example`,
            IsActive: true,
            CreatedDate: created0,
            CreatedById: store.users[0]!,
            LastModifiedDate: created0,
            LastModifiedById: store.users[0]!,
            SystemModstamp: created0
        });
        store.insert('User', record);
    }
    const owners = store.users;
    // Leads waiting for assignment sit in queues: Groups of Type 'Queue', which a Lead's OwnerId may name.
    const queues: string[] = [];
    for (const [name, developerName] of [
        ['Inbound Leads', 'Inbound_Leads'],
        ['Partner Leads', 'Partner_Leads']
    ] as const) {
        const id = store.ids.make(KEY_PREFIXES.Group);
        queues.push(id);
        const record = blankRecord(store.object('Group'));
        Object.assign(record, {
            Id: id,
            Name: name,
            DeveloperName: developerName,
            Type: 'Queue',
            Email: `${developerName.toLowerCase()}@acme.example`,
            ...systemStamps(owners[0]!, created0, created0, created0)
        });
        store.insert('Group', record);
    }

    const accountCount = Math.max(5, Math.ceil(options.opportunities / 4));
    const accounts: string[] = [];
    for (let i = 0; i < accountCount; i += 1) {
        const id = store.ids.make(KEY_PREFIXES.Account);
        accounts.push(id);
        const at = toSecond(now - random.int(30 * DAY, 800 * DAY));
        const company = COMPANIES[i % COMPANIES.length]!;
        const record = blankRecord(store.object('Account'));
        Object.assign(record, {
            Id: id,
            IsDeleted: false,
            Name: i < COMPANIES.length ? company : `${company} ${Math.floor(i / COMPANIES.length) + 1}`,
            Type: random.pick(['Prospect', 'Customer - Direct', 'Customer - Channel', 'Partner']),
            Industry: random.pick(INDUSTRIES),
            Website: `https://www.${asciiSlug(company)}.example`,
            OwnerId: random.pick(owners),
            ...systemStamps(owners[0]!, at, at, at)
        });
        store.insert('Account', record);
    }

    const opportunityIds: string[] = [];
    const oppStamps = stamps(random, options.opportunities, now, 0.2);
    for (let i = 0; i < options.opportunities; i += 1) {
        const id = store.ids.make(KEY_PREFIXES.Opportunity);
        opportunityIds.push(id);
        const s = oppStamps[i]!;
        const stage = random.pick(STAGES);
        const accountIndex = random.int(0, accounts.length - 1);
        const amount = random.chance(0.9) ? random.int(10, 50_000) * 50 : null;
        const probability = random.chance(0.9) ? stage.probability : random.int(0, 100);
        const record = blankRecord(store.object('Opportunity'));
        Object.assign(record, {
            Id: id,
            IsDeleted: false,
            AccountId: random.chance(0.95) ? accounts[accountIndex]! : null,
            IsPrivate: false,
            Name: `${COMPANIES[accountIndex % COMPANIES.length]} - ${random.pick(PRODUCTS)}`,
            Description: random.chance(0.2) ? 'Customer asked for a multi-year quote.\nBudget approved in Q3.' : null,
            StageName: stage.name,
            Amount: amount,
            Probability: probability,
            ExpectedRevenue: amount === null ? null : Math.round(amount * probability) / 100,
            CloseDate: formatDate(s.created + random.int(14, 240) * DAY),
            Type: random.chance(0.85) ? random.pick(OPPORTUNITY_TYPES) : null,
            NextStep: random.pick(NEXT_STEPS),
            LeadSource: random.chance(0.7) ? random.pick(LEAD_SOURCES) : null,
            IsClosed: stage.closed,
            IsWon: stage.won,
            ForecastCategoryName: stage.forecast,
            OwnerId: random.pick(owners),
            Competitor__c: random.pick(COMPETITORS),
            ...systemStamps(random.pick(owners), s.created, s.modified, s.modstamp)
        });
        store.insert('Opportunity', record);
    }

    const leadStamps = stamps(random, options.leads, now, 0.25);
    for (let i = 0; i < options.leads; i += 1) {
        const id = store.ids.make(KEY_PREFIXES.Lead);
        const s = leadStamps[i]!;
        const first = random.chance(0.95) ? random.pick(FIRST_NAMES) : null;
        const last = random.pick(LAST_NAMES);
        const company = random.pick(COMPANIES);
        const converted = opportunityIds.length > 0 && random.chance(0.08);
        // Middle names without a draw of their own, so the rest of the seeded org stays as it was.
        const middle = first && i % 10 === 3 ? MIDDLE_NAMES[i % MIDDLE_NAMES.length]! : null;
        const record = blankRecord(store.object('Lead'));
        Object.assign(record, {
            Id: id,
            IsDeleted: false,
            LastName: last,
            FirstName: first,
            MiddleName: middle,
            Salutation: random.chance(0.3) ? random.pick(['Mr.', 'Ms.', 'Dr.']) : null,
            Name: [first, middle, last].filter((p) => p !== null).join(' '),
            Title: random.pick(TITLES),
            Company: company,
            City: random.chance(0.6) ? random.pick(['San Francisco', 'Berlin', 'Paris', 'São Paulo', 'Tokyo', 'Lagos', 'Toronto']) : null,
            Country: random.chance(0.6) ? random.pick(['US', 'DE', 'FR', 'BR', 'JP', 'NG', 'CA']) : null,
            Phone: random.chance(0.8) ? `+1 ${random.int(200, 989)} 555 ${String(random.int(0, 9999)).padStart(4, '0')}` : null,
            Email: random.chance(0.9) ? `${asciiSlug(first ?? 'info')}.${asciiSlug(last)}${i}@${asciiSlug(company)}.example` : null,
            Description: random.chance(0.1) ? 'Met at the trade show.\nInterested in the enterprise tier.' : null,
            LeadSource: random.chance(0.8) ? random.pick(LEAD_SOURCES) : null,
            Status: converted ? 'Closed - Converted' : random.pick(STATUS_WEIGHTS),
            Industry: random.chance(0.5) ? random.pick(INDUSTRIES) : null,
            Rating: random.chance(0.4) ? random.pick(RATINGS) : null,
            AnnualRevenue: random.chance(0.3) ? random.int(1, 500) * 100_000 : null,
            NumberOfEmployees: random.chance(0.4) ? random.int(1, 20_000) : null,
            // One lead in eight waits in a queue (a converted lead has a user owner, as conversion requires).
            OwnerId: queueOrUser(i, converted, queues, random.pick(owners)),
            IsConverted: converted,
            ConvertedDate: converted ? formatDate(s.modified) : null,
            ConvertedAccountId: converted ? random.pick(accounts) : null,
            ConvertedContactId: converted ? insertContact(store, first, last, s.modified) : null,
            ConvertedOpportunityId: converted ? random.pick(opportunityIds) : null,
            IsUnreadByOwner: random.chance(0.2),
            Lead_Score__c: random.chance(0.5) ? random.int(0, 100) : null,
            ...systemStamps(random.pick(owners), s.created, s.modified, s.modstamp)
        });
        // A few leads already sit in the recycle bin, deleted in the last days.
        if (random.chance(0.01)) {
            const deletedAt = toSecond(now - random.int(60_000, 10 * DAY));
            record['IsDeleted'] = true;
            record['SystemModstamp'] = Math.max(deletedAt, record['SystemModstamp'] as number);
        }
        store.insert('Lead', record);
    }
}

/** One lead in eight waits in a queue; a converted lead keeps a user owner, as conversion gives it one. */
function queueOrUser(index: number, converted: boolean, queues: readonly string[], user: string): string {
    return !converted && index % 8 === 5 && queues.length > 0 ? queues[Math.floor(index / 8) % queues.length]! : user;
}

function insertContact(store: SalesforceStore, first: string | null, last: string, at: number): string {
    const id = store.ids.make(KEY_PREFIXES.Contact);
    const record = blankRecord(store.object('Contact'));
    Object.assign(record, {
        Id: id,
        IsDeleted: false,
        FirstName: first,
        LastName: last,
        Name: first ? `${first} ${last}` : last,
        OwnerId: store.integrationUser,
        ...systemStamps(store.integrationUser, at, at, at)
    });
    store.insert('Contact', record);
    return id;
}

export function systemStamps(user: string, created: number, modified: number, modstamp: number): Record<string, FieldValue> {
    return {
        CreatedDate: created,
        CreatedById: user,
        LastModifiedDate: modified,
        LastModifiedById: user,
        SystemModstamp: modstamp
    };
}
