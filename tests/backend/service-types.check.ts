/**
 * Type-level proof that the catalog is the contract: `tsc -p .` (npm run typecheck) checks this file, and every
 * `@ts-expect-error` line must be an error, so a model, action or input field the scripts do not declare fails the
 * build. Nothing here runs.
 */
import type { Pool } from 'pg';
import type { ActionError, CachedRecord, NangoService, PostgresMirrorStore, PrunedRecord } from '../../backend/src/index.js';
import type { GmailThread, SendEmailOutput } from '../../models.js';

declare const nango: NangoService;

export async function typedCalls(): Promise<void> {
    const page = await nango.listRecords('GmailThread', { connectionId: 'c1', limit: 100 });
    const record = page.records[0];
    if (record && record._nango_metadata.pruned_at === null) {
        const thread: GmailThread = record as CachedRecord<'GmailThread'>;
        const subject: string | null = thread.subject;
        void subject;
        // @ts-expect-error: GmailThread has no `title`
        void thread.title;
    }
    const pruned: PrunedRecord | undefined = page.records.find((r): r is PrunedRecord => r._nango_metadata.pruned_at !== null);
    void pruned;

    // @ts-expect-error: no sync saves a model of that name
    await nango.listRecords('GmailThreads', { connectionId: 'c1' });
    // @ts-expect-error: filter takes Nango's actions only
    await nango.listRecords('SalesforceLead', { connectionId: 'c1', filter: 'created' });

    const sent: SendEmailOutput = await nango.triggerAction('google-mail', 'send-email', 'c1', {
        to: [{ email: 'a@example.com' }],
        subject: 'Hi',
        text: 'Hello'
    });
    void sent;
    const lead = await nango.triggerAction('salesforce', 'create-lead', 'c1', { LastName: 'Doe', Company: 'Acme' });
    const leadId: string = lead.id;
    void leadId;

    // @ts-expect-error: send-email belongs to google-mail, not salesforce
    await nango.triggerAction('salesforce', 'send-email', 'c1', { to: [], subject: 'x' });
    // @ts-expect-error: no such action
    await nango.triggerAction('google-mail', 'delete-email', 'c1', {});
    // @ts-expect-error: `subjects` is not a field of SendEmailInput
    await nango.triggerAction('google-mail', 'send-email', 'c1', { to: [], subjects: 'x' });
    // @ts-expect-error: `subject` is required
    await nango.triggerAction('google-mail', 'send-email', 'c1', { to: [] });
    // @ts-expect-error: the output of create-lead has no `threadId`
    void (await nango.triggerAction('salesforce', 'create-lead', 'c1', { LastName: 'Doe', Company: 'Acme' })).threadId;

    await nango.setMetadata('google-mail', 'c1', { backfillDays: 30 });
    await nango.setMetadata('google-calendar', 'c1', { calendarIds: ['primary'] });
    // @ts-expect-error: gmail-threads reads backfillDays, a number
    await nango.setMetadata('google-mail', 'c1', { backfillDays: '30' });
    // @ts-expect-error: no sync of salesforce reads `calendarIds`
    await nango.setMetadata('salesforce', 'c1', { calendarIds: ['primary'] });
    // @ts-expect-error: not an integration of this repository
    await nango.getConnection('hubspot', 'c1');
}

export function actionErrorIsTyped(error: ActionError): Record<string, unknown> {
    const code: string = error.code;
    void code;
    return error.payload;
}

/** A product's own pg.Pool fits the store without the package depending on @types/pg. */
export function productPool(pool: Pool, open: typeof PostgresMirrorStore.open): ReturnType<typeof PostgresMirrorStore.open> {
    return open(pool);
}
