import { NangoActionBase, type ProxyConfiguration, type UncontrolledFetchOptions } from '@nangohq/runner-sdk';
import type { Nango } from '@nangohq/node';
import type { NangoProps } from '@nangohq/types';
import type { AxiosResponse } from 'axios';
import type { RunContext } from './run-context.js';

/**
 * The `nango` object an action receives. `get/post/paginate/getConnection/getMetadata/zodValidateInput` are
 * runner-sdk's own; what Nango's runner implements against its services is implemented here against the run.
 */
export class LocalNangoAction extends NangoActionBase<never, never> {
    override nango: Nango;

    constructor(
        props: NangoProps,
        private readonly run: RunContext
    ) {
        super(props);
        this.nango = run.client();
    }

    override async proxy<T = unknown>(config: ProxyConfiguration): Promise<AxiosResponse<T>> {
        return (await this.run.proxy(config)) as unknown as AxiosResponse<T>;
    }

    override log(...args: unknown[]): void {
        this.run.userLog(args);
    }

    override async getCheckpoint(): Promise<never> {
        return this.run.getCheckpoint() as never;
    }

    override async saveCheckpoint(checkpoint: never): Promise<void> {
        this.run.saveCheckpoint(checkpoint);
    }

    override async clearCheckpoint(): Promise<void> {
        this.run.clearCheckpoint();
    }

    override async tryAcquireLock({ key, ttlMs }: { key: string; ttlMs: number }): Promise<boolean> {
        return this.run.tryAcquireLock(key, ttlMs);
    }

    override async releaseLock({ key }: { key: string }): Promise<boolean> {
        return this.run.releaseLock(key);
    }

    override async releaseAllLocks(): Promise<void> {
        this.run.releaseAllLocks();
    }

    override async triggerSync(): Promise<void> {
        throw new Error('triggerSync is not supported by the local runtime');
    }

    override async startSync(): Promise<void> {
        throw new Error('startSync is not supported by the local runtime');
    }

    override async uncontrolledFetch(_options: UncontrolledFetchOptions): Promise<Response> {
        throw new Error('uncontrolledFetch is not supported by the local runtime: use the proxy (nango.get/post/...)');
    }
}
