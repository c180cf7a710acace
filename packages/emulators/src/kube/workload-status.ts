import { isPlainObject } from './merge-patch.js';
import type { KubeObject } from './store.js';

type Fields = Record<string, unknown>;

/**
 * Stands in for the Deployment, ReplicaSet, StatefulSet and Job controllers: the status they would reach
 * once pods are running is written with the spec change itself, so a rollout or a scale is
 * complete as soon as the write returns. Zero counts are omitted, as the real API does.
 */
export function settleWorkloadStatus(o: KubeObject, now: string): void {
  const spec = (isPlainObject(o.spec) ? o.spec : {}) as Fields;
  const status = (isPlainObject(o.status) ? o.status : {}) as Fields;
  const generation = o.metadata.generation ?? 1;
  if (o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'ReplicaSet') {
    if (status.observedGeneration === generation) return;
    const n = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const counts = {
      replicas: n,
      readyReplicas: n,
      availableReplicas: n,
      ...(o.kind === 'ReplicaSet' ? { fullyLabeledReplicas: n } : { updatedReplicas: n }),
      ...(o.kind === 'StatefulSet' ? { currentReplicas: n } : {}),
    };
    const next: Fields = { ...status, observedGeneration: generation };
    for (const [k, v] of Object.entries(counts)) {
      if (v > 0) next[k] = v;
      else delete next[k];
    }
    if (o.kind === 'Deployment')
      next.conditions = [
        {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
          lastUpdateTime: now,
          lastTransitionTime: now,
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${o.metadata.name}" has successfully progressed.`,
          lastUpdateTime: now,
          lastTransitionTime: now,
        },
      ];
    o.status = next;
  } else if (o.kind === 'Job' && !status.completionTime && !(spec as { suspend?: boolean }).suspend) {
    // Jobs succeed at once: the emulator runs no pods.
    const completions = typeof spec.completions === 'number' ? spec.completions : 1;
    o.status = {
      startTime: status.startTime ?? now,
      completionTime: now,
      succeeded: completions,
      ready: 0,
      conditions: [
        { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: now, lastTransitionTime: now },
        { type: 'Complete', status: 'True', lastProbeTime: now, lastTransitionTime: now },
      ],
    };
  }
}
