/**
 * `kube.server` reaches an API server with no credentials (an emulator); `kube.context` (and `kube.kubeconfig`)
 * the cluster and credentials a kubeconfig gives. Together they would be a guess, either the context's
 * credentials sent to another server or the server silently ignored, so gwctl refuses them (the schema when
 * reading gwctl.yaml, src/lib/cloud/kube.ts before connecting). Says what is wrong, or undefined.
 */
export function kubeAccessConflict(kube: {
  server?: string;
  context?: string;
  kubeconfig?: string;
}): string | undefined {
  if (!kube.server) return undefined;
  const other = kube.context ? 'context' : kube.kubeconfig ? 'kubeconfig' : undefined;
  if (!other) return undefined;
  return `kube.server and kube.${other} are both set; gwctl uses one or the other, never both: keep kube.${other} for the cluster and credentials your kubeconfig gives it, or keep kube.server alone for an API server reached with no credentials (an emulator)`;
}
