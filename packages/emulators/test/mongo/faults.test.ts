import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../src/common/faults.js';
import { startMongoEmulator, type MongoEmulator } from '../../src/mongo/index.js';

/** Faults decided by a script: each faultable request takes the next draw, then "no fault". */
function scripted() {
  const draws: number[] = [];
  return { draws, faults: new FaultInjector({}, () => draws.shift() ?? 0.99) };
}

describe('fault injection on the MongoDB emulator', () => {
  let emu: MongoEmulator;
  let client: MongoClient;
  afterEach(async () => {
    await client?.close();
    await emu?.close();
  });

  async function start(faults: FaultInjector) {
    emu = await startMongoEmulator({ faults });
    client = await new MongoClient(emu.uri, { serverSelectionTimeoutMS: 3000 }).connect();
    emu.seed('awala-gateway', 'configitems', [{ key: 'current_id', value: '0abc' }]);
  }

  it('a 429 becomes a retryable overload error that the driver retries', async () => {
    const { draws, faults } = scripted();
    await start(faults);
    faults.set({ p429: 0.5 });
    draws.push(0.1);
    const doc = await client.db('awala-gateway').collection('configitems').findOne({ key: 'current_id' });
    expect(doc?.value).toBe('0abc');
    const finds = emu.log.list({ method: 'find' });
    expect(finds.map((r) => [r.status, r.fault])).toEqual([
      [462, '429'],
      [0, undefined],
    ]);
  });

  it('a 503 answers ShutdownInProgress; a read is retried after rediscovery', async () => {
    const { draws, faults } = scripted();
    await start(faults);
    faults.set({ p503: 0.5 });
    draws.push(0.1);
    const doc = await client.db('awala-gateway').collection('configitems').findOne({ key: 'current_id' });
    expect(doc?.value).toBe('0abc');
    expect(emu.log.list({ method: 'find' }).map((r) => r.status)).toEqual([91, 0]);
  });

  it('a reset drops the connection: an unretried write fails with a network error', async () => {
    const faults = new FaultInjector();
    await start(faults);
    faults.set({ pReset: 1 });
    await expect(
      client.db('awala-gateway').collection('configitems').insertOne({ key: 'k', value: 'v' }),
    ).rejects.toThrow(/closed|network|ECONNRESET|socket/i);
    faults.set({});
    expect(await client.db('awala-gateway').collection('configitems').countDocuments()).toBe(1);
    expect(emu.log.list({ method: 'insert' })[0]).toMatchObject({ fault: 'reset' });
  });
});
