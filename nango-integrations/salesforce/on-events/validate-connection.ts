import { createOnEvent } from 'nango';
import { checkApiAccess, checkMetadata, checkObjectAccess, readIdentity, SYNCED_OBJECTS } from '../connection-checks.js';

/**
 * Refuses a connection the scripts could not use, naming every missing piece at once (Nango shows the thrown
 * message and deletes a new connection it refuses).
 */
export default createOnEvent({
    description:
        'Checks a new or re-authorized Salesforce connection: identity, REST API access, Lead and Opportunity readable, valid metadata.',
    version: '1.0.0',
    event: 'validate-connection',
    exec: async (nango) => {
        let identity;
        try {
            identity = await readIdentity(nango);
        } catch (error) {
            throw new Error(
                `Salesforce connection refused: the token has no readable identity (${error instanceof Error ? error.message : String(error)})`,
                { cause: error }
            );
        }
        const problems: string[] = [];
        const metadataProblem = checkMetadata(await nango.getMetadata());
        if (metadataProblem) problems.push(metadataProblem);
        if (identity.active === false) problems.push(`the user ${identity.user_id} is inactive`);
        const apiProblem = await checkApiAccess(nango);
        if (apiProblem) problems.push(apiProblem);
        else {
            for (const object of SYNCED_OBJECTS) {
                const objectProblem = await checkObjectAccess(nango, object);
                if (objectProblem) problems.push(objectProblem);
            }
        }
        if (problems.length > 0) throw new Error(`Salesforce connection refused: ${problems.join('; ')}`);
        await nango.log(`Salesforce connection valid: user ${identity.user_id} in org ${identity.organization_id}`);
    }
});
