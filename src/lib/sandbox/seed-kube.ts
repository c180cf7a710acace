import { SEED } from './seed-data.js';

type Obj = Record<string, unknown> & { apiVersion: string; kind: string; metadata: Record<string, unknown> };

const ns = SEED.namespace;

/** Images pinned by digest, as the code should name them: a tag can be pushed again, a digest cannot. */
export const GATEWAY_IMAGE =
  'relaycorp/relaynet-internet-gateway:1.0.0@sha256:40bbf14d1cebd4fa7470fae57f13142d08fd39b7d1f32d3e61b4cc1fbd31faac';
export const VAULT_IMAGE =
  'hashicorp/vault:1.17@sha256:c5d34254204bfc1529fbea6cc36731c38d8878a3793ffa10655e96fea438af96';
const labels = (component: string) => ({
  'app.kubernetes.io/name': 'public-gateway',
  'app.kubernetes.io/component': component,
});

function deployment(name: string): Obj {
  const component = name.replace('public-gateway-', '');
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: labels(component) },
    spec: {
      replicas: component === 'poweb' || component === 'cogrpc' ? 2 : 1,
      selector: { matchLabels: labels(component) },
      template: {
        metadata: { labels: labels(component) },
        spec: {
          containers: [
            {
              name: component,
              image: GATEWAY_IMAGE,
              args: [component],
              env: [
                { name: 'GATEWAY_KEYSTORE_ADAPTER', value: 'vault' },
                { name: 'MONGODB_DB', value: 'awala-gateway' },
              ],
              ports: [{ name: 'http', containerPort: 8080 }],
            },
          ],
        },
      },
    },
  };
}

function service(component: string, port: number): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: `public-gateway-${component}`,
      namespace: ns,
      labels: labels(component),
      ...(component === 'cogrpc'
        ? {
            annotations: {
              'cloud.google.com/backend-config': '{"default": "cogrpc"}',
              'cloud.google.com/app-protocols': '{"grpc": "HTTP2"}',
            },
          }
        : {}),
    },
    spec: {
      type: 'NodePort',
      selector: labels(component),
      ports: [{ name: component === 'cogrpc' ? 'grpc' : 'http', port, targetPort: 8080 }],
    },
  };
}

/** The Kubernetes side of a gateway: workloads, services, config, the Ingress GKE turns into a load balancer. */
export function seedKubeObjects(): Obj[] {
  return [
    ...SEED.deployments.map(deployment),
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'vault', namespace: ns, labels: { 'app.kubernetes.io/name': 'vault' } },
      spec: {
        replicas: 1,
        serviceName: 'vault',
        selector: { matchLabels: { 'app.kubernetes.io/name': 'vault' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'vault' } },
          spec: { containers: [{ name: 'vault', image: VAULT_IMAGE }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'audit' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'vault', namespace: ns },
      spec: { selector: { 'app.kubernetes.io/name': 'vault' }, ports: [{ name: 'http', port: 8200 }] },
    },
    service('poweb', 80),
    service('pohttp', 80),
    service('cogrpc', 443),
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'audit-vault-0', namespace: ns },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'public-gateway', namespace: ns },
      data: { GATEWAY_INTERNET_ADDRESS: 'sandbox.gateway.local', PUBLIC_ADDRESS: 'sandbox.gateway.local' },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'vault-config', namespace: ns },
      data: { 'config.hcl': 'storage "gcs" {\n  bucket = "relaycorp-gateway-sandbox-vault"\n}\n' },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'public-gateway-mongodb', namespace: ns },
      type: 'Opaque',
      data: { MONGODB_URI: Buffer.from('mongodb://gateway:sandbox@mongodb:27017').toString('base64') },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'vault-unseal', namespace: ns },
      type: 'Opaque',
      data: { key: Buffer.from('sandbox-unseal-key').toString('base64') },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'public-gateway-queue-cleanup', namespace: ns },
      spec: {
        schedule: '*/30 * * * *',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                restartPolicy: 'OnFailure',
                containers: [{ name: 'cleanup', image: GATEWAY_IMAGE, args: ['cleanup'] }],
              },
            },
          },
        },
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'public-gateway',
        namespace: ns,
        finalizers: ['networking.gke.io/ingress-finalizer-V2'],
        annotations: {
          'kubernetes.io/ingress.class': 'gce',
          'ingress.gcp.kubernetes.io/pre-shared-cert': 'gateway-sandbox',
        },
      },
      spec: {
        rules: [
          {
            host: 'poweb.sandbox.gateway.local',
            http: {
              paths: [
                {
                  path: '/*',
                  pathType: 'ImplementationSpecific',
                  backend: { service: { name: 'public-gateway-poweb', port: { number: 80 } } },
                },
              ],
            },
          },
          {
            host: 'pohttp.sandbox.gateway.local',
            http: {
              paths: [
                {
                  path: '/*',
                  pathType: 'ImplementationSpecific',
                  backend: { service: { name: 'public-gateway-pohttp', port: { number: 80 } } },
                },
              ],
            },
          },
          {
            host: 'cogrpc.sandbox.gateway.local',
            http: {
              paths: [
                {
                  path: '/*',
                  pathType: 'ImplementationSpecific',
                  backend: { service: { name: 'public-gateway-cogrpc', port: { number: 443 } } },
                },
              ],
            },
          },
        ],
      },
    },
  ];
}
