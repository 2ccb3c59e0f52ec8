/**
 * What happens in an org between (and during) sync runs. Edits and creations go through the same write rules as the
 * API; deletions go to the recycle bin; conversions create the account, contact and opportunity a real one does.
 */
import { Random } from '../common/random.js';
import { KEY_PREFIXES } from './ids.js';
import { LEAD_SOURCES, LEAD_STATUSES, OPPORTUNITY_TYPES, STAGES } from './schema.js';
import { COMPANIES, FIRST_NAMES, LAST_NAMES, systemStamps } from './seed.js';
import type { SalesforceStore } from './store.js';
import { blankRecord } from './writes.js';
import { formatDate, type SfRecord } from './values.js';

export const ACTIVITIES: { name: string; description: string }[] = [
    { name: 'edit-leads', description: 'Reps edit 10 leads (status, title, phone)' },
    { name: 'mass-update-leads', description: 'A mass update saves up to 2,500 leads in one second: they share one SystemModstamp' },
    { name: 'system-touch-leads', description: 'Automation recalculates 20 leads: SystemModstamp moves, LastModifiedDate does not' },
    { name: 'delete-leads', description: 'Delete 5 leads (they go to the recycle bin)' },
    { name: 'undelete-leads', description: 'Restore up to 3 leads from the recycle bin' },
    { name: 'convert-leads', description: 'Convert 3 open leads, each into a new account, contact and opportunity' },
    { name: 'new-leads', description: 'Web-to-lead creates 10 leads' },
    { name: 'edit-opportunities', description: 'Reps move 10 opportunities through stages and amounts' },
    { name: 'delete-opportunities', description: 'Delete 5 opportunities (they go to the recycle bin)' },
    { name: 'undelete-opportunities', description: 'Restore up to 3 opportunities from the recycle bin' },
    { name: 'new-opportunities', description: 'Reps create 10 opportunities' },
    { name: 'new-records', description: '10 new leads and 10 new opportunities' },
    {
        name: 'empty-recycle-bin',
        description: 'An admin empties the recycle bin: no undelete, getDeleted forgets them, queryAll shows them for 24 more hours'
    },
    { name: 'expire-query-locators', description: 'Every open query cursor expires (as after 15 idle minutes)' }
];

function live(store: SalesforceStore, objectName: string, keep: (record: SfRecord) => boolean = () => true): SfRecord[] {
    const out: SfRecord[] = [];
    for (const record of store.table(objectName).values()) if (record['IsDeleted'] !== true && keep(record)) out.push(record);
    return out;
}

/** Up to `count` distinct records picked at random. */
function sample<T>(random: Random, items: T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) out.push(pool.splice(random.int(0, pool.length - 1), 1)[0]!);
    return out;
}

const openLead = (record: SfRecord): boolean => record['IsConverted'] !== true;

export function applyActivity(store: SalesforceStore, name: string, random: Random): string {
    switch (name) {
        case 'edit-leads': {
            const leads = sample(random, live(store, 'Lead', openLead), 10);
            for (const lead of leads) {
                store.update('Lead', String(lead['Id']), {
                    Status: random.pick(LEAD_STATUSES.filter((s) => s !== 'Closed - Converted')),
                    Title: random.pick(['CFO', 'Head of IT', 'Operations Lead', 'Purchasing Director']),
                    Phone: `+44 20 7946 ${String(random.int(0, 9999)).padStart(4, '0')}`
                });
            }
            return `edited ${leads.length} leads`;
        }
        case 'mass-update-leads': {
            const leads = sample(random, live(store, 'Lead', openLead), 2500);
            const source = random.pick(LEAD_SOURCES);
            for (const lead of leads) store.update('Lead', String(lead['Id']), { LeadSource: source });
            return `mass-updated ${leads.length} leads (LeadSource = ${source}) in one second`;
        }
        case 'system-touch-leads': {
            const leads = sample(random, live(store, 'Lead'), 20);
            for (const lead of leads) store.touch('Lead', String(lead['Id']).slice(0, 15), {}, false);
            return `automation touched ${leads.length} leads`;
        }
        case 'delete-leads':
        case 'delete-opportunities': {
            const objectName = name === 'delete-leads' ? 'Lead' : 'Opportunity';
            const records = sample(random, live(store, objectName), 5);
            for (const record of records) store.delete(objectName, String(record['Id']));
            return `deleted ${records.length} ${objectName.toLowerCase()} records`;
        }
        case 'undelete-leads':
        case 'undelete-opportunities': {
            const objectName = name === 'undelete-leads' ? 'Lead' : 'Opportunity';
            const ids = sample(random, store.binnedIds(objectName), 3);
            for (const id15 of ids) store.undelete(objectName, id15);
            return `restored ${ids.length} ${objectName.toLowerCase()} records from the recycle bin`;
        }
        case 'convert-leads': {
            const leads = sample(random, live(store, 'Lead', openLead), 3);
            for (const lead of leads) convertLead(store, lead);
            return `converted ${leads.length} leads`;
        }
        case 'new-leads':
            return `created ${createLeads(store, random, 10).length} leads`;
        case 'edit-opportunities': {
            const opportunities = sample(random, live(store, 'Opportunity'), 10);
            for (const opportunity of opportunities) {
                store.update('Opportunity', String(opportunity['Id']), {
                    StageName: random.pick(STAGES).name,
                    Amount: random.int(10, 50_000) * 50,
                    NextStep: random.pick(['Send revised quote', 'Exec sponsor call', 'Security review'])
                });
            }
            return `edited ${opportunities.length} opportunities`;
        }
        case 'new-opportunities':
            return `created ${createOpportunities(store, random, 10).length} opportunities`;
        case 'new-records': {
            const leads = createLeads(store, random, 10);
            const opportunities = createOpportunities(store, random, 10);
            return `created ${leads.length} leads and ${opportunities.length} opportunities`;
        }
        case 'empty-recycle-bin':
            return `emptied ${store.emptyRecycleBin()} records from the recycle bin`;
        case 'expire-query-locators':
            return `expired ${store.expireCursors()} query cursors`;
        default:
            throw new Error(`unknown salesforce activity '${name}' (known: ${ACTIVITIES.map((a) => a.name).join(', ')})`);
    }
}

function createLeads(store: SalesforceStore, random: Random, count: number): string[] {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
        const first = random.pick(FIRST_NAMES);
        const last = random.pick(LAST_NAMES);
        const company = random.pick(COMPANIES);
        ids.push(
            store.create('Lead', {
                FirstName: first,
                LastName: last,
                Company: company,
                Email: `${random.string(6)}.${store.ids.next}@inbound.example`,
                LeadSource: 'Web',
                Status: 'Open - Not Contacted'
            })
        );
    }
    return ids;
}

function createOpportunities(store: SalesforceStore, random: Random, count: number): string[] {
    const accounts = live(store, 'Account');
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
        const account = random.pick(accounts);
        ids.push(
            store.create('Opportunity', {
                Name: `${String(account['Name'])} - New deal ${store.ids.next}`,
                AccountId: String(account['Id']),
                StageName: 'Prospecting',
                CloseDate: formatDate(store.stamp() + random.int(30, 120) * 24 * 60 * 60 * 1000),
                Amount: random.int(10, 20_000) * 50,
                Type: random.pick(OPPORTUNITY_TYPES)
            })
        );
    }
    return ids;
}

/** Lead conversion: an account, a contact and an opportunity appear; the lead is marked converted. */
export function convertLead(store: SalesforceStore, lead: SfRecord): void {
    const now = store.stamp();
    const user = store.integrationUser;
    const company = String(lead['Company']);
    const accountId = store.ids.make(KEY_PREFIXES.Account);
    store.insert('Account', {
        ...blankRecord(store.object('Account')),
        Id: accountId,
        IsDeleted: false,
        Name: company,
        OwnerId: user,
        ...systemStamps(user, now, now, now)
    });
    const contactId = store.ids.make(KEY_PREFIXES.Contact);
    store.insert('Contact', {
        ...blankRecord(store.object('Contact')),
        Id: contactId,
        IsDeleted: false,
        AccountId: accountId,
        FirstName: lead['FirstName'] ?? null,
        LastName: lead['LastName'] ?? null,
        Name: lead['Name'] ?? null,
        Email: lead['Email'] ?? null,
        OwnerId: user,
        ...systemStamps(user, now, now, now)
    });
    const opportunityId = store.ids.make(KEY_PREFIXES.Opportunity);
    const stage = STAGES[0]!;
    store.insert('Opportunity', {
        ...blankRecord(store.object('Opportunity')),
        Id: opportunityId,
        IsDeleted: false,
        AccountId: accountId,
        IsPrivate: false,
        Name: `${company}-`,
        StageName: stage.name,
        Probability: stage.probability,
        CloseDate: formatDate(now + 30 * 24 * 60 * 60 * 1000),
        LeadSource: lead['LeadSource'] ?? null,
        IsClosed: false,
        IsWon: false,
        ForecastCategoryName: stage.forecast,
        OwnerId: user,
        ...systemStamps(user, now, now, now)
    });
    store.touch('Lead', String(lead['Id']).slice(0, 15), {
        IsConverted: true,
        Status: 'Closed - Converted',
        ConvertedDate: formatDate(now),
        ConvertedAccountId: accountId,
        ConvertedContactId: contactId,
        ConvertedOpportunityId: opportunityId
    });
}
