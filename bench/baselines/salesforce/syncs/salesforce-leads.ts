import { createSync } from 'nango';
import { SalesforceLead } from '../../../../models.js';
import { toSalesforceLead } from '../../../../nango-integrations/salesforce/mappers.js';
import { SalesforceLeadRow } from '../../../../nango-integrations/salesforce/schemas.js';
import { fetchEveryRecordOneByOne } from '../naive.js';

/** Bench baseline for salesforce-leads: every Lead id, then each Lead fetched alone; one save at the end. */
const sync = createSync({
    description: 'Bench baseline: naive Salesforce leads sync',
    version: '0.0.1',
    frequency: 'every day',
    autoStart: false,
    models: { SalesforceLead },
    exec: async (nango) => {
        const rows = await fetchEveryRecordOneByOne(nango, 'Lead');
        await nango.batchSave(
            rows.map((row) => toSalesforceLead(SalesforceLeadRow.parse(row))),
            'SalesforceLead'
        );
    }
});
export default sync;
