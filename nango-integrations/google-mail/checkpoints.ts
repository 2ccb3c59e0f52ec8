/**
 * Reading a sync's checkpoint. None (null) is a first run. One that fails its schema was not written by this version
 * of the script (a phase misspelt by hand, a field renamed): restarting silently would refetch the whole mailbox, so
 * the run fails and says how to start over on purpose. A full resync ("Full resync" in the dashboard, or the API's
 * full refresh) deletes the sync's checkpoints (NangoHQ/nango packages/shared/lib/clients/orchestrator.ts, RUN_FULL).
 */
import type { z } from 'zod';

export function readCheckpoint<T>(schema: z.ZodType<T>, raw: unknown, syncName: string): T | null {
    if (raw === null || raw === undefined) return null;
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(checkpoint)'}: ${issue.message}`).join('; ');
    throw new Error(
        `The ${syncName} checkpoint does not match its schema (${problems}); run a full resync of ${syncName} to start over, which deletes the checkpoint`
    );
}
