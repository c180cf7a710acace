import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceType } from './resources.js';
import { matchesRequirements, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { failureStatus } from './status.js';
import type { KubeObjectStore, StoreEvent } from './store.js';

const HISTORY_SIZE = 1000;

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
}

/**
 * Watches, as newline-delimited JSON events. A recent-events window lets a client resume from a
 * list's resourceVersion; older versions get the real server's 410 Gone ERROR event. No
 * bookmarks, and an object leaving a selector is not reported as DELETED.
 */
export class WatchHub {
  private readonly history: StoreEvent[] = [];
  private readonly unsubscribe: () => void;
  private readonly open = new Set<ServerResponse>();

  constructor(private readonly store: KubeObjectStore) {
    this.unsubscribe = store.onChange((e) => {
      this.history.push(e);
      if (this.history.length > HISTORY_SIZE) this.history.shift();
    });
  }

  serve(
    req: IncomingMessage,
    res: ServerResponse,
    r: ResourceType,
    namespace: string | undefined,
    opts: WatchOptions,
  ): void {
    const labels = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : undefined;
    const fields = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : undefined;
    const wanted = (e: StoreEvent) =>
      e.resource === r &&
      (namespace === undefined || e.object.metadata.namespace === namespace) &&
      (!labels || matchesRequirements(e.object.metadata.labels, labels)) &&
      (!fields || fields(e.object));
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    // Send headers now: a client waits for them before it starts reading events.
    res.flushHeaders();
    const send = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
    const from = opts.resourceVersion;
    if (!from || from === '0') {
      for (const object of this.store.list(r, namespace))
        if (wanted({ type: 'ADDED', resource: r, object })) send('ADDED', object);
    } else {
      const oldest = Number(this.history[0]?.object.metadata.resourceVersion ?? this.store.resourceVersion);
      if (Number(from) < oldest - 1) {
        send('ERROR', failureStatus('Gone', `too old resource version: ${from} (${oldest - 1})`));
        res.end();
        return;
      }
      for (const e of this.history)
        if (Number(e.object.metadata.resourceVersion) > Number(from) && wanted(e)) send(e.type, e.object);
    }
    const stop = this.store.onChange((e) => {
      if (wanted(e)) send(e.type, e.object);
    });
    this.open.add(res);
    const timer = opts.timeoutSeconds ? setTimeout(() => res.end(), opts.timeoutSeconds * 1000) : undefined;
    timer?.unref();
    const cleanup = () => {
      stop();
      if (timer) clearTimeout(timer);
      this.open.delete(res);
    };
    res.on('close', cleanup);
    req.on('close', cleanup);
  }

  close(): void {
    this.unsubscribe();
    for (const res of this.open) res.end();
  }
}
