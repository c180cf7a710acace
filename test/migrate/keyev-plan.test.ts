import { describe, expect, it } from 'vitest';
import { configMapKeyProblem, firestoreIdProblem } from '../../src/lib/keyev/index.js';
import { assertKeyevApplicable } from '../../src/lib/migrate/keyev-apply.js';
import { planKeyevMigration, type KeyevPlanInput } from '../../src/lib/migrate/keyev-plan.js';
import { parseRenames } from '../../src/lib/migrate/rename.js';

const base = (over: Partial<KeyevPlanInput>): KeyevPlanInput => ({
  items: [],
  target: new Map(),
  keyProblem: firestoreIdProblem,
  source: { where: '127.0.0.1:27017', database: 'awala-gateway', collection: 'configitems', documents: 0 },
  targetInfo: { backend: 'firestore', where: 'Firestore collection keyev in p/(default)' },
  ...over,
});

describe('planning the keyev migration', () => {
  it('marks each key create, unchanged or conflict against what keyev holds', () => {
    const plan = planKeyevMigration(
      base({
        items: [
          { id: '1', key: 'current_id', value: '0aaa' },
          { id: '2', key: 'public_gateway', value: 'braavos.relaycorp.cloud' },
          { id: '3', key: 'new_key', value: 'v' },
        ],
        target: new Map([
          ['current_id', '0aaa'],
          ['public_gateway', 'other.example'],
        ]),
      }),
    );
    expect(plan.items.map((i) => [i.key, i.action])).toEqual([
      ['current_id', 'unchanged'],
      ['new_key', 'create'],
      ['public_gateway', 'conflict'],
    ]);
    expect(plan.items.find((i) => i.key === 'public_gateway')).toMatchObject({
      value: 'braavos.relaycorp.cloud',
      current: 'other.example',
    });
    expect(plan.counts).toEqual({ create: 1, unchanged: 1, conflict: 1, invalid: 0 });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('maps legacy keys with --rename, and warns when a legacy key would keep its old name', () => {
    const items = [{ id: '1', key: 'current_private_address', value: '0bbb' }];
    const renamed = planKeyevMigration(base({ items, rename: parseRenames(['current_private_address=current_id']) }));
    expect(renamed.items).toEqual([
      { key: 'current_id', sourceKey: 'current_private_address', action: 'create', value: '0bbb' },
    ]);
    expect(renamed.warnings).toEqual([]);
    expect(planKeyevMigration(base({ items })).warnings[0]).toMatch(/--rename current_private_address=current_id/);
  });

  it('refuses non-string values unless --stringify, which writes canonical JSON with sorted keys', () => {
    const items = [
      { id: '1', key: 'limits', value: { b: 2, a: [1, { d: true, c: null }], at: new Date('2024-01-02T03:04:05Z') } },
    ];
    const refused = planKeyevMigration(base({ items }));
    expect(refused.items[0]).toMatchObject({
      action: 'invalid',
      reason: expect.stringMatching(/an object, not a string; pass --stringify/),
    });
    expect(() => assertKeyevApplicable(refused, { overwrite: false })).toThrow(/cannot be migrated/);
    const stringified = planKeyevMigration(base({ items, stringify: true }));
    expect(stringified.items[0]).toMatchObject({
      action: 'create',
      stringified: true,
      value: '{"a":[1,{"c":null,"d":true}],"at":"2024-01-02T03:04:05.000Z","b":2}',
    });
  });

  it('refuses a key the ConfigMap backend cannot hold, rather than mangling it', () => {
    const plan = planKeyevMigration(
      base({ items: [{ id: '1', key: 'bad key/1', value: 'x' }], keyProblem: configMapKeyProblem }),
    );
    expect(plan.items[0]).toMatchObject({
      key: 'bad key/1',
      action: 'invalid',
      reason: expect.stringMatching(/letters, digits.*--rename/),
    });
  });

  it('refuses two documents that give one key different values', () => {
    const plan = planKeyevMigration(
      base({
        items: [
          { id: '1', key: 'current_private_address', value: 'old' },
          { id: '2', key: 'current_id', value: 'new' },
        ],
        rename: { current_private_address: 'current_id' },
      }),
    );
    expect(plan.items).toHaveLength(1);
    expect(plan.items[0]).toMatchObject({ key: 'current_id', action: 'invalid' });
  });

  it('refuses conflicts unless overwrite is asked for', () => {
    const plan = planKeyevMigration(
      base({ items: [{ id: '1', key: 'k', value: 'new' }], target: new Map([['k', 'old']]) }),
    );
    expect(() => assertKeyevApplicable(plan, { overwrite: false })).toThrow(
      /already holds different values for 1 key\(s\) \(k\); nothing was written.*--overwrite/,
    );
    expect(() => assertKeyevApplicable(plan, { overwrite: true })).not.toThrow();
  });

  it('refuses a value Firestore or Kubernetes would store as U+FFFD, and a reserved key hidden behind U+2028', () => {
    const plan = planKeyevMigration(
      base({
        items: [
          { id: '1', key: 'public_gateway', value: 'braavos\uD800' },
          { id: '2', key: '__current\u2028id__', value: '0abc' },
        ],
      }),
    );
    expect(plan.items.map((i) => [i.key, i.action, i.reason])).toEqual([
      ['__current\u2028id__', 'invalid', 'Firestore reserves document ids of the form __…__; map it with --rename'],
      [
        'public_gateway',
        'invalid',
        'the value is not valid UTF-8 (it holds a lone UTF-16 surrogate); keyev would store U+FFFD in its place',
      ],
    ]);
    // The refusal stays one line: the separator is printed escaped.
    expect(() => assertKeyevApplicable(plan, { overwrite: false })).toThrow(
      /^2 key\(s\) cannot be migrated \("__current\\u2028id__", public_gateway\): "__current\\u2028id__": Firestore reserves/,
    );
  });

  it('rejects a malformed --rename', () => {
    expect(() => parseRenames(['current_private_address'])).toThrow(/expected old=new/);
    expect(() => parseRenames(['a=b', 'a=c'])).toThrow(/given twice/);
  });
});
