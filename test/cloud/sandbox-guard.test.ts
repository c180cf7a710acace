import { describe, expect, it, vi } from 'vitest';
import { openTriggerAdmin } from '../../src/lib/cloud/cloudbuild.js';
import { openDocumentStore } from '../../src/lib/cloud/firestore.js';
import { openKubeConfig } from '../../src/lib/cloud/kube.js';
import { openMonitoring } from '../../src/lib/cloud/monitoring.js';
import { openStorage, storageAuth } from '../../src/lib/cloud/storage.js';
import type { Environment } from '../../src/lib/config/schema.js';
import { sandboxEnvironmentAt } from '../../src/lib/sandbox/environment.js';
import { tempDir } from '../helpers/cli.js';

// The last line behind resolveEnvironment: a sandbox environment missing an emulator endpoint, however it was
// built, gets no client that would fall back to Application Default Credentials or the operator's kubeconfig.
const local = 'http://127.0.0.1:1';
const sandbox = sandboxEnvironmentAt(tempDir(), {
  gcs: local,
  kube: local,
  mongodb: 'mongodb://127.0.0.1:1',
  firestore: '127.0.0.1:1',
  monitoring: '127.0.0.1:1',
  cloudbuild: '127.0.0.1:1',
});
const without = (patch: Partial<Environment>): Environment => ({ ...sandbox, ...patch });
const REFUSED = /^the sandbox is not running: start it with `gwctl sandbox start` \(no .* emulator endpoint/;

describe('a sandbox environment never gets a client for Google', () => {
  it('GCS, with or without the SDK', async () => {
    vi.stubEnv('STORAGE_EMULATOR_HOST', '');
    const env = without({ emulators: { ...sandbox.emulators, storage: undefined } });
    await expect(openStorage(env)).rejects.toThrow(REFUSED);
    expect(() => storageAuth(env)).toThrow(REFUSED);
    vi.unstubAllEnvs();
  });

  it('Firestore', async () => {
    await expect(
      openDocumentStore(without({ emulators: { ...sandbox.emulators, firestore: undefined } })),
    ).rejects.toThrow(REFUSED);
  });

  it('Cloud Monitoring', async () => {
    await expect(
      openMonitoring(without({ emulators: { ...sandbox.emulators, monitoring: undefined } })),
    ).rejects.toThrow(REFUSED);
  });

  it('Cloud Build', async () => {
    await expect(
      openTriggerAdmin(without({ emulators: { ...sandbox.emulators, cloudbuild: undefined } })),
    ).rejects.toThrow(REFUSED);
  });

  it('the Kubernetes API (no kubeconfig context)', async () => {
    await expect(openKubeConfig(without({ kube: { ...sandbox.kube, server: undefined } }))).rejects.toThrow(REFUSED);
  });
});
