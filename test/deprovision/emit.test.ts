import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runGwctl, tempDir } from '../helpers/cli.js';
import { TFVARS } from '../helpers/gateway-fixture.js';
import { cloudBuildConfigProblems } from './cloudbuild-schema.js';

const SECRET_URI = 'mongodb://admin:s3cr3t-pa55@mongo.prod.example/awala-gateway';
const CONTEXT = 'gke_relaycorp-gateway-prod_europe-west1_gateway';

/** An infrastructure repository: gwctl.yaml at its root, the var file beside it. */
function repo(kube = `context: ${CONTEXT}`): string {
  const dir = tempDir('gwctl-infra-');
  mkdirSync(join(dir, 'infra'), { recursive: true });
  writeFileSync(join(dir, 'infra', 'prod.tfvars'), TFVARS);
  writeFileSync(
    join(dir, 'gwctl.yaml'),
    `audit:
  file: ./audit/gwctl.jsonl
environments:
  prod:
    project: relaycorp-gateway-prod
    region: europe-west1
    kube:
      ${kube}
    buckets:
      parcels: gateway-prod-parcels-1a2b3c
      vault: relaycorp-gateway-prod-vault
    mongodb:
      uriEnv: PROD_MONGODB_URI
    terraform:
      varFile: ./infra/prod.tfvars
`,
  );
  return dir;
}

const emit = (cwd: string, ...args: string[]) =>
  runGwctl(['env', 'deprovision', 'prod', '--emit', 'cloudbuild', ...args], {
    cwd,
    env: { GWCTL_HOME: join(cwd, '.gwctl'), PROD_MONGODB_URI: SECRET_URI, NO_COLOR: '1' },
  });

describe('gwctl env deprovision --emit cloudbuild', { timeout: 120_000 }, () => {
  it('prints a cloudbuild.yaml that validates against the Build schema and runs gwctl’s image with the same flags', async () => {
    const dir = repo();
    const sa = 'deprovisioner@relaycorp-gateway-prod.iam.gserviceaccount.com';
    const r = await emit(dir, '--timeout', '15m', '--keep-soft-delete', '--service-account', sa);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^# gwctl env deprovision prod, as a Cloud Build job .*\n# {3}gcloud builds submit --config=deprovision-prod\.cloudbuild\.yaml --project=relaycorp-gateway-prod --region=europe-west1 \.\n/,
    );
    const build = parse(r.stdout);
    expect(cloudBuildConfigProblems(build)).toEqual([]);

    const [credentials, deprovision] = build.steps;
    expect(credentials).toMatchObject({
      id: 'cluster-credentials',
      name: 'gcr.io/google.com/cloudsdktool/cloud-sdk:slim',
    });
    expect(credentials.env).toEqual(
      expect.arrayContaining([
        'CLUSTER=gateway',
        'LOCATION=europe-west1',
        'CLUSTER_PROJECT=relaycorp-gateway-prod',
        `CONTEXT=${CONTEXT}`,
      ]),
    );
    expect(deprovision.name).toBe('ghcr.io/relaycorp/gwctl:0.1.0');
    expect(deprovision.script).toContain(
      'gwctl env deprovision prod --yes --confirm prod --timeout 900s --keep-soft-delete\nstatus=$?\ngwctl audit show --env prod --limit 2\nexit $status',
    );
    expect(deprovision.env).toEqual([
      'GWCTL_CONFIG=/workspace/gwctl.yaml',
      'GWCTL_HOME=/workspace/.gwctl',
      'KUBECONFIG=/workspace/.gwctl/kubeconfig',
      'NO_COLOR=1',
    ]);
    expect(build).toMatchObject({
      serviceAccount: `projects/relaycorp-gateway-prod/serviceAccounts/${sa}`,
      options: { logging: 'CLOUD_LOGGING_ONLY' },
      timeout: '3600s',
      tags: ['gwctl', 'gwctl-deprovision', 'prod'],
    });
    // Deprovisioning reads no secret: nothing of the MongoDB URI, not even where it comes from.
    expect(r.stdout).not.toMatch(/s3cr3t|mongodb|PROD_MONGODB_URI/);
    expect(build.availableSecrets).toBeUndefined();
  });

  it('--image names another image; a path with a $ is escaped for Cloud Build’s substitutions', async () => {
    const dir = join(repo(), '..', `infra$HOME-${Date.now()}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'gwctl.yaml'), readConfig(repo()));
    mkdirSync(join(dir, 'infra'));
    writeFileSync(join(dir, 'infra', 'prod.tfvars'), TFVARS);
    const r = await runGwctl(
      [
        'env',
        'deprovision',
        'prod',
        '--emit',
        'cloudbuild',
        '--image',
        'europe-docker.pkg.dev/acme/tools/gwctl:1.2.0',
        '--config',
        join(dir, 'gwctl.yaml'),
      ],
      { cwd: join(dir, '..'), env: { GWCTL_HOME: join(dir, '.gwctl'), NO_COLOR: '1' } },
    );
    expect(r.code, r.stderr).toBe(0);
    const build = parse(r.stdout);
    expect(cloudBuildConfigProblems(build)).toEqual([]);
    expect(build.steps[1].name).toBe('europe-docker.pkg.dev/acme/tools/gwctl:1.2.0');
    expect(build.steps[1].env[0]).toMatch(/^GWCTL_CONFIG=\/workspace\/infra\$\$HOME-\d+\/gwctl\.yaml$/);
  });

  it('refuses what a Cloud Build job could not run (exit 2): the sandbox, a kubeconfig file, a non-GKE context, a config outside the submitted directory', async () => {
    const sandbox = await runGwctl(['env', 'deprovision', 'sandbox', '--emit', 'cloudbuild'], {
      cwd: tempDir(),
      env: { GWCTL_HOME: tempDir() },
    });
    expect(sandbox.code).toBe(2);

    const kubeconfig = await emit(repo(`context: ${CONTEXT}\n      kubeconfig: /home/alice/.kube/config`));
    expect([kubeconfig.code, kubeconfig.stderr]).toEqual([
      2,
      expect.stringMatching(/kube\.kubeconfig names a file on this machine/),
    ]);

    const other = await emit(repo('context: prod-admin'));
    expect([other.code, other.stderr]).toEqual([
      2,
      expect.stringMatching(
        /needs kube\.context to be the GKE context gcloud names gke_<project>_<location>_<cluster>, got prod-admin/,
      ),
    ]);

    const outside = await runGwctl(
      ['env', 'deprovision', 'prod', '--emit', 'cloudbuild', '--config', join(repo(), 'gwctl.yaml')],
      {
        cwd: tempDir(),
        env: { GWCTL_HOME: tempDir() },
      },
    );
    expect([outside.code, outside.stderr]).toEqual([
      2,
      expect.stringMatching(/is outside .*, the directory gcloud builds submit uploads/),
    ]);
  });

  it('the schema check itself refuses what Cloud Build would: an unknown field, script with args, a bare $VAR', () => {
    expect(
      cloudBuildConfigProblems({
        steps: [{ name: 'x', script: 'true', args: ['y'], env: ['A=$HOME'] }],
        timeout: 3600,
        option: {},
        serviceAccount: 'projects/p/serviceAccounts/s',
      }),
    ).toEqual([
      'build.timeout: a Duration is a string like "3600s", got 3600',
      'build.option: no such field in Build',
      'steps[0]: script cannot be used with args or entrypoint',
      'steps[0].env: $HOME is not a built-in substitution (write $$ for a literal $)',
      'serviceAccount needs logsBucket, or options.logging CLOUD_LOGGING_ONLY or NONE',
    ]);
  });
});

function readConfig(dir: string): string {
  return readFileSync(join(dir, 'gwctl.yaml'), 'utf8');
}
