import { createSync } from 'nango';
import { SalesforceLead, SalesforceSyncMetadata } from '../../../models.js';
import { LEAD_FIELDS } from '../fields.js';
import { SalesforceSyncCheckpoint, syncSalesforceObject } from '../incremental.js';
import { toSalesforceLead } from '../mappers.js';
import { SalesforceLeadRow } from '../schemas.js';

/**
 * Checkpoint (see incremental.ts): `since` is the SystemModstamp reached, `savedAtSince` the rows already saved at
 * exactly that second, `fields` the org's subset of LEAD_FIELDS. Deletions and undeletions arrive through queryAll.
 */
const sync = createSync({
    description:
        'Salesforce leads (name, company, contact details, status, source, owner, conversion), incremental on SystemModstamp; deleted leads are removed.',
    version: '1.0.0',
    frequency: 'every 10 minutes',
    autoStart: true,
    scopes: ['api', 'refresh_token'],
    models: { SalesforceLead },
    checkpoint: SalesforceSyncCheckpoint,
    metadata: SalesforceSyncMetadata,
    exec: async (nango) => {
        await syncSalesforceObject(nango, {
            object: 'Lead',
            model: 'SalesforceLead',
            fields: LEAD_FIELDS,
            row: SalesforceLeadRow,
            toModel: toSalesforceLead
        });
    }
});
export default sync;
