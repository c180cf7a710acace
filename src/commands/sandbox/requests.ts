import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../base-command.js';
import { sandboxDir } from '../../lib/sandbox/paths.js';
import { readSandboxRequests } from '../../lib/sandbox/requests.js';
import { SANDBOX_SERVICES } from '../../lib/sandbox/faults-flag.js';
import { parseSince } from '../../lib/ui/duration.js';

export default class SandboxRequests extends GwctlCommand<typeof SandboxRequests> {
  static override flags = {
    service: Flags.string({ description: 'only this service', options: [...SANDBOX_SERVICES] }),
    since: Flags.string({ description: 'only requests after TIME (ISO 8601) or within a duration (e.g. 10m)' }),
    mutating: Flags.boolean({
      description: 'only requests that could change state (not GET/HEAD, nor gRPC Get*/List* calls)',
      default: false,
    }),
  };

  async run() {
    const since = this.flags.since ? parseSince(this.flags.since) : undefined;
    const { service, mutating } = this.flags;
    const requests = readSandboxRequests(sandboxDir(), { service, since, mutating });
    this.ui.table(requests, [
      { header: 'time', get: (r) => r.time },
      { header: 'service', get: (r) => r.service },
      { header: 'method', get: (r) => r.method },
      { header: 'status', get: (r) => (r.fault ? `${r.status} (injected ${r.fault})` : r.status) },
      { header: 'path', get: (r) => (r.path.length > 100 ? `${r.path.slice(0, 97)}...` : r.path) },
    ]);
    return { requests };
  }
}
