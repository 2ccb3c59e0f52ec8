import type { people_v1 } from '@googleapis/people';
import type { Clock } from '../../runtime/clock.js';
import { Random } from '../common/random.js';

/**
 * The owner's contacts with People API change tracking: every create, edit or delete takes the next change
 * sequence number; a sync token names the sequence it was issued at, so "changes since the token" are the
 * contacts whose last change is later. Deleted contacts stay as tombstones (resourceName, etag, deletion time)
 * for as long as a token could ask for them. https://developers.google.com/people/v1/contacts#sync_the_users_contacts
 */

export interface StoredContact {
    resourceName: string;
    /** Source id (hex), as in metadata.sources[].id. */
    sourceId: string;
    givenName: string;
    familyName: string;
    emails: { value: string; type: string }[];
    phones: { value: string; type: string }[];
    organization?: { name: string; title: string; department?: string | undefined } | undefined;
    hasPhoto: boolean;
    /** Bumped on every edit; the etags derive from it. */
    revision: number;
    updateTime: number;
    /** Change sequence of the last create/edit/delete. */
    changeSeq: number;
    deleted: boolean;
}

/** Sync tokens stop working 7 days after they are issued (People API docs). */
export const SYNC_TOKEN_LIFETIME_MS = 7 * 86_400_000;

const givenNames = [
    'Ana',
    'Émile',
    'Jürgen',
    'Siobhán',
    'Kenji',
    'Noor',
    'Zoë',
    'Mateo',
    'Øyvind',
    'Li',
    'Grace',
    'Tomás',
    'Ines',
    'Rafał'
];
const familyNames = ['Silva', 'Lefèvre', 'Schäfer', "O'Connor", 'Yamada', 'Haddad', 'Ng', 'Fernández', 'Håland', 'Wei', 'Hopper', 'Nowak'];
const companies = ['Acme Corp', 'Globex', 'Initech', 'Umbrella GmbH', 'Société Générale', 'Stark Industries', '株式会社テスト'];
const titles = ['CTO', 'Account Executive', 'Engineer', 'Directrice financière', 'Buyer', 'Head of Sales'];
const departments = ['Engineering', 'Sales', 'Finance', 'Procurement'];

function hex(random: Random, length: number): string {
    return random.string(length, '0123456789abcdef');
}

export class ContactBook {
    readonly contacts = new Map<string, StoredContact>();
    changeSeq = 1;
    /** Tokens carry the epoch they were issued in; the token-expiry activity starts a new one. */
    tokenEpoch = 0;
    idCounter = 0;

    constructor(
        readonly clock: Clock,
        readonly seed: number
    ) {}

    generate(count: number): void {
        const random = new Random(this.seed ^ 0x9e0c1e);
        const now = this.clock.now();
        for (let i = 0; i < count; i += 1) this.create(random, now - random.int(1, 900) * 86_400_000);
    }

    private nextResourceName(random: Random): string {
        this.idCounter += 1;
        return `people/c${BigInt.asUintN(63, BigInt(random.int(1, 2 ** 31 - 1)) * 4294967296n + BigInt(this.idCounter)).toString()}`;
    }

    create(random: Random, at = this.clock.now()): StoredContact {
        const givenName = random.pick(givenNames);
        const familyName = random.pick(familyNames);
        const local = `${givenName}.${familyName}`
            .normalize('NFKD')
            .replace(/[^A-Za-z.]/g, '')
            .toLowerCase();
        const emails = [{ value: `${local}${this.idCounter}@example.com`, type: 'work' }];
        if (random.chance(0.3)) emails.push({ value: `${local}.home${this.idCounter}@example.net`, type: 'home' });
        const phones = random.chance(0.7) ? [{ value: `+1 415-555-${String(random.int(0, 9999)).padStart(4, '0')}`, type: 'mobile' }] : [];
        const contact: StoredContact = {
            resourceName: this.nextResourceName(random),
            sourceId: hex(random, 16),
            givenName,
            familyName,
            emails,
            phones,
            organization: random.chance(0.6)
                ? {
                      name: random.pick(companies),
                      title: random.pick(titles),
                      ...(random.chance(0.5) ? { department: random.pick(departments) } : {})
                  }
                : undefined,
            hasPhoto: random.chance(0.4),
            revision: 1,
            updateTime: at,
            changeSeq: this.changeSeq++,
            deleted: false
        };
        this.contacts.set(contact.resourceName, contact);
        return contact;
    }

    edit(resourceName: string, random: Random): StoredContact | undefined {
        const contact = this.contacts.get(resourceName);
        if (!contact || contact.deleted) return undefined;
        const change = random.int(0, 2);
        if (change === 0) contact.phones = [{ value: `+44 20 7946 ${String(random.int(0, 9999)).padStart(4, '0')}`, type: 'work' }];
        else if (change === 1) contact.organization = { name: random.pick(companies), title: random.pick(titles) };
        else contact.familyName = random.pick(familyNames);
        this.touch(contact);
        return contact;
    }

    remove(resourceName: string): boolean {
        const contact = this.contacts.get(resourceName);
        if (!contact || contact.deleted) return false;
        contact.deleted = true;
        this.touch(contact);
        return true;
    }

    private touch(contact: StoredContact): void {
        contact.revision += 1;
        contact.updateTime = this.clock.now();
        contact.changeSeq = this.changeSeq++;
    }

    /** Every token issued so far stops working. */
    expireTokens(): void {
        this.tokenEpoch += 1;
    }

    live(): StoredContact[] {
        return [...this.contacts.values()].filter((contact) => !contact.deleted);
    }
}

export function personEtag(contact: StoredContact): string {
    return `%Eg${Buffer.from(`${contact.resourceName}#${contact.revision}`).toString('base64url').slice(-20)}`;
}

function sourceEtag(contact: StoredContact): string {
    return `#${Buffer.from(`${contact.sourceId}:${contact.revision}`).toString('base64url').slice(-14)}`;
}

export const personFieldNames = [
    'addresses',
    'ageRanges',
    'biographies',
    'birthdays',
    'calendarUrls',
    'clientData',
    'coverPhotos',
    'emailAddresses',
    'events',
    'externalIds',
    'genders',
    'imClients',
    'interests',
    'locales',
    'locations',
    'memberships',
    'metadata',
    'miscKeywords',
    'names',
    'nicknames',
    'occupations',
    'organizations',
    'phoneNumbers',
    'photos',
    'relations',
    'sipAddresses',
    'skills',
    'urls',
    'userDefined'
] as const;

/** The Person resource with only the requested fields (resourceName and etag always). */
export function toPerson(contact: StoredContact, fields: ReadonlySet<string>): people_v1.Schema$Person {
    const person: people_v1.Schema$Person = { resourceName: contact.resourceName, etag: personEtag(contact) };
    if (contact.deleted) {
        person.metadata = { deleted: true, objectType: 'PERSON' };
        return person;
    }
    const source = { type: 'CONTACT', id: contact.sourceId };
    const fieldMetadata = (primary: boolean): people_v1.Schema$FieldMetadata => ({ ...(primary ? { primary: true } : {}), source });
    const updateTime = new Date(contact.updateTime).toISOString();
    if (fields.has('metadata')) {
        person.metadata = {
            sources: [{ type: 'CONTACT', id: contact.sourceId, etag: sourceEtag(contact), updateTime }],
            objectType: 'PERSON'
        };
    }
    if (fields.has('names')) {
        person.names = [
            {
                metadata: fieldMetadata(true),
                displayName: `${contact.givenName} ${contact.familyName}`,
                familyName: contact.familyName,
                givenName: contact.givenName,
                displayNameLastFirst: `${contact.familyName}, ${contact.givenName}`,
                unstructuredName: `${contact.givenName} ${contact.familyName}`
            }
        ];
    }
    if (fields.has('emailAddresses') && contact.emails.length > 0) {
        person.emailAddresses = contact.emails.map((email, i) => ({
            metadata: fieldMetadata(i === 0),
            value: email.value,
            type: email.type,
            formattedType: email.type[0]!.toUpperCase() + email.type.slice(1)
        }));
    }
    if (fields.has('phoneNumbers') && contact.phones.length > 0) {
        person.phoneNumbers = contact.phones.map((phone, i) => ({
            metadata: fieldMetadata(i === 0),
            value: phone.value,
            canonicalForm: `+${phone.value.replace(/\D/g, '')}`,
            type: phone.type,
            formattedType: phone.type[0]!.toUpperCase() + phone.type.slice(1)
        }));
    }
    if (fields.has('organizations') && contact.organization) {
        person.organizations = [
            {
                metadata: fieldMetadata(true),
                name: contact.organization.name,
                title: contact.organization.title,
                ...(contact.organization.department ? { department: contact.organization.department } : {})
            }
        ];
    }
    if (fields.has('photos')) {
        // Every person has a photo entry; `default: true` marks the generated letter avatar.
        const id = Buffer.from(contact.resourceName).toString('base64url');
        person.photos = [
            {
                metadata: { primary: true, source: { type: contact.hasPhoto ? 'CONTACT' : 'PROFILE', id: contact.sourceId } },
                url: contact.hasPhoto
                    ? `https://lh3.googleusercontent.com/contacts/${id}=s100`
                    : `https://lh3.googleusercontent.com/cm/${id}=s100-p-k-rw-no`,
                ...(contact.hasPhoto ? {} : { default: true })
            }
        ];
    }
    return person;
}
