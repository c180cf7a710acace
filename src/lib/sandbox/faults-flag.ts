import { UsageError } from '../errors/gwctl-error.js';

export const SANDBOX_SERVICES = [
  'gcs',
  'kube',
  'mongodb',
  'firestore',
  'monitoring',
  'cloudbuild',
  'storagetransfer',
  'poweb',
  'cogrpc',
] as const;
export type SandboxService = (typeof SANDBOX_SERVICES)[number];

/** The emulators with a fault injector; the diagnose stand-ins are made slow with their own presets instead. */
export const FAULTABLE_SERVICES = [
  'gcs',
  'kube',
  'mongodb',
  'firestore',
  'monitoring',
  'cloudbuild',
  'storagetransfer',
] as const;
export type FaultableService = (typeof FAULTABLE_SERVICES)[number];

/** A probability written as a plain decimal: `0.05`, `.5`, `1`; not `''`, `0x1` or `1e-1`, which Number() takes. */
const PROBABILITY = /^(\.\d+|[01](\.\d*)?)$/;

/** Parses `gcs=0.1,kube=0.05`: per service, the probability that a request fails on purpose. */
export function parseFaults(text: string | undefined): Partial<Record<FaultableService, number>> {
  if (text === undefined) return {};
  const out: Partial<Record<FaultableService, number>> = {};
  const parts = text.split(',').map((p) => p.trim());
  if (parts.every((p) => !p))
    throw new UsageError('--faults: expected service=probability pairs, e.g. gcs=0.1,kube=0.05');
  for (const part of parts.filter(Boolean)) {
    const [service = '', value, ...rest] = part.split('=');
    if (!FAULTABLE_SERVICES.includes(service as FaultableService)) {
      const why = SANDBOX_SERVICES.includes(service as SandboxService)
        ? 'takes no injected faults'
        : 'is not a service';
      throw new UsageError(`--faults: "${service}" ${why} (faults go to ${FAULTABLE_SERVICES.join(', ')})`);
    }
    if (value === undefined || rest.length > 0 || !PROBABILITY.test(value) || Number(value) > 1) {
      throw new UsageError(`--faults: ${part} must be ${service}=<probability between 0 and 1>, e.g. ${service}=0.05`);
    }
    if (service in out) throw new UsageError(`--faults: ${service} is given twice`);
    out[service as FaultableService] = Number(value);
  }
  return out;
}
