type Item = Record<string, unknown>;

/**
 * How items of a list field are matched between a manifest and the live object: the strategic
 * merge patch keys (`patchMergeKey`) and server-side apply's `listMapKeys` of k8s.io/api's types.
 * Lists not named here are atomic: compared item by item, in order.
 */
const KEYS: Record<string, (item: Item) => string | undefined> = {
  containers: (i) => str(i.name),
  initContainers: (i) => str(i.name),
  ephemeralContainers: (i) => str(i.name),
  env: (i) => str(i.name),
  volumes: (i) => str(i.name),
  volumeMounts: (i) => str(i.mountPath),
  volumeDevices: (i) => str(i.devicePath),
  imagePullSecrets: (i) => str(i.name),
  hostAliases: (i) => str(i.ip),
  resourceClaims: (i) => str(i.name),
  readinessGates: (i) => str(i.conditionType),
  topologySpreadConstraints: (i) =>
    i.topologyKey === undefined ? undefined : `${String(i.topologyKey)}/${String(i.whenUnsatisfiable ?? '')}`,
  // A container's ports are keyed by containerPort and protocol, a Service's by port and protocol.
  ports: (i) => {
    const port = i.containerPort ?? i.port;
    if (port === undefined) return undefined;
    const protocol = String(i.protocol ?? 'TCP');
    return protocol === 'TCP' ? String(port) : `${String(port)}/${protocol}`;
  },
};

const LABELS: Record<string, string> = {
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  hostAliases: 'ip',
  readinessGates: 'conditionType',
  topologySpreadConstraints: 'topologyKey',
};

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

export interface ListKey {
  /** The item's key, or undefined when an item lacks it (the list is then compared as atomic). */
  of(item: Item): string | undefined;
  /** How the key reads in a field path: `containers[name=poweb]`, `ports[containerPort=8080]`. */
  label(items: Item[]): string;
}

export function listKeyFor(field: string): ListKey | undefined {
  const of = KEYS[field];
  if (!of) return undefined;
  return {
    of,
    label: (items) =>
      field === 'ports'
        ? items.some((i) => i.containerPort !== undefined)
          ? 'containerPort'
          : 'port'
        : (LABELS[field] ?? 'name'),
  };
}

/** Lists of scalars where order means nothing and others may add entries (controllers add finalizers). */
export const SET_LISTS = new Set(['finalizers']);
