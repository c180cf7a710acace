import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../base-command.js';
import { diagnose } from '../../lib/diagnose/diagnosis.js';
import { PROBE_NAMES, type ProbeName } from '../../lib/diagnose/probe-outcome.js';
import { renderReport } from '../../lib/diagnose/render-report.js';
import { parseSlo } from '../../lib/diagnose/slo.js';
import { ExitCode, UsageError } from '../../lib/errors/gwctl-error.js';
import { parseDuration } from '../../lib/ui/duration.js';

const duration = (flag: string) =>
  Flags.custom<number>({
    parse: async (input) => {
      const ms = parseDuration(input);
      if (ms === undefined || ms <= 0)
        throw new UsageError(`--${flag}: "${input}" is not a duration; use e.g. 45s, 2m, 1h`);
      return ms;
    },
  });

const rate = Flags.custom<number>({
  parse: async (input) => {
    const n = Number(input);
    if (!(n > 0)) throw new UsageError(`--rate: "${input}" is not a positive number of requests per second`);
    return n;
  },
});

export default class DiagnoseParcels extends GwctlCommand<typeof DiagnoseParcels> {
  static override flags = {
    requests: Flags.integer({
      description: 'requests per HTTP target (GET / and POST /v1/parcels)',
      default: 10,
      min: 1,
    }),
    rate: rate({
      description: 'start this many requests per second, whether earlier ones finished or not',
      exclusive: ['concurrency'],
    }),
    concurrency: Flags.integer({
      description: 'keep this many requests in flight (default 1: one after another)',
      min: 1,
      exclusive: ['rate'],
    }),
    timeout: duration('timeout')({
      description: "give up on a request after this long (just above the LB's default 30 s backend timeout)",
      default: 31_000,
      defaultHelp: async () => '31s',
    }),
    hold: duration('hold')({
      description: 'how long to hold the parcel collection websocket open',
      default: 45_000,
      defaultHelp: async () => '45s',
    }),
    since: duration('since')({
      description: 'how far back to read load balancer metrics',
      default: 3_600_000,
      defaultHelp: async () => '1h',
    }),
    slo: Flags.string({
      description:
        'objective for parcel delivery time: p50|p90|p99|max=<duration>, e.g. p99=1s; repeatable; exit 4 when breached',
      multiple: true,
    }),
    skip: Flags.string({ description: 'probes not to run', options: [...PROBE_NAMES], multiple: true, delimiter: ',' }),
  };

  async run() {
    const env = this.environment();
    const slo = parseSlo(this.flags.slo ?? []);
    const progress = await this.progress('diagnosing', 1);
    const report = await diagnose(env, {
      requests: this.flags.requests,
      rate: this.flags.rate,
      concurrency: this.flags.concurrency,
      requestTimeoutMs: this.flags.timeout,
      holdMs: this.flags.hold,
      sinceMs: this.flags.since,
      skip: new Set((this.flags.skip ?? []) as ProbeName[]),
      slo,
      progress,
    }).finally(() => progress.stop());
    this.ui.info(renderReport(report, this.ui.color));
    if (report.exitCode === ExitCode.sloBreach) this.exitWithBreach();
    else process.exitCode = report.exitCode;
    return report;
  }
}
