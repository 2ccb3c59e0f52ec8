/**
 * The system parameters every Google API accepts besides a method's own
 * (https://cloud.google.com/apis/docs/system-parameters); any other unknown query parameter is a 400.
 */
export const GOOGLE_SYSTEM_PARAMETERS: ReadonlySet<string> = new Set([
    'alt',
    'fields',
    'key',
    'access_token',
    'oauth_token',
    'prettyPrint',
    'quotaUser',
    'userIp',
    'callback',
    'upload_protocol',
    'uploadType',
    '$.xgafv'
]);
