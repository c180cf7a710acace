import { z } from 'zod';
import type { LatencyProfile } from './latency.js';

/** GCP's default backend service timeout; on a websocket it caps the connection's whole life. */
export const GCP_DEFAULT_BACKEND_TIMEOUT_MS = 30_000;

export interface LoadBalancerConfig extends LatencyProfile {
  /**
   * The backend service timeout (BackendConfig `timeoutSec`): how long the LB waits for a backend's
   * response (then answers 502), and the longest a websocket may stay open (then the LB cuts it).
   */
  backendTimeoutMs: number;
}

export interface PowebStandInConfig {
  /** Time the gateway itself takes to answer. */
  backend: LatencyProfile;
  /** Time added in front of the gateway, and the LB's timeout. */
  lb: LoadBalancerConfig;
}

export const defaultPowebConfig = (): PowebStandInConfig => ({
  backend: { latencyMs: 2, jitterMs: 3 },
  lb: { latencyMs: 0, jitterMs: 0, backendTimeoutMs: GCP_DEFAULT_BACKEND_TIMEOUT_MS },
});

const ms = z.number().finite().min(0);
const latency = z
  .object({ latencyMs: ms, jitterMs: ms, stallFraction: z.number().min(0).max(1), stallMs: ms })
  .partial()
  .strict();

/** What `/_emulator/config` and `configure()` accept: any subset of the configuration. */
export const powebConfigPatchSchema = z
  .object({
    backend: latency,
    lb: latency.extend({ backendTimeoutMs: z.number().finite().positive() }).partial().strict(),
  })
  .partial()
  .strict();

export type PowebConfigPatch = z.input<typeof powebConfigPatchSchema>;

export function applyPowebPatch(config: PowebStandInConfig, patch: PowebConfigPatch): PowebStandInConfig {
  const parsed = powebConfigPatchSchema.parse(patch);
  return { backend: { ...config.backend, ...parsed.backend }, lb: { ...config.lb, ...parsed.lb } };
}
