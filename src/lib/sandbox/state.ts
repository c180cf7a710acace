import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { sandboxDir, sandboxFiles } from './paths.js';
import { processStart } from './process-identity.js';

/** What a running sandbox writes to `state.json`, so other gwctl processes can find it. */
export interface SandboxState {
  pid: number;
  /** When that pid's process started (processStart): a reused pid has another, so it is never taken for the sandbox. */
  processStart: string;
  startedAt: string;
  dir: string;
  endpoints: {
    gcs: string;
    kube: string;
    mongodb: string;
    firestore: string;
    monitoring: string;
    cloudbuild: string;
    /** Absent from the state of a sandbox started by a gwctl without the Storage Transfer Service emulator. */
    storagetransfer?: string;
    poweb?: string;
    pohttp?: string;
    cogrpc?: string;
  };
}

/** The state file as written, or undefined when there is none or it is unreadable (a crash mid-write). */
export function readSandboxState(dir = sandboxDir()): SandboxState | undefined {
  const file = sandboxFiles(dir).state;
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as SandboxState;
    return state && typeof state === 'object' && Number.isSafeInteger(state.pid) ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole or not at all (rename), readable by its owner only. */
export function writeSandboxState(dir: string, state: SandboxState): void {
  const file = sandboxFiles(dir).state;
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

export function removeSandboxState(dir: string): void {
  rmSync(sandboxFiles(dir).state, { force: true });
}

/**
 * Whether the process that wrote the state still runs: its pid is alive AND started when the state says.
 * A state left by a killed sandbox whose pid now belongs to something else is stale, never "running".
 */
export function isRunning(state: SandboxState | undefined): state is SandboxState {
  if (!state?.processStart) return false;
  return processStart(state.pid) === state.processStart;
}

/** What this process writes as its own identity. */
export const ownIdentity = () => ({ pid: process.pid, processStart: processStart(process.pid) ?? '' });
