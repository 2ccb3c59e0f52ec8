import { createSync } from 'nango';
import { SalesforceLead, SalesforceSyncMetadata } from '../../../models.js';
import { LEAD_FIELDS } from '../fields.js';
import { SalesforceSyncCheckpoint, syncSalesforceObject } from '../incremental.js';
import { toSalesforceLead } from '../mappers.js';
import { SalesforceLeadRow } from '../schemas.js';

/**
 * Checkpoint (see incremental.ts): `since` is the SystemModstamp reached, `savedAtSince` the rows already saved at
 * exactly that second, `fields` the org's subset of LEAD_FIELDS, kept with `describedAt`/`describedFor` so a describe
 * answered 304 Not Modified reuses it (describe.ts). Deletions and undeletions arrive through queryAll.
 */
const sync = createSync({
    description:
        'Salesforce leads (salutation and full name, company, contact details, website, industry, status, source, owner and its name, user or queue, conversion), incremental on SystemModstamp; deleted leads are removed.',
    // 1.1.0: new fields; the field set changes, so the first 1.1.0 run reads everything again.
    version: '1.1.0',
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
