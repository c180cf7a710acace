import { UsageError } from '../errors/gwctl-error.js';

export const SANDBOX_SERVICES = ['gcs', 'kube', 'mongodb', 'firestore', 'monitoring', 'poweb', 'cogrpc'] as const;
export type SandboxService = (typeof SANDBOX_SERVICES)[number];

/** Parses `gcs=0.1,kube=0.05`: per service, the probability that a request fails on purpose. */
export function parseFaults(text: string | undefined): Partial<Record<SandboxService, number>> {
  if (!text) return {};
  const out: Partial<Record<SandboxService, number>> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [service, value] = part.split('=');
    if (!SANDBOX_SERVICES.includes(service as SandboxService)) {
      throw new UsageError(`--faults: unknown service "${service}" (one of ${SANDBOX_SERVICES.join(', ')})`);
    }
    const p = Number(value);
    if (value === undefined || !Number.isFinite(p) || p < 0 || p > 1) {
      throw new UsageError(
        `--faults: ${service}=${value ?? ''} must be a probability between 0 and 1, e.g. ${service}=0.05`,
      );
    }
    out[service as SandboxService] = p;
  }
  return out;
}
