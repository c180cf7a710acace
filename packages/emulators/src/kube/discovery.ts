import { apiResourceList, groupVersions } from './resources.js';

/** What `/version` reports: a GKE build recent enough for ValidatingAdmissionPolicy v1 (GA in 1.30). */
export const VERSION_INFO = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.6-gke.1020000',
  gitCommit: 'emulated',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.22.12',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** The discovery documents clients read to map kinds to URLs, or undefined for other paths. */
export function discoveryDocument(path: string, serverAddress: string): unknown {
  if (path === '/version') return VERSION_INFO;
  if (path === '/api')
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  const groups = groupVersions().filter((gv) => gv.group !== '');
  const groupDoc = (g: { group: string; version: string }) => {
    const v = { groupVersion: `${g.group}/${g.version}`, version: g.version };
    return { name: g.group, versions: [v], preferredVersion: v };
  };
  if (path === '/apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupDoc) };
  if (path === '/api/v1') return apiResourceList('', 'v1');
  const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  const g = m && groups.find((x) => x.group === m[1] && (m[2] === undefined || x.version === m[2]));
  if (!g || !m) return undefined;
  return m[2] === undefined
    ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g) }
    : apiResourceList(g.group, g.version);
}
