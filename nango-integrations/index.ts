// Every script Nango deploys. The first path segment is the integration id, the file's base name the script name.
import './google-mail/syncs/gmail-threads.js';
import './google-mail/syncs/gmail-contacts.js';
import './google-mail/actions/send-email.js';
import './google-mail/actions/reply-email.js';
import './google-mail/on-events/validate-connection.js';
import './google-mail/on-events/post-connection-creation.js';
import './google-mail/on-events/pre-connection-deletion.js';
import './salesforce/syncs/salesforce-leads.js';
import './salesforce/syncs/salesforce-opportunities.js';
import './salesforce/actions/create-lead.js';
import './salesforce/actions/update-opportunity.js';
import './salesforce/on-events/validate-connection.js';
import './salesforce/on-events/post-connection-creation.js';
import './salesforce/on-events/pre-connection-deletion.js';
import './google-calendar/syncs/events.js';
import './google-calendar/actions/create-event.js';
import './google-calendar/actions/update-event.js';
