import { NangoActionBase } from '@nangohq/runner-sdk';
import type { Nango } from '@nangohq/node';
import type { NangoProps } from '@nangohq/types';
import type { RunContext } from './run-context.js';
import { boundToRun } from './run-bound.js';

/**
 * The `nango` object an action receives. `get/post/paginate/getConnection/getMetadata/zodValidateInput` are
 * runner-sdk's own; what Nango's runner implements against its services is implemented here against the run.
 */
export class LocalNangoAction extends boundToRun(NangoActionBase<never, never>) {
    override nango: Nango;

    constructor(
        props: NangoProps,
        protected readonly run: RunContext
    ) {
        super(props);
        this.nango = run.client();
    }
}
