import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { EmulatorClock } from '../common/clock.js';
import { FaultInjector } from '../common/faults.js';
import { startHttpEmulator, type EmulatorHandle } from '../common/http-emulator.js';
import { RequestLog } from '../common/request-log.js';
import { AccessRules, type AccessDenial } from './access-review.js';
import { KubeApiServer } from './api-server.js';
import { ControllerManager } from './controllers.js';
import { ControlFilteredLog, createControlHandler, isControlRequest } from './control.js';
import { GarbageCollector } from './garbage-collector.js';
import { GkeIngressController } from './gke-ingress-controller.js';
import { NamespaceController } from './namespace-controller.js';
import { NamespaceDefaultsController } from './namespace-defaults.js';
import { StatePersistence } from './persistence.js';
import { resourceByName } from './resources.js';
import { createRouter } from './router.js';
import { failureStatus } from './status.js';
import { KubeObjectStore, type KubeObject } from './store.js';
import { WatchHub } from './watch.js';
import { WorkloadControllers } from './workload-controllers.js';

export interface KubeEmulatorOptions {
  /** 0 (default) lets the OS pick. */
  port?: number;
  /** Where `kube-state.json` is kept so the cluster survives restarts; in memory only when absent. */
  dataDir?: string;
  log?: RequestLog;
  faults?: FaultInjector;
  /** How long GKE takes to tear down an Ingress's load balancer before its finalizer goes (default 2000 ms). */
  lbTeardownMs?: number;
  /** How long an emptied Terminating namespace lingers before it is gone (default 100 ms). */
  namespaceTeardownMs?: number;
  clock?: EmulatorClock;
  /** Requests to refuse with 403 (and SelfSubjectAccessReviews to answer not allowed); everything else is allowed. */
  deny?: AccessDenial[];
}

export interface KubeEmulator extends EmulatorHandle {
  clock: EmulatorClock;
  setLbTeardownMs(ms: number): void;
  /** Stored objects, all or of one kind (`Deployment`, `deployments`, `deploy`). */
  objects(kind?: string): KubeObject[];
  /** Inserts objects as they are (no admission), filling in uid, timestamps and defaults. */
  seed(objects: KubernetesObject[]): KubeObject[];
  /** Replaces the denials (see AccessDenial); `[]` allows everything again. */
  deny(rules: AccessDenial[]): void;
}

/** What every cluster starts with: its namespaces and the API server's own Service in `default`. */
const BUILTIN_OBJECTS = [
  ...['default', 'kube-system', 'kube-public', 'kube-node-lease'].map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  })),
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, targetPort: 443 }] },
  },
];

/** Starts an emulated GKE Kubernetes API server that `@kubernetes/client-node` can talk to over HTTP. */
export async function startKubeEmulator(opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const store = new KubeObjectStore();
  const persistence = opts.dataDir ? new StatePersistence(join(opts.dataDir, 'kube-state.json'), store) : undefined;
  const restored = persistence?.load() ?? false;
  persistence?.start();
  const clock = opts.clock ?? new EmulatorClock();
  const api = new KubeApiServer(store, clock);
  const ingress = new GkeIngressController(api, opts.lbTeardownMs ?? 2000);
  const controllers = new ControllerManager([
    new GarbageCollector(api),
    new NamespaceController(api, opts.namespaceTeardownMs ?? 100),
    new NamespaceDefaultsController(api),
    new WorkloadControllers(api),
    ingress,
  ]);
  api.onWrite = () => controllers.run();
  if (!restored) api.seed(BUILTIN_OBJECTS);
  // Resume what a restored cluster was in the middle of (teardowns, Terminating namespaces).
  controllers.run();

  const log = opts.log ?? new RequestLog();
  const faults = opts.faults ?? new FaultInjector();
  const watches = new WatchHub(store);
  const access = new AccessRules();
  if (opts.deny) access.deny(opts.deny);
  const router = createRouter(api, watches, access);
  const control = createControlHandler({ api, faults, log, ingress, access });
  const handle = await startHttpEmulator({
    service: 'kube',
    port: opts.port,
    log: new ControlFilteredLog(log),
    faults,
    exempt: isControlRequest,
    handler: (req, res) => (isControlRequest(req) ? control(req, res) : router(req, res)),
    faultBody: (status) =>
      status === 429
        ? failureStatus('TooManyRequests', 'Too many requests, please try again later. (injected)', {
            retryAfterSeconds: 1,
          })
        : failureStatus('ServiceUnavailable', 'the server is currently unable to handle the request (injected)'),
  });

  return {
    ...handle,
    log,
    clock,
    setLbTeardownMs: (ms) => {
      ingress.teardownMs = ms;
    },
    objects: (kind) => {
      const r = kind === undefined ? undefined : resourceByName(kind);
      if (kind !== undefined && !r) throw new Error(`the kube emulator does not serve ${kind}`);
      return store.list(r);
    },
    seed: (objects) => api.seed(objects),
    deny: (rules) => access.deny(rules),
    close: async () => {
      controllers.stop();
      watches.close();
      persistence?.close();
      await handle.close();
    },
  };
}
