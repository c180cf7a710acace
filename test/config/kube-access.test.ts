import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openKubeConfig } from '../../src/lib/cloud/kube.js';
import { UsageError } from '../../src/lib/errors/gwctl-error.js';
import { runGwctl, tempDir } from '../helpers/cli.js';
import { testEnvironment } from '../helpers/migrate-env.js';

// The incident: kube.server was set next to kube.context, gwctl used the context and a CronJob went to another
// cluster. gwctl now refuses the pair: kube.server means "this API server, no credentials" (an emulator);
// kube.context/kubeconfig mean "the cluster and credentials the kubeconfig gives".

const kubeconfig = (dir: string) => {
  // A kubeconfig as `kubectl config view` writes it (Kubernetes docs, "Organizing Cluster Access Using kubeconfig Files").
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: { server: "https://prod.k8s.example:443" }
- name: staging
  cluster: { server: "https://staging.k8s.example:443" }
users:
- name: sre
  user: { token: not-a-real-token }
contexts:
- name: gke_prod
  context: { cluster: prod, user: sre }
- name: gke_staging
  context: { cluster: staging, user: sre }
current-context: gke_staging
`,
  );
  return file;
};

describe('kube.server together with kube.context', () => {
  it('is refused when gwctl.yaml is read, exit 2 naming both fields', async () => {
    const dir = tempDir();
    for (const other of ['context: gke_prod', `kubeconfig: ${kubeconfig(dir)}`]) {
      writeFileSync(
        join(dir, 'gwctl.yaml'),
        `environments:\n  prod:\n    project: p\n    kube: { ${other}, server: "https://10.0.0.1:443" }\n`,
      );
      for (const args of [
        ['env', 'show', 'prod'],
        ['env', 'status', '--env', 'prod'],
      ]) {
        const r = await runGwctl(args, { cwd: dir });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(
          new RegExp(
            `^error: gwctl\\.yaml: environments\\.prod\\.kube: kube\\.server and kube\\.${other.split(':')[0]} are both set; gwctl uses one or the other, never both`,
          ),
        );
      }
    }
  });

  it('is refused before connecting, for an environment not read from gwctl.yaml', async () => {
    const env = testEnvironment({ kube: { server: 'https://10.0.0.1:443' } });
    env.kube.context = 'gke_prod';
    await expect(openKubeConfig(env)).rejects.toThrow(UsageError);
    await expect(openKubeConfig(env)).rejects.toThrow(/kube\.server and kube\.context are both set/);
  });
});

describe('which cluster gwctl talks to', () => {
  it('kube.context: that context of the kubeconfig, with its credentials, not the current one', async () => {
    const env = testEnvironment({ kube: { context: 'gke_prod', kubeconfig: kubeconfig(tempDir()) } });
    const kc = await openKubeConfig(env);
    expect(kc.getCurrentCluster()?.server).toBe('https://prod.k8s.example:443');
    expect(kc.getCurrentUser()?.token).toBe('not-a-real-token');
  });

  it('kube.server: that server with no credentials, its certificate checked unless on this machine', async () => {
    const remote = await openKubeConfig(testEnvironment({ kubeServer: 'https://10.0.0.1:443' }));
    expect(remote.getCurrentCluster()).toMatchObject({ server: 'https://10.0.0.1:443', skipTLSVerify: false });
    expect(remote.getCurrentUser()?.token).toBeUndefined();
    const local = await openKubeConfig(testEnvironment({ kubeServer: 'https://127.0.0.1:6443' }));
    expect(local.getCurrentCluster()).toMatchObject({ skipTLSVerify: true });
  });
});
