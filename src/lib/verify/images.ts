import type { LiveObject } from '../cloud/kube-inventory.js';
import type { Drift } from './drift.js';
import { kubeRef } from './kube-refs.js';
import type { DeclaredObject } from './manifests.js';

type Fields = Record<string, unknown>;
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** Where a kind keeps its pod spec: a Pod itself, workloads in `spec.template`, a CronJob one level deeper. */
export function podSpecOf(o: { kind: string; body?: Fields } | Fields): { path: string; spec: Fields } | undefined {
  const body = ('body' in o && isObject(o.body) ? o.body : o) as Fields;
  const spec = isObject(body.spec) ? body.spec : undefined;
  if (!spec) return undefined;
  if (body.kind === 'Pod') return { path: 'spec', spec };
  if (body.kind === 'CronJob') {
    const job = isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
    const podSpec = job && isObject(job.template) && isObject(job.template.spec) ? job.template.spec : undefined;
    return podSpec ? { path: 'spec.jobTemplate.spec.template.spec', spec: podSpec } : undefined;
  }
  const podSpec = isObject(spec.template) && isObject(spec.template.spec) ? spec.template.spec : undefined;
  return podSpec ? { path: 'spec.template.spec', spec: podSpec } : undefined;
}

/** The containers of a pod spec, with the field path of each image. */
function containersOf(pod: { path: string; spec: Fields }): { name: string; image: string; path: string }[] {
  return CONTAINER_LISTS.flatMap((list) =>
    (Array.isArray(pod.spec[list]) ? (pod.spec[list] as unknown[]) : []).filter(isObject).map((c) => ({
      name: String(c.name),
      image: String(c.image ?? ''),
      path: `${pod.path}.${list}[name=${String(c.name)}].image`,
    })),
  );
}

/** The `sha256:…` an image reference pins, or undefined for a tag. */
export const pinnedDigest = (image: string) => /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1];

/** The digest in a kubelet-reported `imageID` (`docker.io/library/nginx@sha256:…`, `docker-pullable://…`). */
export const runningDigest = (imageID: string) => /(sha256:[0-9a-f]{64})$/.exec(imageID)?.[1];

/**
 * Images the code names by tag: a tag can be pushed again, so the code does not say what runs.
 * The live value is what the declared workload's pods actually run.
 */
export function unpinnedImages(declared: DeclaredObject[], podsOf: (o: DeclaredObject) => LiveObject[]): Drift[] {
  const out: Drift[] = [];
  for (const o of declared) {
    const pod = podSpecOf(o);
    if (!pod) continue;
    for (const c of containersOf(pod)) {
      if (pinnedDigest(c.image)) continue;
      const running = [
        ...new Set(
          podsOf(o).flatMap((p) =>
            statusesOf(p)
              .filter((s) => s.name === c.name)
              .map((s) => s.imageID),
          ),
        ),
      ].filter(Boolean);
      out.push({
        kind: 'unpinned',
        object: kubeRef(o.kind, o.name, o.namespace),
        field: c.path,
        code: c.image,
        live: running.length === 0 ? undefined : running.length === 1 ? running[0] : running,
        source: o.source,
      });
    }
  }
  return out;
}

function statusesOf(pod: LiveObject): { name: string; imageID: string }[] {
  const status = isObject(pod.status) ? pod.status : {};
  return ['initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses'].flatMap((k) =>
    (Array.isArray(status[k]) ? (status[k] as unknown[]) : [])
      .filter(isObject)
      .map((s) => ({ name: String(s.name), imageID: String(s.imageID ?? '') })),
  );
}

/**
 * Running containers whose digest is not the one the code pins: a pod left from another template,
 * a node that pulled something else, a pod someone edited. Containers the code does not name (an
 * injected sidecar) and containers not started yet (no imageID) are not judged.
 */
export function podImageDrift(owner: DeclaredObject, pods: LiveObject[]): Drift[] {
  const pod = podSpecOf(owner);
  if (!pod) return [];
  const pinned = new Map(containersOf(pod).map((c) => [c.name, pinnedDigest(c.image)]));
  const out: Drift[] = [];
  for (const p of pods) {
    for (const s of statusesOf(p)) {
      const want = pinned.get(s.name);
      const got = runningDigest(s.imageID);
      if (!want || !got || want === got) continue;
      out.push({
        kind: 'image',
        object: kubeRef('Pod', p.metadata.name, p.metadata.namespace),
        field: `status.containerStatuses[name=${s.name}].imageID`,
        code: want,
        live: s.imageID,
        source: owner.source,
      });
    }
  }
  return out;
}
