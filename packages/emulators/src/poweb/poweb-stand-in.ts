import type { EmulatorHandle } from '../common/http-emulator.js';
import type { RequestLog } from '../common/request-log.js';
import { startPowebBackend, type PowebBackend } from './backend.js';
import { applyPowebPatch, defaultPowebConfig, type PowebConfigPatch, type PowebStandInConfig } from './config.js';
import { controlEndpoint, type ControlSurface } from './control-endpoint.js';
import { startLoadBalancer, type LbObservation } from './load-balancer.js';

export interface PowebStandInOptions {
  /** Certificate the LB presents (see `createLocalCa`). */
  tls: { key: string; cert: string };
  config?: PowebConfigPatch;
  onServed?: (observation: LbObservation) => void;
  log?: RequestLog;
  /** What `/_emulator/config` controls; defaults to this stand-in's own configuration. */
  control?: ControlSurface;
}

export interface PowebStandIn {
  /** The HTTPS address clients use: the LB stand-in, in front of the gateway stand-in. */
  url: string;
  /** The gateway stand-in behind it (plain HTTP), for tests that bypass the LB. */
  backendUrl: string;
  config(): PowebStandInConfig;
  configure(patch: PowebConfigPatch): PowebStandInConfig;
  lb: EmulatorHandle;
  backend: PowebBackend;
  close(): Promise<void>;
}

/** A PoWeb endpoint as operators reach it: TLS load balancer (latency, timeout) → gateway (latency). */
export async function startPowebStandIn(opts: PowebStandInOptions): Promise<PowebStandIn> {
  let config = applyPowebPatch(defaultPowebConfig(), opts.config ?? {});
  const configure = (patch: PowebConfigPatch) => (config = applyPowebPatch(config, patch));
  const backend = await startPowebBackend({ latency: () => config.backend, log: opts.log });
  const lb = await startLoadBalancer({
    backend: { host: '127.0.0.1', port: backend.port },
    tls: opts.tls,
    config: () => config.lb,
    onServed: opts.onServed,
    log: opts.log,
    local: controlEndpoint(
      opts.control ?? { read: () => config, apply: (patch) => configure(patch as PowebConfigPatch) },
    ),
  });
  return {
    url: lb.url,
    backendUrl: backend.url,
    config: () => config,
    configure,
    lb,
    backend,
    close: async () => {
      await lb.close();
      await backend.close();
    },
  };
}
