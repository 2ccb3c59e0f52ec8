import { generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * Push notifications a simulated provider sends to Nango's webhook URL (`POST /webhook/<environment>/<integration>`),
 * queued as activity happens so a test, the runner (`deliver`) or the chaos campaign can hand them to the runtime's
 * routing (`routePush` in runtime/push-routing.ts) when it chooses: a real provider delivers late, twice or out of
 * order, so delivery is the caller's decision, not the simulator's.
 */
export interface PushNotification {
    provider: 'gmail' | 'calendar';
    /** The HTTP request the provider's push would make to Nango's webhook URL: lower-case header names. */
    headers: Record<string, string>;
    /** Raw body: Pub/Sub's JSON for Gmail, '' for Calendar. */
    body: string;
    /** Virtual ms when emitted. */
    emittedAt: number;
}

export class PushOutbox {
    private queue: PushNotification[] = [];

    emit(notification: PushNotification): void {
        this.queue.push({ ...notification, headers: lowerCaseHeaders(notification.headers) });
    }

    /** Removes and returns everything queued, oldest first. */
    take(): PushNotification[] {
        const taken = this.queue;
        this.queue = [];
        return taken;
    }

    peek(): readonly PushNotification[] {
        return this.queue;
    }
}

/**
 * The outbox of a simulator that pushes (Gmail, Calendar: `push: PushOutbox`), or undefined for one that does not.
 * Read this way so that callers work whichever simulators push.
 */
export function pushOutboxOf(simulator: unknown): PushOutbox | undefined {
    const push = (simulator as { push?: Partial<PushOutbox> } | null)?.push;
    return typeof push?.take === 'function' && typeof push.peek === 'function' ? (push as PushOutbox) : undefined;
}

/** Node's HTTP server (and so Nango's express) hands header names lower-cased; a simulator may write them as documented. */
function lowerCaseHeaders(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

// -------------------------------------------------------------------------------------------------------------
// Google's signature on Pub/Sub pushes
// -------------------------------------------------------------------------------------------------------------

/**
 * A Pub/Sub push subscription with authentication sends `Authorization: Bearer <OIDC token>` signed by Google
 * (RS256, key id in the header; iss https://accounts.google.com, aud = the audience configured on the subscription,
 * the subscription's service account in `email`). Nango checks it against Google's published keys
 * (packages/server/lib/webhook/gmail-webhook-routing.ts validate). Locally "Google" is the simulators: they sign with
 * this process's key pair, and the routing trusts these keys the way Nango trusts Google's.
 */
let signer: { kid: string; privateKey: KeyObject; jwk: JsonWebKey } | undefined;

function localSigner(): NonNullable<typeof signer> {
    if (!signer) {
        const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        signer = {
            kid: 'local-google-1',
            privateKey,
            jwk: { ...publicKey.export({ format: 'jwk' }), kid: 'local-google-1', alg: 'RS256', use: 'sig' }
        };
    }
    return signer;
}

/** The public keys the local routing accepts Google tokens from (Google's JWKS stand-in). */
export function localGoogleJwks(): JsonWebKey[] {
    return [localSigner().jwk];
}

export interface GoogleTokenClaims {
    /** The push subscription's audience: Nango expects its webhook URL for the integration's provider. */
    aud: string;
    /** Seconds since the epoch, on the simulator's clock. */
    iat: number;
    /** Default iat + 3600. */
    exp?: number;
    email?: string;
}

/** `Bearer <token>` as Pub/Sub sends it. */
export function googlePushAuthorization(claims: GoogleTokenClaims): string {
    const { kid, privateKey } = localSigner();
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const header = encode({ alg: 'RS256', kid, typ: 'JWT' });
    const payload = encode({
        iss: 'https://accounts.google.com',
        aud: claims.aud,
        iat: claims.iat,
        exp: claims.exp ?? claims.iat + 3600,
        email: claims.email ?? 'push-subscriber@local-project.iam.gserviceaccount.com',
        email_verified: true
    });
    const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url');
    return `Bearer ${header}.${payload}.${signature}`;
}
