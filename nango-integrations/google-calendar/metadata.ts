/**
 * The events sync's connection metadata, checked before anything is fetched: a wrong setting fails the run with the
 * field and the fix named, instead of syncing other calendars than meant (a misspelt key would otherwise be ignored
 * and the sync would fall back to `primary`).
 */
import { GoogleCalendarEventsMetadata as Metadata } from '../../models.js';

const EXAMPLE =
    'Set it with Nango\'s setMetadata or updateMetadata, e.g. {"calendarIds": ["primary", "<calendar id>"], "backfillDays": 365} ' +
    'or {"allCalendars": true}; for push add "pushAddress": "<the integration\'s Nango webhook URL, https>".';

export function readMetadata(raw: unknown): Metadata {
    const parsed = Metadata.safeParse(raw ?? {});
    if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => {
            if (issue.code === 'unrecognized_keys') {
                return `unknown key(s) ${issue.keys.map((key) => `'${key}'`).join(', ')} (known: ${Object.keys(Metadata.shape).join(', ')})`;
            }
            return `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`;
        });
        throw new Error(`Invalid connection metadata for the events sync: ${problems.join('; ')}. ${EXAMPLE}`);
    }
    if (parsed.data.allCalendars === true && parsed.data.calendarIds !== undefined) {
        throw new Error(
            `Invalid connection metadata for the events sync: allCalendars: true and calendarIds both choose the calendars; keep one. ${EXAMPLE}`
        );
    }
    return parsed.data;
}
