/**
 * The webhooks Nango sends to the product, as zod schemas. Shapes: NangoHQ/nango packages/types/lib/webhooks/api.ts
 * (bodies), packages/types/lib/api.ts (ErrorPayload), packages/types/lib/auth/api.ts (operations) and
 * packages/webhooks/lib/sync.ts (what is actually sent: `from: 'nango'`; a full resync is reported as
 * `syncType: 'INITIAL'`; `responseResults.deleted` only when some were deleted). Unknown fields are kept: Nango adds
 * fields over time and a receiver must not refuse them.
 */
import { z } from 'zod';

const ErrorPayload = z.looseObject({ type: z.string(), description: z.string(), payload: z.unknown().optional() });

const SyncBase = {
    from: z.string(),
    type: z.literal('sync'),
    connectionId: z.string(),
    providerConfigKey: z.string(),
    syncName: z.string(),
    syncVariant: z.string().optional(),
    model: z.string(),
    checkpoints: z.unknown().optional(),
    /** Deprecated by Nango, still sent: `INITIAL` also for a full resync. */
    syncType: z.enum(['INCREMENTAL', 'INITIAL', 'WEBHOOK'])
};

export const SyncSuccessWebhook = z.looseObject({
    ...SyncBase,
    success: z.literal(true),
    modifiedAfter: z.string(),
    responseResults: z.looseObject({ added: z.number(), updated: z.number(), deleted: z.number().optional() }),
    queryTimeStamp: z.string().nullable().optional()
});
export type SyncSuccessWebhook = z.infer<typeof SyncSuccessWebhook>;

export const SyncErrorWebhook = z.looseObject({
    ...SyncBase,
    success: z.literal(false),
    error: ErrorPayload,
    startedAt: z.string(),
    failedAt: z.string()
});
export type SyncErrorWebhook = z.infer<typeof SyncErrorWebhook>;

const AuthBase = {
    from: z.string(),
    type: z.literal('auth'),
    connectionId: z.string(),
    authMode: z.string(),
    providerConfigKey: z.string(),
    provider: z.string(),
    environment: z.string(),
    /** `creation` (new connection), `override` (re-authorized), `refresh` (a token refresh, sent when it fails). */
    operation: z.enum(['creation', 'override', 'refresh', 'unknown']),
    tags: z.record(z.string(), z.string()).optional(),
    endUser: z
        .looseObject({
            endUserId: z.string(),
            organizationId: z.string().optional(),
            endUserEmail: z.string().nullable().optional(),
            tags: z.record(z.string(), z.string()).optional()
        })
        .optional()
};

export const AuthSuccessWebhook = z.looseObject({ ...AuthBase, success: z.literal(true) });
export type AuthSuccessWebhook = z.infer<typeof AuthSuccessWebhook>;

export const AuthErrorWebhook = z.looseObject({ ...AuthBase, success: z.literal(false), error: ErrorPayload });
export type AuthErrorWebhook = z.infer<typeof AuthErrorWebhook>;

export const ForwardWebhook = z.looseObject({
    from: z.string(),
    type: z.literal('forward'),
    connectionId: z.string().optional(),
    providerConfigKey: z.string(),
    payload: z.unknown()
});
export type ForwardWebhook = z.infer<typeof ForwardWebhook>;

export const AsyncActionWebhook = z.looseObject({
    from: z.string(),
    type: z.literal('async_action'),
    connectionId: z.string(),
    providerConfigKey: z.string(),
    payload: z.looseObject({ id: z.string(), statusUrl: z.string() })
});
export type AsyncActionWebhook = z.infer<typeof AsyncActionWebhook>;

export type NangoWebhook =
    SyncSuccessWebhook | SyncErrorWebhook | AuthSuccessWebhook | AuthErrorWebhook | ForwardWebhook | AsyncActionWebhook;

const schemasByType = {
    sync: z.discriminatedUnion('success', [SyncSuccessWebhook, SyncErrorWebhook]),
    auth: z.discriminatedUnion('success', [AuthSuccessWebhook, AuthErrorWebhook]),
    forward: ForwardWebhook,
    async_action: AsyncActionWebhook
} as const;

export type ParsedWebhook =
    { kind: 'webhook'; webhook: NangoWebhook } | { kind: 'unknown'; type: unknown } | { kind: 'invalid'; issues: string };

/** A known type is parsed strictly enough to act on; an unknown one is reported as such, to be acknowledged. */
export function parseWebhook(body: unknown): ParsedWebhook {
    const type = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['type'] : undefined;
    if (typeof type !== 'string' || !Object.hasOwn(schemasByType, type)) {
        return { kind: 'unknown', type };
    }
    const parsed = schemasByType[type as keyof typeof schemasByType].safeParse(body);
    return parsed.success
        ? { kind: 'webhook', webhook: parsed.data as NangoWebhook }
        : { kind: 'invalid', issues: z.prettifyError(parsed.error) };
}
