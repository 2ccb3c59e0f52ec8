/**
 * The OAuth scopes the google-mail scripts need, and which granted scopes cover each. The list is the union of the
 * scopes the scripts declare (tests/google-mail/on-events.test.ts checks it against nango.yaml).
 *
 * Google grants a broader scope in place of a narrower one: the methods the scripts call accept any of the scopes
 * listed here (the "Authorization scopes" section of each method's reference: threads.get, history.list, users.watch
 * and users.stop take https://mail.google.com/, gmail.modify or gmail.readonly; messages.send takes
 * https://mail.google.com/, gmail.modify, gmail.compose or gmail.send; people.connections.list takes contacts or
 * contacts.readonly). gmail.metadata is not enough: it refuses `format=full`, which gmail-threads reads.
 * https://developers.google.com/workspace/gmail/api/auth/scopes
 */
const GOOGLE = 'https://www.googleapis.com/auth/';
const FULL_MAIL = 'https://mail.google.com/';

export const GOOGLE_MAIL_REQUIRED_SCOPES: Readonly<Record<string, readonly string[]>> = {
    [`${GOOGLE}gmail.readonly`]: [FULL_MAIL, `${GOOGLE}gmail.modify`, `${GOOGLE}gmail.readonly`],
    [`${GOOGLE}gmail.send`]: [FULL_MAIL, `${GOOGLE}gmail.modify`, `${GOOGLE}gmail.compose`, `${GOOGLE}gmail.send`],
    [`${GOOGLE}contacts.readonly`]: [`${GOOGLE}contacts`, `${GOOGLE}contacts.readonly`]
};

/**
 * The granted scopes as the token response lists them: `scope`, space-delimited (RFC 6749 §5.1). Nango keeps the
 * provider's token response as `credentials.raw` (NangoHQ/nango packages/shared/lib/services/connection.service.ts,
 * parseRawCredentials), so a script reads it from `getConnection()`. Null when the credentials do not say.
 */
export function grantedScopes(connection: unknown): string[] | null {
    const credentials = isObject(connection) ? connection['credentials'] : undefined;
    const raw = isObject(credentials) ? credentials['raw'] : undefined;
    const scope = isObject(raw) ? raw['scope'] : undefined;
    if (typeof scope !== 'string') return null;
    return scope.split(/\s+/).filter((item) => item !== '');
}

/** The required scopes that none of the granted ones covers, in the order of GOOGLE_MAIL_REQUIRED_SCOPES. */
export function missingScopes(granted: readonly string[]): string[] {
    return Object.entries(GOOGLE_MAIL_REQUIRED_SCOPES)
        .filter(([, coveredBy]) => !coveredBy.some((scope) => granted.includes(scope)))
        .map(([scope]) => scope);
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null;
}
