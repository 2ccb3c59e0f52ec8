/**
 * What a Salesforce connection must offer the scripts, checked when it is created or re-authorized
 * (on-events/validate-connection.ts): an identity, REST API access, the objects the syncs query, and metadata the
 * scripts accept. Each check returns the sentence that names what is missing, or null.
 */
import type { NangoAction } from 'nango';
import { dataPath, READ_RETRIES, withSessionRetry } from './api.js';
import { readSalesforceSettings } from './metadata.js';
import { SalesforceLimits, SalesforceObjectAccess, SalesforceUserInfo } from './schemas.js';

/** The objects the syncs read; the actions write Lead and Opportunity, which they need readable too. */
export const SYNCED_OBJECTS = ['Lead', 'Opportunity'] as const;

type Caller = Pick<NangoAction, 'get' | 'log'>;

/** Who the token belongs to: the OpenID Connect UserInfo endpoint, served on the instance like the REST API. */
export async function readIdentity(nango: Caller): Promise<SalesforceUserInfo> {
    // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm
    const response = await withSessionRetry(nango, 'GET /services/oauth2/userinfo', () =>
        nango.get({ endpoint: '/services/oauth2/userinfo', retries: READ_RETRIES })
    );
    return SalesforceUserInfo.parse(response.data);
}

/** REST API access: a user without the "API Enabled" permission is refused here (API_DISABLED_FOR_ORG). */
export async function checkApiAccess(nango: Caller): Promise<string | null> {
    try {
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
        const response = await withSessionRetry(nango, 'GET limits', () =>
            nango.get({ endpoint: dataPath('limits'), retries: READ_RETRIES })
        );
        const limits = SalesforceLimits.parse(response.data).DailyApiRequests;
        if (limits.Remaining <= 0) return `the org's daily API allowance is spent (0 of ${limits.Max} left): try again once it refills`;
        return null;
    } catch (error) {
        return `no REST API access (${messageOf(error)}): the user needs the "API Enabled" permission`;
    }
}

/** Each synced object must be describable and queryable by this user. */
export async function checkObjectAccess(nango: Caller, object: string): Promise<string | null> {
    try {
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
        const response = await withSessionRetry(nango, `GET sobjects/${object}/describe`, () =>
            nango.get({ endpoint: dataPath(`sobjects/${object}/describe`), retries: READ_RETRIES })
        );
        const access = SalesforceObjectAccess.parse(response.data);
        return access.queryable ? null : `the user may not query ${object} (describe says queryable: false)`;
    } catch (error) {
        return `the user cannot read ${object} (${messageOf(error)}): it needs Read access to ${object}`;
    }
}

/** The metadata the syncs and create-lead would refuse on every run, refused once here instead. */
export function checkMetadata(metadata: unknown): string | null {
    const settings = readSalesforceSettings(metadata);
    return settings.ok ? null : settings.problem;
}

function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
