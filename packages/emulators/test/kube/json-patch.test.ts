import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyJsonPatch } from '../../src/kube/json-patch.js';
import { startKubeEmulator, type KubeEmulator } from '../../src/kube/index.js';
import { jsonPatch, kubeClients, type KubeClients } from '../../src/testing/index.js';
import { expectStatus } from '../helpers/kube.js';

interface SuiteCase {
  comment?: string;
  doc: unknown;
  patch: unknown;
  expected?: unknown;
  error?: string;
  disabled?: boolean;
}

/** The JSON Patch test suite (https://github.com/json-patch/json-patch-tests, npm json-patch-test-suite). */
const require = createRequire(import.meta.url);
const suite: SuiteCase[] = [
  ...(require('json-patch-test-suite/tests.json') as SuiteCase[]),
  ...(require('json-patch-test-suite/spec_tests.json') as SuiteCase[]),
];

describe('JSON Patch against the json-patch-tests suite', () => {
  // Disabled upstream: each is ambiguous in RFC 6902 or cannot be expressed once parsed (duplicate keys).
  const enabled = suite.filter((c) => !c.disabled);

  test.each(enabled.map((c, i) => [c.comment ?? `case ${i}`, c] as const))('%s', (_, c) => {
    const apply = () => applyJsonPatch(c.doc, c.patch);
    if (c.error !== undefined) expect(apply).toThrow();
    else {
      const out = apply();
      if ('expected' in c) expect(isDeepStrictEqual(out, c.expected), JSON.stringify(out)).toBe(true);
    }
  });

  test('leaves the document it was given untouched', () => {
    const doc = { foo: ['a'] };
    applyJsonPatch(doc, [{ op: 'add', path: '/foo/-', value: 'b' }]);
    expect(doc).toEqual({ foo: ['a'] });
  });
});

let emu: KubeEmulator;
let k: KubeClients;
const namespace = 'gw';

beforeAll(async () => {
  emu = await startKubeEmulator();
  k = kubeClients(emu.url);
  await k.core.createNamespace({ body: { metadata: { name: namespace } } });
  await k.core.createNamespacedConfigMap({
    namespace,
    body: { metadata: { name: 'keyev', labels: { app: 'gateway' } }, data: { a: '1' } },
  });
});
afterAll(async () => emu.close());

const patchConfigMap = (body: object[]) =>
  k.core.patchNamespacedConfigMap({ name: 'keyev', namespace, body }, jsonPatch);

describe('a JSON patch the API server refuses (422) leaves the object as it was', () => {
  test.each([
    // RFC 6902 §4.1/§4.3/§4.5: add, replace and copy need `value` or `from`.
    ['add without value', [{ op: 'add', path: '/data/b' }]],
    ['replace without value', [{ op: 'replace', path: '/data/a' }]],
    ['copy without from', [{ op: 'copy', path: '/data/b' }]],
    // RFC 6901 §4: an array index is "0" or digits without a leading zero.
    [
      'an array index with a leading zero',
      [
        { op: 'add', path: '/metadata/finalizers', value: ['x'] },
        { op: 'remove', path: '/metadata/finalizers/00' },
      ],
    ],
    // Prototype pollution: the server must never treat __proto__ as anything but a missing member.
    ['add /__proto__', [{ op: 'add', path: '/__proto__', value: { polluted: true } }]],
    [
      'a test that fails',
      [
        { op: 'test', path: '/data/a', value: '2' },
        { op: 'replace', path: '/data/a', value: '9' },
      ],
    ],
  ])('%s', async (_, body) => {
    await expectStatus(patchConfigMap(body), 422);
    const cm = await k.core.readNamespacedConfigMap({ name: 'keyev', namespace });
    expect(cm.data).toEqual({ a: '1' });
    expect(cm.metadata?.finalizers).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a valid patch still applies', async () => {
    const cm = await patchConfigMap([
      { op: 'test', path: '/data/a', value: '1' },
      { op: 'copy', from: '/data/a', path: '/data/b' },
      { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/component' },
    ]);
    expect(cm.data).toEqual({ a: '1', b: '1' });
    expect(cm.metadata?.labels).toEqual({ component: 'gateway' });
  });
});
