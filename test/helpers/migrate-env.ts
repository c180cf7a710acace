import { environmentSchema, type Environment, type EnvironmentInput } from '../../src/lib/config/schema.js';

/**
 * A gwctl environment for tests, as gwctl.yaml would define it (defaults applied by the real schema),
 * pointing at emulators: MongoDB through `$<uriEnv>`, Firestore and Kubernetes by address.
 */
export function testEnvironment(
  opts: {
    name?: string;
    project?: string;
    mongoUriEnv?: string;
    firestoreHost?: string;
    kubeServer?: string;
  } & Partial<EnvironmentInput>,
): Environment {
  const { name = 'test', project = 'gwctl-test', mongoUriEnv, firestoreHost, kubeServer, ...rest } = opts;
  const input: EnvironmentInput = {
    project,
    ...(mongoUriEnv ? { mongodb: { uriEnv: mongoUriEnv } } : {}),
    ...(firestoreHost ? { emulators: { firestore: firestoreHost } } : {}),
    ...(kubeServer ? { kube: { server: kubeServer } } : {}),
    ...rest,
  };
  return { ...environmentSchema.parse(input), name, source: 'test' };
}
