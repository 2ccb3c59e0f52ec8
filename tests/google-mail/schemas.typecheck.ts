/**
 * Type-level proof that schemas.ts's field-name guard fires: `tsc -p .` type-checks this file (vitest does not run
 * it). Each `@ts-expect-error` line must fail to compile; if the guard stopped catching a misspelling, the directive
 * would be unused and tsc would fail on it.
 */
import type { gmail_v1 } from '@googleapis/gmail';
import type { people_v1 } from '@googleapis/people';
import { z } from 'zod';
import type { Item, KeysOf, True } from '../../nango-integrations/google-mail/schemas.js';

export const PersonWithTypo = z.object({
    resourceName: z.string(),
    names: z.array(z.object({ displayName: z.string().nullish(), givenNmae: z.string().nullish() })).nullish()
});
type PersonWithTypo = z.infer<typeof PersonWithTypo>;

export const ListWithTypo = z.object({
    threads: z.array(z.object({ id: z.string(), histroyId: z.string().nullish() })).nullish(),
    nextPageToken: z.string().nullish()
});
type ListWithTypo = z.infer<typeof ListWithTypo>;

export const TopLevelTypo = z.object({ emailAdress: z.string(), historyId: z.string() });
type TopLevelTypo = z.infer<typeof TopLevelTypo>;

export type MisspeltFieldsFail = [
    // The parent object is fine: only the nested item is misspelt.
    True<KeysOf<people_v1.Schema$Person, PersonWithTypo>>,
    // @ts-expect-error givenNmae is not a field of Schema$Name (an array item, nullish)
    True<KeysOf<people_v1.Schema$Name, Item<PersonWithTypo['names']>>>,
    // @ts-expect-error histroyId is not a field of Schema$Thread (an item of threads.list)
    True<KeysOf<gmail_v1.Schema$Thread, Item<ListWithTypo['threads']>>>,
    // @ts-expect-error emailAdress is not a field of Schema$Profile
    True<KeysOf<gmail_v1.Schema$Profile, TopLevelTypo>>
];

export type CorrectFieldsPass = [
    True<KeysOf<gmail_v1.Schema$ListThreadsResponse, ListWithTypo>>,
    True<KeysOf<people_v1.Schema$Name, { displayName?: string | null; givenName?: string | null }>>
];
