import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudBuildClient } from '@google-cloud/cloudbuild';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { startCloudBuildEmulator, type CloudBuildEmulator } from '../../src/cloudbuild/index.js';

const PROJECT = 'relaycorp-gateway-test';
const REGION = 'europe-west1';
const NAME = 'gateway-gke-deployment';
const seed = [
  { project: PROJECT, location: REGION, trigger: { name: NAME, filename: 'cloudbuild.yaml', tags: ['gke'] } },
];

let emulator: CloudBuildEmulator | undefined;
let client: CloudBuildClient | undefined;
afterEach(async () => {
  await client?.close();
  await emulator?.close();
  client = emulator = undefined;
});

async function start(opts: Parameters<typeof startCloudBuildEmulator>[0] = { seed }) {
  emulator = await startCloudBuildEmulator(opts);
  client = new CloudBuildClient({
    servicePath: '127.0.0.1',
    apiEndpoint: '127.0.0.1',
    port: emulator.port,
    sslCreds: grpc.credentials.createInsecure(),
    projectId: PROJECT,
    universeDomain: 'googleapis.com',
  });
  return { emulator, client };
}

const regionalName = (trigger: string) => `projects/${PROJECT}/locations/${REGION}/triggers/${trigger}`;

// Method shapes from google/devtools/cloudbuild/v1/cloudbuild.proto, bundled with @google-cloud/cloudbuild.
describe('the Cloud Build emulator serves build triggers to the real @google-cloud/cloudbuild client', () => {
  it('lists a region’s triggers under projects/P/locations/R, with their regional resource names', async () => {
    const { client } = await start();
    const [triggers] = await client.listBuildTriggers({ parent: `projects/${PROJECT}/locations/${REGION}` });
    expect(triggers.map((t) => [t.name, t.disabled, t.tags])).toEqual([[NAME, false, ['gke']]]);
    expect(triggers[0]!.resourceName).toBe(regionalName(triggers[0]!.id!));
    expect(triggers[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    // Another location holds none of them.
    const [global] = await client.listBuildTriggers({ parent: `projects/${PROJECT}/locations/global` });
    expect(global).toEqual([]);
  });

  it('gets a trigger by its regional name, with the id or the trigger’s name last (trigger_id: "id or name")', async () => {
    const { client } = await start();
    const [byName] = await client.getBuildTrigger({ name: regionalName(NAME) });
    const [byId] = await client.getBuildTrigger({ name: regionalName(byName.id!) });
    expect(byId).toEqual(byName);
    await expect(client.getBuildTrigger({ name: regionalName('no-such-trigger') })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
  });

  it('UpdateBuildTrigger with an update_mask changes only the masked fields; the client routes it by trigger.resource_name', async () => {
    const { client, emulator } = await start();
    const [current] = await client.getBuildTrigger({ name: regionalName(NAME) });
    emulator.log.clear();
    const [updated] = await client.updateBuildTrigger({
      projectId: PROJECT,
      triggerId: current.id!,
      trigger: { resourceName: current.resourceName!, disabled: true, tags: [...current.tags!, 'gwctl-deprovision'] },
      updateMask: { paths: ['disabled', 'tags'] },
    });
    expect(updated).toMatchObject({ name: NAME, disabled: true, tags: ['gke', 'gwctl-deprovision'] });
    expect(updated.filename).toBe('cloudbuild.yaml');
    expect(emulator.log.list().map((r) => [r.service, r.path, r.status])).toEqual([
      ['cloudbuild', '/google.devtools.cloudbuild.v1.CloudBuild/UpdateBuildTrigger', 0],
    ]);

    // proto3 does not send `false`: a masked field left out of the request takes its default.
    const [enabled] = await client.updateBuildTrigger({
      projectId: PROJECT,
      triggerId: current.id!,
      trigger: { resourceName: current.resourceName!, tags: ['gke'] },
      updateMask: { paths: ['disabled', 'tags'] },
    });
    expect(enabled).toMatchObject({ disabled: false, tags: ['gke'], filename: 'cloudbuild.yaml' });
  });

  it('refuses a mask naming an output-only or unknown field, and an update by name (trigger_id is the id)', async () => {
    const { client } = await start();
    const [current] = await client.getBuildTrigger({ name: regionalName(NAME) });
    const update = (triggerId: string, paths: string[]) =>
      client.updateBuildTrigger({
        projectId: PROJECT,
        triggerId,
        trigger: { resourceName: current.resourceName!, disabled: true },
        updateMask: { paths },
      });
    await expect(update(current.id!, ['id'])).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(update(current.id!, ['no_such_field'])).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(update(NAME, ['disabled'])).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    const [after] = await client.getBuildTrigger({ name: regionalName(NAME) });
    expect(after.disabled).toBe(false);
  });

  it('keeps triggers across a restart with a data directory, and does not seed a second copy', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cloudbuild-'));
    const { client } = await start({ dataDir, seed });
    const [current] = await client.getBuildTrigger({ name: regionalName(NAME) });
    await client.updateBuildTrigger({
      projectId: PROJECT,
      triggerId: current.id!,
      trigger: { resourceName: current.resourceName!, disabled: true },
      updateMask: { paths: ['disabled'] },
    });
    await client.close();
    await emulator!.close();
    const again = await start({ dataDir, seed });
    const [triggers] = await again.client.listBuildTriggers({ parent: `projects/${PROJECT}/locations/${REGION}` });
    expect(triggers.map((t) => [t.id, t.disabled])).toEqual([[current.id, true]]);
  });

  it('injects UNAVAILABLE, which the client library retries for idempotent reads', async () => {
    const { client, emulator } = await start();
    let calls = 0;
    (emulator.faults as unknown as { random: () => number }).random = () => (calls++ === 0 ? 0 : 0.99);
    emulator.faults.set({ p503: 0.5 });
    const [trigger] = await client.getBuildTrigger({ name: regionalName(NAME) });
    expect(trigger.name).toBe(NAME);
    expect(emulator.log.list().map((r) => r.status)).toEqual([grpc.status.UNAVAILABLE, 0]);
  });
});
