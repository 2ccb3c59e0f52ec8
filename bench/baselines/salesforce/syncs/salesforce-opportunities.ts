import { createSync } from 'nango';
import { SalesforceOpportunity } from '../../../../models.js';
import { toSalesforceOpportunity } from '../../../../nango-integrations/salesforce/mappers.js';
import { SalesforceOpportunityRow } from '../../../../nango-integrations/salesforce/schemas.js';
import { fetchEveryRecordOneByOne } from '../naive.js';

/** Bench baseline for salesforce-opportunities: every Opportunity id, then each fetched alone; one save at the end. */
const sync = createSync({
    description: 'Bench baseline: naive Salesforce opportunities sync',
    version: '0.0.1',
    frequency: 'every day',
    autoStart: false,
    models: { SalesforceOpportunity },
    exec: async (nango) => {
        const rows = await fetchEveryRecordOneByOne(nango, 'Opportunity');
        await nango.batchSave(
            rows.map((row) => toSalesforceOpportunity(SalesforceOpportunityRow.parse(row))),
            'SalesforceOpportunity'
        );
    }
});
export default sync;
