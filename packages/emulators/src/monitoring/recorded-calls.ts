import * as grpc from '@grpc/grpc-js';
import type { FaultInjector } from '../common/faults.js';
import { startRecording, type RequestLog } from '../common/request-log.js';
import { ApiError } from './api-error.js';

export interface CallRecording {
  log?: RequestLog;
  faults?: FaultInjector;
}

/** The metadata a call came with: who made it (for mutation records). */
export type CallContext = { metadata: grpc.Metadata };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler declares its own request type
type Handler = (request: any, context: CallContext) => unknown;

/**
 * gRPC unary handlers for one `google.monitoring.v3` service, each recorded like every emulator's requests
 * (method `POST`, path `/google.monitoring.v3.Service/Method`, status = the gRPC code, as the gRPC recorder writes
 * them) and subject to injected faults: RESOURCE_EXHAUSTED for a "429", UNAVAILABLE for a "503" or a "reset".
 */
export function recordedService(
  service: string,
  handlers: Record<string, Handler>,
  rec: CallRecording,
): grpc.UntypedServiceImplementation {
  const impl: grpc.UntypedServiceImplementation = {};
  for (const [method, handle] of Object.entries(handlers)) {
    impl[method] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const fault = rec.faults?.decide();
      const done = rec.log
        ? startRecording(rec.log, {
            service: 'monitoring',
            method: 'POST',
            path: `/${service}/${method}`,
            ...(fault ? { fault } : {}),
          })
        : () => undefined;
      if (fault) {
        const code = fault === '429' ? grpc.status.RESOURCE_EXHAUSTED : grpc.status.UNAVAILABLE;
        done(code);
        return callback({ code, details: `injected fault ${fault}` });
      }
      try {
        const response = handle(call.request, { metadata: call.metadata });
        done(grpc.status.OK);
        callback(null, response);
      } catch (err) {
        const code = err instanceof ApiError ? err.code : grpc.status.INTERNAL;
        done(code);
        callback({ code, details: (err as Error).message });
      }
    };
  }
  return impl;
}
