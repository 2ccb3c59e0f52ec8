/**
 * The one email address check of every action (Gmail recipients, Calendar attendees, a Salesforce lead's Email): the
 * addresses all three providers take, so a check never passes what one of them would refuse.
 *
 * The rule, the RFC 5322 addr-spec (section 3.4.1) narrowed to what the three former checks all took (the Gmail
 * builder's, Calendar's and Salesforce's; none of them claimed more than "what the provider accepts in practice"):
 * - the local part is a dot-atom (RFC 5322 section 3.2.3: atext runs joined by single dots, so no leading, trailing
 *   or doubled dot), ASCII only, at most 64 characters (RFC 5321 section 4.5.3.1.1). No quoted local part: the
 *   Gmail and Salesforce checks refused it, and the MIME builder writes addresses bare;
 * - the domain is a host name of at least two labels, each 1 to 63 letters, digits and inner hyphens (RFC 1035
 *   section 2.3.1, RFC 1123 section 2.1): no address literal (`[192.0.2.1]`), no underscore, no non-ASCII (an
 *   internationalised domain is given in its A-label form, `xn--...`, RFC 5890);
 * - at most 254 characters in all (RFC 5321 section 4.5.3.1.3: a 256-octet path less its angle brackets).
 * Salesforce's Email field also holds at most 80 characters (Lead object reference); that limit stays with the
 * Salesforce input checks, as a length, not a format.
 *
 * ASCII only is the narrowing that matters: Calendar's former check let `élodie@client.fr` through, but the Gmail
 * builder writes ASCII headers (a UTF-8 address needs SMTPUTF8, RFC 6531, on every relay of the route) and the
 * Salesforce check refused it, so one address would have been taken by one action and refused by another.
 */

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isValidEmail(email: string): boolean {
    const at = email.lastIndexOf('@');
    if (at <= 0 || email.length > 254) return false;
    const local = email.slice(0, at);
    const labels = email.slice(at + 1).split('.');
    return local.length <= 64 && LOCAL_PART.test(local) && labels.length >= 2 && labels.every((label) => DOMAIN_LABEL.test(label));
}
