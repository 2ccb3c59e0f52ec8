import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { REPO_ROOT } from '../../../runtime/index.js';

/** The Nango folder of the runtime's own test scripts (not deployed: it lives under tests/). */
export const FIXTURES_DIR = join(REPO_ROOT, 'tests', 'runtime', 'fixtures', 'integrations');

export const GMAIL = 'https://gmail.googleapis.com/gmail/v1/users/me';

export interface ItemRecord {
    id: string;
    n: number;
    label: string | null;
}

export function items(from: number, to: number, label: string | null = null): ItemRecord[] {
    return Array.from({ length: to - from }, (_, i) => ({ id: `item-${from + i}`, n: from + i, label }));
}

/**
 * A paged list endpoint over `pages`: page i answers with `pages[i]` and a token for page i + 1. It refuses a
 * request without the bearer token and a page token it never issued, so a sync that passes tokens wrongly fails.
 */
export function pagedItems(pages: ItemRecord[][], seen: string[] = []) {
    return http.get(`${GMAIL}/items`, ({ request }) => {
        if (request.headers.get('authorization') !== 'Bearer test-access-token') {
            return HttpResponse.json({ error: { code: 401, message: 'Invalid Credentials', status: 'UNAUTHENTICATED' } }, { status: 401 });
        }
        const token = new URL(request.url).searchParams.get('pageToken');
        seen.push(token ?? '');
        const index = token === null ? 0 : Number(/^p(\d+)$/.exec(token)?.[1] ?? NaN);
        const page = pages[index];
        if (!page)
            return HttpResponse.json({ error: { code: 400, message: 'Invalid pageToken', status: 'INVALID_ARGUMENT' } }, { status: 400 });
        return HttpResponse.json({ items: page, ...(index + 1 < pages.length ? { nextPageToken: `p${index + 1}` } : {}) });
    });
}
