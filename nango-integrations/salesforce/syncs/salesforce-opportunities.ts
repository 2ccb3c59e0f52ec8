import { createSync } from 'nango';
import { SalesforceOpportunity, SalesforceSyncMetadata } from '../../../models.js';
import { OPPORTUNITY_FIELDS } from '../fields.js';
import { SalesforceSyncCheckpoint, syncSalesforceObject } from '../incremental.js';
import { toSalesforceOpportunity } from '../mappers.js';
import { SalesforceOpportunityRow } from '../schemas.js';

/**
 * Checkpoint (see incremental.ts): `since` is the SystemModstamp reached, `savedAtSince` the rows already saved at
 * exactly that second, `fields` the org's subset of OPPORTUNITY_FIELDS, kept with `describedAt`/`describedFor` so a describe
 * answered 304 Not Modified reuses it (describe.ts). Deletions and undeletions arrive through queryAll.
 */
const sync = createSync({
    description:
        'Salesforce opportunities (name, description, account and its name, amount, stage, probability, close date, type, owner and its name, creator, closed/won), incremental on SystemModstamp; deleted opportunities are removed.',
    // 1.1.0: new fields; the field set changes, so the first 1.1.0 run reads everything again.
    version: '1.1.0',
    frequency: 'every 10 minutes',
    autoStart: true,
    scopes: ['api', 'refresh_token'],
    models: { SalesforceOpportunity },
    checkpoint: SalesforceSyncCheckpoint,
    metadata: SalesforceSyncMetadata,
    exec: async (nango) => {
        await syncSalesforceObject(nango, {
            object: 'Opportunity',
            model: 'SalesforceOpportunity',
            fields: OPPORTUNITY_FIELDS,
            row: SalesforceOpportunityRow,
            toModel: toSalesforceOpportunity
        });
    }
});
export default sync;
