import type { NangoSync } from 'nango';
import { z } from 'zod';
import { SalesforceQueryResponse } from '../../../nango-integrations/salesforce/schemas.js';

const VERSION = 'v66.0';
const IdRow = z.object({ Id: z.string() });

/**
 * The naive Salesforce pattern: query every Id (following nextRecordsUrl at the default page size), then GET each
 * record by id, one at a time; every record is kept in memory for one save at the end.
 */
export async function fetchEveryRecordOneByOne(nango: NangoSync, objectName: string): Promise<unknown[]> {
    const ids: string[] = [];
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
    let next: string | undefined = `/services/data/${VERSION}/query?q=${encodeURIComponent(`SELECT Id FROM ${objectName}`)}`;
    while (next) {
        const response = await nango.get({ endpoint: next, retries: 10 });
        const page = SalesforceQueryResponse.parse(response.data);
        ids.push(...page.records.map((row) => IdRow.parse(row).Id));
        next = page.done ? undefined : (page.nextRecordsUrl ?? undefined);
    }
    const rows: unknown[] = [];
    for (const id of ids) {
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve_get.htm
        const response = await nango.get({ endpoint: `/services/data/${VERSION}/sobjects/${objectName}/${id}`, retries: 10 });
        rows.push(response.data);
    }
    return rows;
}
