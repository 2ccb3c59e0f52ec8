import { createSync } from 'nango';
import { SalesforceOpportunity, SalesforceSyncMetadata } from '../../../models.js';
import { OPPORTUNITY_FIELDS } from '../fields.js';
import { SalesforceSyncCheckpoint, syncSalesforceObject } from '../incremental.js';
import { toSalesforceOpportunity } from '../mappers.js';
import { SalesforceOpportunityRow } from '../schemas.js';

/**
 * Checkpoint (see incremental.ts): `since` is the SystemModstamp reached, `savedAtSince` the rows already saved at
 * exactly that second, `fields` the org's subset of OPPORTUNITY_FIELDS. Deletions and undeletions arrive through
 * queryAll.
 */
const sync = createSync({
    description:
        'Salesforce opportunities (name, account, amount, stage, probability, close date, type, owner, closed/won), incremental on SystemModstamp; deleted opportunities are removed.',
    version: '1.0.0',
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
