/**
 * Connection metadata, checked before a run makes any call. Metadata comes from whoever calls Nango's setMetadata,
 * so a bad value (a negative number, a number sent as a string, a misspelt key) is a mistake to report, never a
 * reason to fall back silently to the default (which, for gmail-threads, is the whole mailbox).
 */
import type { z } from 'zod';

/** `expected` says, per field, what a valid value is ("a positive integer"), for the error message. */
export function readMetadata<T extends Record<string, unknown>>(
    schema: z.ZodType<T>,
    raw: unknown,
    expected: { [K in keyof T]-?: string }
): T {
    const parsed = schema.safeParse(raw ?? {});
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const known = Object.keys(expected).join(', ');
    if (issue.code === 'unrecognized_keys') {
        const key = issue.keys[0] ?? '';
        throw new Error(`metadata has an unknown key ${JSON.stringify(key)} (known: ${known}); fix it with setMetadata`);
    }
    const field = String(issue.path[0] ?? '');
    if (!(field in expected)) throw new Error(`metadata must be an object with the keys ${known}; fix it with setMetadata`);
    const value = (raw as Record<string, unknown>)[field];
    throw new Error(`metadata.${field} must be ${expected[field]!} (got ${JSON.stringify(value)}); fix it with setMetadata`);
}

/** What each key of the google-mail connection's metadata (models.ts GmailThreadsMetadata) must be, for the error message. */
export const GMAIL_METADATA_EXPECTED = {
    backfillDays: 'a positive integer',
    pushTopic: 'a Pub/Sub topic name, projects/<project>/topics/<topic>',
    emailAddress: "the mailbox's address",
    pushWatchHistoryId: 'a Gmail history id (digits)',
    pushWatchRenewedAt: 'an ISO 8601 date-time',
    pushWatchExpiresAt: 'an ISO 8601 date-time'
} as const;
