import { createSync } from 'nango';
import { GoogleContact } from '../../../../models.js';
import { toGoogleContact } from '../../../../nango-integrations/google-mail/mappers.js';
import { PeopleConnectionsResponse, PeoplePerson } from '../../../../nango-integrations/google-mail/schemas.js';

/**
 * The naive baseline for gmail-contacts, as the simplest guide writes it: connections.list at its default page size
 * (100), every contact kept in memory, one save at the end. The People API has no cheaper "ids only" listing to
 * follow with one get per contact: connections.list already returns whole people, so this is the naive form.
 */
const sync = createSync({
    description: 'Bench baseline: naive Google contacts sync',
    version: '0.0.1',
    frequency: 'every day',
    autoStart: false,
    models: { GoogleContact },
    exec: async (nango) => {
        const contacts: GoogleContact[] = [];
        let pageToken: string | undefined;
        do {
            // https://developers.google.com/people/api/rest/v1/people.connections/list
            const response = await nango.get({
                baseUrlOverride: 'https://people.googleapis.com',
                endpoint: '/v1/people/me/connections',
                params: {
                    personFields: 'names,emailAddresses,phoneNumbers,organizations,photos,metadata',
                    ...(pageToken ? { pageToken } : {})
                },
                retries: 10
            });
            const page = PeopleConnectionsResponse.parse(response.data);
            for (const person of page.connections ?? []) contacts.push(toGoogleContact(PeoplePerson.parse(person)));
            pageToken = page.nextPageToken ?? undefined;
        } while (pageToken);
        await nango.batchSave(contacts, 'GoogleContact');
    }
});
export default sync;
