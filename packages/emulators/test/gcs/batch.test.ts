import type { Bucket, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FaultInjector } from '../../src/common/faults.js';
import { startGcsEmulator, type GcsEmulator } from '../../src/gcs/index.js';
import { gcsClient } from '../../src/testing/index.js';

let emu: GcsEmulator;
let storage: Storage;
let source: Bucket;
let backups: Bucket;
// Scripted, so the outer request passes and chosen calls inside the batch fail.
const rolls: number[] = [];
const faults = new FaultInjector({}, () => rolls.shift() ?? 0.99);

beforeAll(async () => {
  emu = await startGcsEmulator({ faults });
  storage = gcsClient(emu.url);
  [source] = await storage.createBucket('batch-source');
  [backups] = await storage.createBucket('batch-backups');
});
afterAll(() => emu.close());

interface Call {
  id?: string;
  method: string;
  path: string;
  json?: unknown;
}

interface Answer {
  contentId?: string;
  status: number;
  statusLine: string;
  headers: string;
  json?: { error?: { code: number; errors: { reason: string }[] }; [field: string]: unknown };
}

const BOUNDARY = '===test_batch===';
const enc = encodeURIComponent;
const rewritePath = (from: string, to: string) =>
  `/storage/v1/b/batch-source/o/${enc(from)}/rewriteTo/b/batch-backups/o/${enc(to)}?ifGenerationMatch=0`;

function batchBody(calls: Call[]): string {
  const parts = calls.map(({ id, method, path, json }) => {
    const body = json === undefined ? '' : JSON.stringify(json);
    const head = [
      `${method} ${path} HTTP/1.1`,
      ...(json === undefined
        ? []
        : ['Content-Type: application/json; charset=UTF-8', `Content-Length: ${Buffer.byteLength(body)}`]),
    ];
    return `--${BOUNDARY}\r\nContent-Type: application/http\r\n${id ? `Content-ID: <${id}>\r\n` : ''}\r\n${head.join('\r\n')}\r\n\r\n${body}\r\n`;
  });
  return `${parts.join('')}--${BOUNDARY}--\r\n`;
}

/** Parses the multipart/mixed answer by hand, independently of the emulator's own code. */
function parseAnswers(contentType: string, text: string): Answer[] {
  const boundary = /boundary=(\S+)/.exec(contentType)![1];
  expect(text.endsWith(`--${boundary}--\r\n`)).toBe(true);
  return text
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((chunk) => {
      const [partHead, headers, ...body] = chunk.replace(/^\r\n/, '').replace(/\r\n$/, '').split('\r\n\r\n');
      const statusLine = headers.split('\r\n')[0];
      const json = body.join('\r\n\r\n');
      return {
        contentId: /^Content-ID: <(.*)>$/m.exec(partHead)?.[1],
        status: Number(statusLine.split(' ')[1]),
        statusLine,
        headers,
        json: json ? JSON.parse(json) : undefined,
      };
    });
}

async function sendBatch(
  calls: Call[],
  body = batchBody(calls),
  contentType = `multipart/mixed; boundary="${BOUNDARY}"`,
) {
  const res = await fetch(`${emu.url}/batch/storage/v1`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, text, answers: res.status === 200 ? parseAnswers(type, text) : [] };
}

it('runs several rewrites in order, answering each with its Content-ID, and creates the objects', async () => {
  const names = ['parcels/a b', 'parcels/ü', 'parcels/c'];
  for (const name of names)
    await source.file(name).save(`body of ${name}`, { metadata: { contentType: 'text/plain' } });
  const calls = names.map((name, i) => ({
    id: `copy-${i}`,
    method: 'POST',
    path: rewritePath(name, `copies/${name}`),
    json: { contentType: 'application/x-parcel', metadata: { batch: String(i) } },
  }));
  const { status, type, text, answers } = await sendBatch(calls);
  expect(status).toBe(200);
  expect(type).toMatch(/^multipart\/mixed; boundary=batch_/);
  expect(text).toContain(
    'Content-Type: application/http\r\nContent-ID: <response-copy-0>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: ',
  );
  expect(answers.map((a) => [a.contentId, a.status])).toEqual(names.map((_, i) => [`response-copy-${i}`, 200]));
  for (const [i, name] of names.entries()) {
    expect(answers[i].json).toMatchObject({
      kind: 'storage#rewriteResponse',
      done: true,
      resource: { bucket: 'batch-backups', name: `copies/${name}` },
    });
    const [copy] = await backups.file(`copies/${name}`).getMetadata();
    const [original] = await source.file(name).getMetadata();
    expect(copy).toMatchObject({
      contentType: 'application/x-parcel',
      metadata: { batch: String(i) },
      crc32c: original.crc32c,
      md5Hash: original.md5Hash,
    });
    expect((await backups.file(`copies/${name}`).download())[0].toString()).toBe(`body of ${name}`);
  }
});

it('mixes GET, PATCH and DELETE, with or without the /storage/v1 prefix, and sees each call’s effect', async () => {
  await source.file('mixed').save('m');
  const { status, answers } = await sendBatch([
    { method: 'GET', path: '/storage/v1/b/batch-source/o/mixed' },
    { method: 'PATCH', path: '/b/batch-source/o/mixed', json: { metadata: { patched: 'yes' } } },
    { method: 'DELETE', path: '/storage/v1/b/batch-source/o/mixed' },
    { method: 'GET', path: '/b/batch-source/o/mixed' },
  ]);
  expect(status).toBe(200);
  expect(answers.map((a) => a.statusLine)).toEqual([
    'HTTP/1.1 200 OK',
    'HTTP/1.1 200 OK',
    'HTTP/1.1 204 No Content',
    'HTTP/1.1 404 Not Found',
  ]);
  expect(answers.every((a) => a.contentId === undefined)).toBe(true);
  expect(answers[0].json).toMatchObject({ name: 'mixed', bucket: 'batch-source' });
  expect(answers[1].json).toMatchObject({ metadata: { patched: 'yes' } });
  expect(answers[2]).toMatchObject({ headers: 'HTTP/1.1 204 No Content\r\nContent-Length: 0', json: undefined });
  expect(answers[3].json?.error).toMatchObject({ code: 404, errors: [{ reason: 'notFound' }] });
  expect((await source.file('mixed').exists())[0]).toBe(false);
});

it('answers failed calls with their own status inside a 200 batch', async () => {
  await source.file('guarded').save('g');
  await backups.file('taken').save('already here');
  const { status, answers } = await sendBatch([
    { id: '1', method: 'POST', path: rewritePath('missing', 'x') },
    { id: '2', method: 'POST', path: rewritePath('guarded', 'taken') },
    { id: '3', method: 'POST', path: rewritePath('guarded', 'fresh') },
  ]);
  expect(status).toBe(200);
  expect(answers.map((a) => [a.contentId, a.status])).toEqual([
    ['response-1', 404],
    ['response-2', 412],
    ['response-3', 200],
  ]);
  expect(answers[1].json?.error?.errors[0].reason).toBe('conditionNotMet');
  expect((await backups.file('taken').download())[0].toString()).toBe('already here');
});

it('refuses uploads and downloads inside a batch, part by part', async () => {
  await source.file('media').save('bytes');
  const { status, answers } = await sendBatch([
    { method: 'POST', path: '/upload/storage/v1/b/batch-source/o?uploadType=media&name=sneaky', json: {} },
    { method: 'GET', path: '/storage/v1/b/batch-source/o/media?alt=media' },
    { method: 'GET', path: '/download/storage/v1/b/batch-source/o/media' },
    { method: 'GET', path: '/storage/v1/b/batch-source/o/media' },
  ]);
  expect(status).toBe(200);
  expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 200]);
  expect(answers[0].json?.error).toMatchObject({ code: 400, errors: [{ reason: 'invalid' }] });
  expect((await source.file('sneaky').exists())[0]).toBe(false);
});

it('rejects the whole batch with 400 beyond 100 calls or when the body is not a batch', async () => {
  const calls = Array.from({ length: 101 }, () => ({ method: 'GET', path: '/storage/v1/b/batch-source' }));
  emu.log.clear();
  const tooMany = await sendBatch(calls);
  expect(tooMany.status).toBe(400);
  expect(JSON.parse(tooMany.text).error).toMatchObject({ code: 400, errors: [{ reason: 'invalid' }] });
  expect(emu.log.entries.filter((r) => r.batch)).toEqual([]);
  expect((await sendBatch(calls.slice(0, 100))).answers).toHaveLength(100);

  const good = batchBody(calls.slice(0, 1));
  expect((await sendBatch([], good, 'application/json')).status).toBe(400);
  expect((await sendBatch([], good, 'multipart/mixed')).status).toBe(400);
  expect((await sendBatch([], good, 'multipart/mixed; boundary=other')).status).toBe(400);
  expect((await sendBatch([], good.replace(/--\r\n$/, '\r\n'))).status).toBe(400);
  expect((await sendBatch([], good.replace('application/http', 'text/plain'))).status).toBe(400);
  expect((await sendBatch([], good.replace('GET /storage', `GET ${emu.url}/storage`))).status).toBe(400);
  expect((await fetch(`${emu.url}/batch/storage/v1`)).status).toBe(405);
});

it('records every call inside a batch with batch: true, after which the batch itself is recorded', async () => {
  await source.file('logged').save('l');
  emu.log.clear();
  const paths = ['/storage/v1/b/batch-source/o/logged', '/storage/v1/b/batch-source/o/nope'];
  await sendBatch(paths.map((path) => ({ method: 'GET', path })));
  expect(emu.log.entries).toEqual([
    expect.objectContaining({ service: 'gcs', method: 'GET', path: paths[0], status: 200, batch: true }),
    expect.objectContaining({ service: 'gcs', method: 'GET', path: paths[1], status: 404, batch: true }),
    expect.objectContaining({ service: 'gcs', method: 'POST', path: '/batch/storage/v1', status: 200 }),
  ]);
  expect(emu.log.entries[2]).not.toHaveProperty('batch');
  expect(emu.log.entries.every((r) => r.durationMs >= 0 && !r.fault)).toBe(true);
});

it('injects 429/503 per call while the batch itself answers 200; a reset fails just its call, as 503', async () => {
  await source.file('flaky').save('f');
  emu.log.clear();
  faults.set({ p429: 0.2, p503: 0.2, pReset: 0.2 });
  // Outer request passes; then 429, 503, reset, pass.
  rolls.push(0.9, 0.1, 0.3, 0.5, 0.9);
  try {
    const { status, answers } = await sendBatch(
      ['f1', 'f2', 'f3', 'f4'].map((to) => ({ id: to, method: 'POST', path: rewritePath('flaky', to) })),
    );
    expect(status).toBe(200);
    expect(answers.map((a) => [a.contentId, a.status])).toEqual([
      ['response-f1', 429],
      ['response-f2', 503],
      ['response-f3', 503],
      ['response-f4', 200],
    ]);
    expect(answers[0].statusLine).toBe('HTTP/1.1 429 Too Many Requests');
    expect(answers[0].json?.error).toMatchObject({ code: 429, errors: [{ reason: 'rateLimitExceeded' }] });
    expect(answers[1].json?.error).toMatchObject({ code: 503, errors: [{ reason: 'backendError' }] });
  } finally {
    faults.set({});
    rolls.length = 0;
  }
  expect(emu.log.entries.map((r) => [r.fault, r.status, r.batch])).toEqual([
    ['429', 429, true],
    ['503', 503, true],
    ['503', 503, true],
    [undefined, 200, true],
    [undefined, 200, undefined],
  ]);
  // A faulted call never reached the handler.
  expect((await backups.file('f1').exists())[0]).toBe(false);
  expect((await backups.file('f4').exists())[0]).toBe(true);
});

it('cuts each call’s answer to its own fields mask, and refuses a malformed one for that call alone', async () => {
  await source.file('masked').save('mask me', { metadata: { contentType: 'text/plain' } });
  const { status, answers } = await sendBatch([
    { method: 'POST', path: `${rewritePath('masked', 'masked-1')}&fields=${enc('done,resource(name,size)')}` },
    { method: 'POST', path: rewritePath('masked', 'masked-2') },
    { method: 'GET', path: `/storage/v1/b/batch-source/o/masked?fields=${enc('name,contentType')}` },
    { method: 'POST', path: `${rewritePath('masked', 'masked-3')}&fields=${enc('resource(name')}` },
  ]);
  expect(status).toBe(200);
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 400]);
  expect(answers[0].json).toEqual({ done: true, resource: { name: 'masked-1', size: '7' } });
  expect(answers[1].json).toMatchObject({
    kind: 'storage#rewriteResponse',
    totalBytesRewritten: '7',
    resource: { kind: 'storage#object', selfLink: expect.any(String) },
  });
  expect(answers[2].json).toEqual({ name: 'masked', contentType: 'text/plain' });
  expect(answers[3].json?.error).toMatchObject({ code: 400, errors: [{ reason: 'invalidParameter' }] });
  expect((await backups.file('masked-3').exists())[0]).toBe(false);
});
