/**
 * The connection metadata the Salesforce scripts read (SalesforceSyncMetadata), checked once for all of them before
 * any call: a bad value would fail every run the same way, so the problem names the field and the remedy. Unknown
 * keys are refused too: a misspelt `modifiedSince` must not be silently ignored.
 */
import { SalesforceSyncMetadata } from '../../models.js';
import { isWithinSalesforceDates, parseIsoDateTime } from './soql.js';

export interface SalesforceSettings {
    /** ISO date-time, or '' for none. */
    modifiedSince: string;
    /** The Lead External ID field create-lead upserts through, or null. */
    leadExternalIdField: string | null;
}

const FIX = "correct or remove it in the connection's metadata (Nango's API or dashboard)";
const API_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

/** The settings, or the sentence that says what is wrong and how to fix it. */
export function readSalesforceSettings(raw: unknown): { ok: true; value: SalesforceSettings } | { ok: false; problem: string } {
    const fail = (problem: string) => ({ ok: false as const, problem: `Invalid connection metadata for Salesforce: ${problem}: ${FIX}` });
    const metadata = SalesforceSyncMetadata.safeParse(raw ?? {});
    if (!metadata.success) {
        const issue = metadata.error.issues[0];
        const known = Object.keys(SalesforceSyncMetadata.shape).join(', ');
        if (issue?.code === 'unrecognized_keys') return fail(`unknown key ${issue.keys.join(', ')} (known keys: ${known})`);
        return fail(`${issue?.path.map(String).join('.') || 'the metadata'} must be a string`);
    }
    const { modifiedSince = '', leadExternalIdField } = metadata.data;
    if (leadExternalIdField !== undefined && !API_NAME.test(leadExternalIdField))
        return fail(`leadExternalIdField ${JSON.stringify(leadExternalIdField)} is not a Salesforce field API name (e.g. External_Key__c)`);
    const settings = { modifiedSince: '', leadExternalIdField: leadExternalIdField ?? null };
    if (modifiedSince === '') return { ok: true, value: settings };
    const ms = parseIsoDateTime(modifiedSince);
    const got = JSON.stringify(modifiedSince);
    if (ms === null)
        return fail(`modifiedSince must be an ISO 8601 date or date-time such as 2025-01-31 or 2025-01-31T00:00:00Z, got ${got}`);
    if (!isWithinSalesforceDates(modifiedSince, ms))
        return fail(`modifiedSince must lie between 1700-01-01 and 4000-12-31, the dates Salesforce holds, got ${got}`);
    if (ms > Date.now()) return fail(`modifiedSince ${got} is in the future, so nothing would ever be synced`);
    return { ok: true, value: { ...settings, modifiedSince: new Date(ms).toISOString() } };
}
