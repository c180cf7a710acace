import { existsSync, readFileSync } from 'node:fs';
import { sandboxDir, sandboxFiles } from './paths.js';

/** What a running sandbox writes to `state.json`, so other gwctl processes can find it. */
export interface SandboxState {
  pid: number;
  startedAt: string;
  dir: string;
  endpoints: {
    gcs: string;
    kube: string;
    mongodb: string;
    firestore: string;
    monitoring?: string;
    poweb?: string;
    pohttp?: string;
    cogrpc?: string;
  };
}

export function readSandboxState(dir = sandboxDir()): SandboxState | undefined {
  const file = sandboxFiles(dir).state;
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as SandboxState;
}

/** Whether the process that wrote the state is still alive. */
export function isRunning(state: SandboxState | undefined): state is SandboxState {
  if (!state) return false;
  try {
    process.kill(state.pid, 0);
    return true;
  } catch {
    return false;
  }
}
