/** Gmail's system labels and the mailbox's user labels (ids `Label_N`, as Gmail names them). */
export const systemLabels = [
    'INBOX',
    'SENT',
    'DRAFT',
    'SPAM',
    'TRASH',
    'UNREAD',
    'STARRED',
    'IMPORTANT',
    'CHAT',
    'CATEGORY_PERSONAL',
    'CATEGORY_SOCIAL',
    'CATEGORY_PROMOTIONS',
    'CATEGORY_UPDATES',
    'CATEGORY_FORUMS'
] as const;

export const userLabels: Readonly<Record<string, string>> = {
    Label_1: 'Clients',
    Label_2: 'Receipts',
    Label_3: 'Travel/2026',
    Label_4: 'Équipe',
    Label_5: 'Follow up'
};

/** Labels a client may not add or remove with modify (Gmail answers 400). */
export const immutableLabels = new Set(['SENT', 'DRAFT', 'CHAT']);

export function isKnownLabel(id: string): boolean {
    return (systemLabels as readonly string[]).includes(id) || id in userLabels;
}

/** The label id a search term `label:x` names: an id, or a name with spaces and slashes as dashes. */
export function labelFromSearchName(name: string): string | undefined {
    const lower = name.toLowerCase();
    const system = systemLabels.find((id) => id.toLowerCase() === lower || id.toLowerCase().replace('category_', '') === lower);
    if (system) return system;
    for (const [id, label] of Object.entries(userLabels)) {
        const searchName = label.toLowerCase().replace(/[\s/]+/g, '-');
        if (id.toLowerCase() === lower || searchName === lower || label.toLowerCase() === lower) return id;
    }
    return undefined;
}

/**
 * One frozen array per distinct label set, so 300k messages share a few dozen arrays instead of holding their own.
 */
export class LabelSets {
    private readonly sets = new Map<string, readonly string[]>();

    intern(labels: Iterable<string>): readonly string[] {
        const unique = [...new Set(labels)];
        const key = unique.join(',');
        let set = this.sets.get(key);
        if (!set) {
            set = Object.freeze(unique);
            this.sets.set(key, set);
        }
        return set;
    }
}
