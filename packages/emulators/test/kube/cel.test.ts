import { describe, expect, test } from 'vitest';
import { evaluateCel } from '../../src/kube/cel.js';

const env = {
  object: null,
  oldObject: {
    metadata: { name: 'vault', labels: { 'gwctl.io/protected': 'true' } },
    spec: { replicas: 2, containers: [{ name: 'a' }, { name: 'b' }] },
  },
  request: { operation: 'DELETE', namespace: 'gw', userInfo: { username: 'alice', groups: ['sre'] } },
};

describe('the CEL subset admission policies use', () => {
  test.each([
    ['false', false],
    ["request.operation != 'DELETE'", false],
    ["request.operation == 'DELETE' && request.namespace.startsWith('g')", true],
    ["oldObject.metadata.labels['gwctl.io/protected'] == 'true'", true],
    ['has(oldObject.metadata.annotations)', false],
    ["!has(oldObject.metadata.annotations) || oldObject.metadata.annotations['x'] == 'y'", true],
    ["'sre' in request.userInfo.groups", true],
    ['oldObject.spec.replicas <= 5 ? size(oldObject.spec.containers) == 2 : false', true],
    ["oldObject.spec.containers.all(c, c.name.matches('^[a-z]$'))", true],
    ["oldObject.spec.containers.exists(c, c.name == 'c')", false],
    // CEL's && and || let a decisive side win over an error on the other.
    ['object.metadata.name == "x" && false', false],
    ['true || object.metadata.name == "x"', true],
  ])('%s → %s', (expression, expected) => {
    expect(evaluateCel(expression, env)).toBe(expected);
  });

  test.each([['object.metadata.name'], ["authorizer.group('')"], ['timestamp("2024-01-01T00:00:00Z")'], ['1 +']])(
    '%s is an error',
    (expression) => {
      expect(() => evaluateCel(expression, env)).toThrow();
    },
  );
});
