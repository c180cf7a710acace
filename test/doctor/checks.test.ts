import { describe, expect, it } from 'vitest';
import { environmentSchema, type Environment, type EnvironmentInput } from '../../src/lib/config/schema.js';
import { runChecks, type CheckResult } from '../../src/lib/doctor/check.js';
import { doctorChecks } from '../../src/lib/doctor/checks.js';
import type { DoctorProbes, KubeAccess } from '../../src/lib/cloud/doctor-probes.js';

// The verdicts doctor draws from what each API answers, over an in-memory stand-in for the probes (the calls
// themselves are tested over the wire in cli.test.ts).

const env = (over: Partial<EnvironmentInput> = {}): Environment => ({
  ...environmentSchema.parse({
    project: 'relaycorp-gateway-staging',
    buckets: { parcels: 'gateway-staging-parcels-1a2b', vault: 'staging-vault', backups: 'staging-backups' },
    mongodb: { uriEnv: 'DOCTOR_TEST_MONGODB_URI' },
    ...over,
  }),
  name: 'staging',
  source: 'gwctl.yaml',
});

/** Everything answers as gwctl expects, unless a test says otherwise. */
function probes(over: Partial<DoctorProbes> = {}): DoctorProbes {
  return {
    readBucket: async () => ({ listed: 1 }),
    batch: async () => [
      { status: 404, message: 'No such object' },
      { status: 404, message: 'No such object' },
    ],
    kubeVersion: async () => 'v1.31.6-gke.1',
    canI: async () => ({ allowed: true }),
    metricDescriptor: async (type) =>
      type.endsWith('check_passed')
        ? { metricKind: 'GAUGE', valueType: 'BOOL' }
        : type.startsWith('storage.')
          ? { metricKind: 'GAUGE', valueType: type.endsWith('object_count') ? 'INT64' : 'DOUBLE' }
          : { metricKind: 'DELTA', valueType: type.endsWith('request_count') ? 'INT64' : 'DISTRIBUTION' },
    buildTrigger: async () => ({ name: 'gateway-gke-deployment', disabled: false }),
    transferAgent: async () => ({ agent: 'project-123@storage-transfer-service.iam.gserviceaccount.com' }),
    kmsPublicKey: async () => ({ algorithm: 'EC_SIGN_ED25519' }),
    mongo: async () => ({
      where: 'db:27017',
      database: 'awala-gateway',
      collections: ['configitems', 'certificationpaths', 'identitypublickeydatas', 'peerpublickeydatas'],
    }),
    firestoreRead: async () => ({ where: 'relaycorp-gateway-staging/(default)' }),
    close: async () => undefined,
    ...over,
  };
}

const run = async (e: Environment, p: DoctorProbes) => runChecks(doctorChecks(e, p));
const find = (results: CheckResult[], id: string) => results.find((r) => r.id === id)!;

describe('gwctl doctor: verdicts', () => {
  it('passes everything when every API answers as gwctl expects', async () => {
    process.env.DOCTOR_TEST_MONGODB_URI = 'mongodb://db:27017';
    const audit = {
      log: 'gs://relaycorp-gateway-staging-audit/log/',
      signer: { kms: 'projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1' },
    };
    const results = await run(env({ audit }), probes());
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    for (const r of results) expect(r.calls && r.expects && r.neededBy.length, r.id).toBeTruthy();
  });

  it('a batch endpoint that refuses batches is a warning: copies go one request each', async () => {
    const results = await run(
      env(),
      probes({
        batch: async () => {
          throw new Error('the batch endpoint answered HTTP 405: Method Not Allowed');
        },
      }),
    );
    expect(find(results, 'gcs.batch')).toMatchObject({
      status: 'warn',
      reason: expect.stringMatching(/one request each/),
    });
  });

  it('a rewrite with null attributes refused inside a batch fails, naming the commands that copy', async () => {
    const results = await run(
      env(),
      probes({
        batch: async () => [
          { status: 404, message: 'No such object' },
          { status: 400, message: 'Invalid value for contentType' },
        ],
      }),
    );
    expect(find(results, 'gcs.batch')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/answered 400 \(Invalid value for contentType\); copies would fail/),
      neededBy: expect.arrayContaining(['backup create']),
    });
  });

  it('a verb RBAC denies fails its resource, naming the commands that call it', async () => {
    const denied = (a: KubeAccess) => a.resource === 'ingresses' && a.verb === 'delete';
    const results = await run(env(), probes({ canI: async (a) => ({ allowed: !denied(a) }) }));
    expect(find(results, 'kube.rbac.ingresses')).toMatchObject({
      status: 'fail',
      reason: 'denied in namespace default: delete (env deprovision)',
    });
    expect(results.filter((r) => r.status === 'fail').map((r) => r.id)).toEqual(['kube.rbac.ingresses']);
  });

  it('a Kubernetes API that does not answer fails once; the access reviews are skipped, not failed again', async () => {
    const canI = async () => {
      throw new Error('should not be asked');
    };
    const results = await run(
      env(),
      probes({
        kubeVersion: async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:6443');
        },
        canI,
      }),
    );
    expect(find(results, 'kube.api')).toMatchObject({ status: 'fail', reason: 'connect ECONNREFUSED 127.0.0.1:6443' });
    const rbac = results.filter((r) => r.id.startsWith('kube.rbac.'));
    expect(rbac.length).toBeGreaterThan(5);
    for (const r of rbac) expect(r).toMatchObject({ status: 'skip', reason: 'kube.api failed' });
  });

  it('a metric that exists with another kind than gwctl reads fails', async () => {
    const results = await run(
      env(),
      probes({ metricDescriptor: async () => ({ metricKind: 'CUMULATIVE', valueType: 'DISTRIBUTION' }) }),
    );
    expect(find(results, 'monitoring.metric.https/total_latencies')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/is CUMULATIVE DISTRIBUTION; gwctl reads it as DELTA DISTRIBUTION/),
    });
  });

  it('no deployment trigger of that name is a warning (a deprovision would have none to disable); a denied read fails', async () => {
    const absent = await run(
      env({ cloudBuild: { trigger: 'deploy-gateway' } }),
      probes({ buildTrigger: async () => undefined }),
    );
    expect(find(absent, 'cloudbuild.trigger')).toMatchObject({
      status: 'warn',
      calls: 'GetBuildTrigger projects/relaycorp-gateway-staging/locations/europe-west1/triggers/deploy-gateway',
      reason: expect.stringMatching(/no trigger deploy-gateway .*set cloudBuild\.trigger/),
    });
    const denied = await run(
      env(),
      probes({
        buildTrigger: async () => {
          throw new Error('reading Cloud Build trigger …: PERMISSION_DENIED: cloudbuild.builds.get');
        },
      }),
    );
    expect(find(denied, 'cloudbuild.trigger')).toMatchObject({
      status: 'fail',
      neededBy: ['env deprovision', 'env protect', 'env status'],
    });
  });

  it('the shared audit log: its bucket and its Cloud KMS key, which every change needs', async () => {
    const kms = 'projects/p/locations/europe/keyRings/gwctl/cryptoKeys/audit/cryptoKeyVersions/1';
    const withLog = env({ audit: { log: 'gs://relaycorp-gateway-staging-audit/log/', signer: { kms } } });
    const ok = await run(withLog, probes());
    expect(find(ok, 'audit.log.bucket')).toMatchObject({
      status: 'pass',
      calls: expect.stringContaining('gs://relaycorp-gateway-staging-audit'),
    });
    expect(find(ok, 'audit.log.signer')).toMatchObject({
      status: 'pass',
      calls: `KeyManagementService.GetPublicKey ${kms}`,
    });
    const rsa = await run(withLog, probes({ kmsPublicKey: async () => ({ algorithm: 'RSA_SIGN_PSS_2048_SHA256' }) }));
    expect(find(rsa, 'audit.log.signer')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/is RSA_SIGN_PSS_2048_SHA256; checkpoints are signed with EC_SIGN_ED25519/),
      neededBy: expect.arrayContaining(['every command that changes something']),
    });
    const missingFile = await run(
      env({
        audit: { log: 'gs://relaycorp-gateway-staging-audit/log/', signer: { keyFile: '/nonexistent/audit.key' } },
      }),
      probes(),
    );
    expect(find(missingFile, 'audit.log.signer')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/the log has entries: copy the key that signed them here/),
    });
    const newLog = await run(
      env({
        audit: { log: 'gs://relaycorp-gateway-staging-audit/log/', signer: { keyFile: '/nonexistent/audit.key' } },
      }),
      probes({ readBucket: async () => ({ listed: 0 }) }),
    );
    expect(find(newLog, 'audit.log.signer')).toMatchObject({
      status: 'pass',
      reason: expect.stringMatching(/the first change creates/),
    });
    const none = await run(env(), probes());
    expect(find(none, 'audit.log.bucket')).toMatchObject({
      status: 'skip',
      reason: expect.stringMatching(/local audit file/),
    });
  });

  it('a MongoDB database without the config collection fails, pointing at the legacy database name', async () => {
    process.env.DOCTOR_TEST_MONGODB_URI = 'mongodb://db:27017';
    const results = await run(
      env(),
      probes({ mongo: async () => ({ where: 'db:27017', database: 'awala-gateway', collections: [] }) }),
    );
    expect(find(results, 'mongodb.reachable')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/no collection configitems .*legacy gateways use database "main"/),
    });
  });

  it('skips what is not configured, saying what to set', async () => {
    delete process.env.DOCTOR_TEST_MONGODB_URI;
    const results = await run(env({ buckets: { parcels: 'gateway-staging-parcels-1a2b' } }), probes());
    expect(find(results, 'gcs.bucket.vault')).toMatchObject({
      status: 'skip',
      reason: 'buckets.vault is not set in gwctl.yaml',
    });
    expect(find(results, 'gcs.batch')).toMatchObject({ status: 'skip' });
    expect(find(results, 'mongodb.reachable')).toMatchObject({
      status: 'skip',
      reason: '$DOCTOR_TEST_MONGODB_URI is not set; export it to check MongoDB',
    });
  });

  it('a probe that throws fails its check with the first line of the error, secrets redacted', async () => {
    const results = await run(
      env(),
      probes({
        readBucket: async () => {
          throw new Error('reading gs://x: permission denied (token ya29.a0AfH6SMBsecret)\n    at stack');
        },
      }),
    );
    expect(find(results, 'gcs.bucket.vault').reason).toBe('reading gs://x: permission denied (token ***)');
  });

  it('the Storage Transfer API not enabled is a skip naming the gcloud command, not a failure', async () => {
    const results = await run(env(), probes({ transferAgent: async () => ({ disabled: true }) }));
    expect(find(results, 'storagetransfer.agent')).toMatchObject({
      status: 'skip',
      reason: expect.stringMatching(
        /not enabled in project relaycorp-gateway-staging .*gcloud services enable storagetransfer\.googleapis\.com --project relaycorp-gateway-staging$/,
      ),
    });
    const ok = find(await run(env(), probes()), 'storagetransfer.agent');
    expect(ok).toMatchObject({ status: 'pass', reason: expect.stringMatching(/^service agent project-123@/) });
    expect(ok.neededBy).toEqual(['backup create --engine sts', 'backup restore --engine sts']);
  });

  it('the Storage Transfer check is skipped without the Vault and backup buckets, and fails on other errors', async () => {
    const noBackups = env({ buckets: { vault: 'staging-vault' } });
    expect(find(await run(noBackups, probes()), 'storagetransfer.agent').status).toBe('skip');
    const denied = probes({
      transferAgent: async () => {
        throw new Error('reading the Storage Transfer Service agent of project p: PERMISSION_DENIED: denied');
      },
    });
    expect(find(await run(env(), denied), 'storagetransfer.agent')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/PERMISSION_DENIED/),
    });
  });
});
