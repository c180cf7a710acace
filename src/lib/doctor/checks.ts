import { existsSync } from 'node:fs';
import { sharedLogConfig } from '../audit/shared/log-config.js';
import { deploymentTriggerRef, triggerName } from '../cloud/cloudbuild.js';
import type { Environment } from '../config/schema.js';
import { fail, pass, skip, warn, type DoctorCheck } from './check.js';
import { kubeAccessChecks } from './kube-access.js';
import type { DoctorProbes } from '../cloud/doctor-probes.js';

/**
 * Every check `gwctl doctor` runs on an environment, as data: read-only calls to each API gwctl uses, with
 * what they prove. Nothing is created, changed or deleted, so it is safe on production; run it on staging first.
 */
export function doctorChecks(env: Environment, probes: DoctorProbes): DoctorCheck[] {
  return [
    ...bucketChecks(env, probes),
    batchCheck(env, probes),
    ...auditLogChecks(env, probes),
    {
      id: 'kube.api',
      area: 'kubernetes',
      calls: 'GET /version',
      expects: 'the API server answers',
      neededBy: ['env status', 'env deprovision', 'backup create --quiesce', 'verify infra', 'schedules'],
      run: async () => pass(`API server ${await probes.kubeVersion()} answers`),
    },
    ...kubeAccessChecks(probes, env.kube.namespace),
    ...metricChecks(probes),
    triggerCheck(env, probes),
    transferCheck(env, probes),
    mongoCheck(env, probes),
    firestoreCheck(env, probes),
  ];
}

const BUCKET_USERS: Record<string, string[]> = {
  parcels: ['bucket ttl show/set', 'env deprovision'],
  vault: ['backup create', 'backup restore', 'env deprovision'],
  backups: ['backup create/list/verify/restore/prune'],
};

function bucketChecks(env: Environment, probes: DoctorProbes): DoctorCheck[] {
  const roles: [string, string | undefined, string[]][] = [
    ...Object.entries(BUCKET_USERS).map(
      ([role, users]) => [role, env.buckets[role as keyof Environment['buckets']], users] as [string, string, string[]],
    ),
    ...env.extraBuckets.map((b, i) => [`extra${i + 1}`, b, ['env deprovision']] as [string, string, string[]]),
  ];
  return roles.map(([role, bucket, neededBy]) => ({
    id: `gcs.bucket.${role}`,
    area: 'gcs',
    calls: `storage.buckets.get, storage.objects.list (maxResults 1) on ${bucket ? `gs://${bucket}` : `buckets.${role}`}`,
    expects: '200 for both: the bucket exists and these credentials may list it',
    neededBy,
    async run() {
      if (!bucket) return skip(`buckets.${role} is not set in gwctl.yaml`);
      const { listed } = await probes.readBucket(bucket);
      return pass(`gs://${bucket} readable (${listed ? 'objects listed' : 'empty'})`);
    },
  }));
}

/** Every change is recorded in the shared audit log first: without it, nothing is changed. */
const RECORDING = ['every command that changes something', 'audit show/verify'];

/** The environment's shared audit log (`audit.log`): its bucket, and the key that signs its checkpoints. */
function auditLogChecks(env: Environment, probes: DoctorProbes): DoctorCheck[] {
  const log = sharedLogConfig(env);
  let entries: number | undefined;
  const bucket: DoctorCheck = {
    id: 'audit.log.bucket',
    area: 'gcs',
    calls: `storage.buckets.get, storage.objects.list (maxResults 1) on ${log ? `gs://${log.bucket}` : 'audit.log'}`,
    expects: '200 for both (appending also needs storage.objects.create, not checked)',
    neededBy: RECORDING,
    async run() {
      if (!log) return skip('no audit.log in gwctl.yaml: changes are recorded in the local audit file');
      const { listed } = await probes.readBucket(log.bucket);
      entries = listed;
      return pass(`gs://${log.bucket} readable (${listed ? 'the log has entries' : 'empty: a new log'})`);
    },
  };
  if (log?.signer.kind !== 'kms') {
    const keyFile = log?.signer.kind === 'file' ? log.signer.keyFile : undefined;
    return [
      bucket,
      {
        id: 'audit.log.signer',
        area: 'kms',
        calls: keyFile ? `read ${keyFile}` : 'audit.signer',
        expects:
          'the key file that signs the checkpoints is on this machine (or the log is new: the first change creates it)',
        neededBy: RECORDING,
        needs: 'audit.log.bucket',
        async run() {
          if (!keyFile) return skip('no audit.log in gwctl.yaml');
          if (existsSync(keyFile)) return pass(`key file ${keyFile} present`);
          if (entries === 0) return pass(`no key file yet: the first change creates ${keyFile} for this new log`);
          return fail(`no key file ${keyFile}, and the log has entries: copy the key that signed them here`);
        },
      },
    ];
  }
  const keyVersion = log.signer.keyVersion;
  return [
    bucket,
    {
      id: 'audit.log.signer',
      area: 'kms',
      calls: `KeyManagementService.GetPublicKey ${keyVersion}`,
      expects: 'EC_SIGN_ED25519 (signing also needs cloudkms.cryptoKeyVersions.useToSign, not checked)',
      neededBy: RECORDING,
      async run() {
        const { algorithm } = await probes.kmsPublicKey(keyVersion);
        return algorithm === 'EC_SIGN_ED25519'
          ? pass(`Ed25519 key version readable`)
          : fail(`${keyVersion} is ${algorithm}; checkpoints are signed with EC_SIGN_ED25519`);
      },
    },
  ];
}

/** The fields a copy clears with null (cloud/objects.ts attributesBody), so nothing carries over from the source. */
const CLEARED_ATTRIBUTES = {
  contentType: null,
  contentEncoding: null,
  contentDisposition: null,
  contentLanguage: null,
  cacheControl: null,
  metadata: {},
};

/**
 * The calls no public test confirms: backup copies go as rewrites inside JSON API batches, with `null` for the
 * attributes they clear. A batch of a metadata read and a rewrite whose source does not exist exercises both
 * without writing anything (no source, nothing to copy; ifGenerationMatch=0 guards the destination besides).
 */
function batchCheck(env: Environment, probes: DoctorProbes): DoctorCheck {
  const { vault, backups } = env.buckets;
  const missing = `gwctl-doctor/no-such-object-${Date.now().toString(36)}`;
  return {
    id: 'gcs.batch',
    area: 'gcs',
    calls: `POST /batch/storage/v1: objects.get gs://${vault ?? '<vault>'}/${missing}, objects.rewrite of it to gs://${backups ?? '<backups>'} (ifGenerationMatch=0, body of null attributes)`,
    expects: 'the batch answered part by part: 404 and 404 (nothing exists, nothing is written)',
    neededBy: ['backup create', 'backup restore', 'backup prune', 'env deprovision'],
    async run() {
      if (!vault || !backups) return skip('needs buckets.vault and buckets.backups in gwctl.yaml');
      let answers: { status: number; message?: string }[];
      try {
        answers = await probes.batch([
          { bucket: vault, method: 'GET', uri: `/o/${encodeURIComponent(missing)}` },
          {
            bucket: vault,
            method: 'POST',
            uri: `/o/${encodeURIComponent(missing)}/rewriteTo/b/${backups}/o/${encodeURIComponent(missing)}`,
            qs: { ifGenerationMatch: '0' },
            json: CLEARED_ATTRIBUTES,
          },
        ]);
      } catch (err) {
        const status = /HTTP (400|404|405|501)\b/.exec((err as Error).message)?.[1];
        if (status)
          return warn(
            `batches refused (HTTP ${status}): copies and deletes go one request each (slower, still correct)`,
          );
        throw err;
      }
      const [get, rewrite] = answers;
      if (get?.status !== 404) return fail(`objects.get in a batch answered ${get?.status}: ${get?.message ?? ''}`);
      if (rewrite?.status === 404)
        return pass('rewrites with null attributes are taken inside batches (up to 100 copies per request)');
      return fail(
        `a rewrite with null attributes in a batch answered ${rewrite?.status} (${rewrite?.message ?? 'no message'}); copies would fail`,
      );
    },
  };
}

/** The metric types gwctl reads (diagnose parcels, monitoring status), with the kind and value type it reads them as. */
const METRICS: { type: string; metricKind: string; valueType: string; neededBy: string[] }[] = [
  {
    type: 'loadbalancing.googleapis.com/https/total_latencies',
    metricKind: 'DELTA',
    valueType: 'DISTRIBUTION',
    neededBy: ['diagnose parcels', 'monitoring plan/apply'],
  },
  {
    type: 'loadbalancing.googleapis.com/https/backend_latencies',
    metricKind: 'DELTA',
    valueType: 'DISTRIBUTION',
    neededBy: ['diagnose parcels'],
  },
  {
    type: 'loadbalancing.googleapis.com/https/request_count',
    metricKind: 'DELTA',
    valueType: 'INT64',
    neededBy: ['diagnose parcels', 'monitoring plan/apply'],
  },
  // Object counts and sizes of buckets, measured daily: deprovision plans from them instead of listing buckets.
  {
    type: 'storage.googleapis.com/storage/object_count',
    metricKind: 'GAUGE',
    valueType: 'INT64',
    neededBy: ['env deprovision', 'env status'],
  },
  {
    type: 'storage.googleapis.com/storage/total_bytes',
    metricKind: 'GAUGE',
    valueType: 'DOUBLE',
    neededBy: ['env deprovision', 'env status'],
  },
  {
    type: 'monitoring.googleapis.com/uptime_check/check_passed',
    metricKind: 'GAUGE',
    valueType: 'BOOL',
    neededBy: ['monitoring status'],
  },
];

function metricChecks(probes: DoctorProbes): DoctorCheck[] {
  return METRICS.map((m) => ({
    id: `monitoring.metric.${m.type.slice(m.type.indexOf('/') + 1)}`,
    area: 'monitoring',
    calls: `MetricService.GetMetricDescriptor ${m.type}`,
    expects: `found, ${m.metricKind} ${m.valueType}`,
    neededBy: m.neededBy,
    async run() {
      const d = await probes.metricDescriptor(m.type);
      if (!d) return fail(`${m.type} does not exist in this project (NOT_FOUND)`);
      if (d.metricKind !== m.metricKind || d.valueType !== m.valueType)
        return fail(`${m.type} is ${d.metricKind} ${d.valueType}; gwctl reads it as ${m.metricKind} ${m.valueType}`);
      return pass(`${m.metricKind} ${m.valueType}, as gwctl reads it`);
    },
  }));
}

/** The deployment trigger a deprovision disables first (and env protect enables again). */
function triggerCheck(env: Environment, probes: DoctorProbes): DoctorCheck {
  const ref = deploymentTriggerRef(env);
  return {
    id: 'cloudbuild.trigger',
    area: 'cloudbuild',
    calls: `GetBuildTrigger ${triggerName(ref)}`,
    expects: 'found (reading needs cloudbuild.builds.get; disabling it needs cloudbuild.builds.update, not checked)',
    neededBy: ['env deprovision', 'env protect', 'env status'],
    async run() {
      const t = await probes.buildTrigger();
      if (!t)
        return warn(
          `no trigger ${ref.trigger} in ${ref.project}/${ref.region}: a deprovision would have none to disable (set cloudBuild.trigger)`,
        );
      return pass(`trigger ${t.name} readable (${t.disabled ? 'disabled' : 'enabled'})`);
    },
  };
}

/**
 * `--engine sts`: the Storage Transfer API answers in the environment's project and names the service agent its jobs
 * run as (which needs the bucket roles of docs/backup.md). The API is optional: not enabled, the check is skipped.
 */
function transferCheck(env: Environment, probes: DoctorProbes): DoctorCheck {
  return {
    id: 'storagetransfer.agent',
    area: 'storagetransfer',
    calls: `StorageTransferService.GetGoogleServiceAccount (project ${env.project})`,
    expects:
      'the service agent its jobs run as (reading it needs storagetransfer.projects.getServiceAccount; creating and running jobs needs roles/storagetransfer.user, not checked)',
    neededBy: ['backup create --engine sts', 'backup restore --engine sts'],
    async run() {
      if (!env.buckets.vault || !env.buckets.backups)
        return skip('needs buckets.vault and buckets.backups in gwctl.yaml');
      const r = await probes.transferAgent();
      if ('disabled' in r)
        return skip(
          `the Storage Transfer API is not enabled in project ${env.project} (only --engine sts needs it): gcloud services enable storagetransfer.googleapis.com --project ${env.project}`,
        );
      return pass(`service agent ${r.agent} (it needs the bucket roles in docs/backup.md)`);
    },
  };
}

function mongoCheck(env: Environment, probes: DoctorProbes): DoctorCheck {
  const m = env.mongodb;
  return {
    id: 'mongodb.reachable',
    area: 'mongodb',
    calls: `ping, listCollections (names) on database ${m?.database ?? '<mongodb.database>'}`,
    expects: `ok, and a collection ${m?.configCollection ?? 'configitems'} in it`,
    neededBy: ['migrate keyev', 'migrate keystore'],
    async run() {
      if (!m) return skip('no mongodb section in gwctl.yaml');
      if (m.uriEnv && !process.env[m.uriEnv]) return skip(`$${m.uriEnv} is not set; export it to check MongoDB`);
      const { where, database, collections } = await probes.mongo();
      if (!collections.includes(m.configCollection))
        return fail(
          `${where}: no collection ${m.configCollection} in database ${database} (legacy gateways use database "main": set mongodb.database)`,
        );
      const keystore = m.keystoreCollections.filter((c) => !collections.includes(c));
      if (keystore.length)
        return warn(`${where}/${database}: no ${keystore.join(', ')} yet (migrate keystore copies nothing from them)`);
      return pass(`${where}/${database} answers; ${m.configCollection} and the keystore collections are there`);
    },
  };
}

function firestoreCheck(env: Environment, probes: DoctorProbes): DoctorCheck {
  return {
    id: 'firestore.database',
    area: 'firestore',
    calls: `BatchGetDocuments of one missing document in ${env.keyev.collection}, database ${env.firestore.databaseId}`,
    expects: 'an answer that the document is missing (NOT_FOUND would mean no such database)',
    neededBy: ['migrate keystore', ...(env.keyev.backend === 'firestore' ? ['migrate keyev'] : [])],
    async run() {
      const { where } = await probes.firestoreRead(env.keyev.collection);
      return pass(`database ${where} answers`);
    },
  };
}
