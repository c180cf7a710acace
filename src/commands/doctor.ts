import { Flags } from '@oclif/core';
import { GwctlCommand } from '../base-command.js';
import { openDoctorProbes } from '../lib/cloud/doctor-probes.js';
import { runChecks } from '../lib/doctor/check.js';
import { doctorChecks } from '../lib/doctor/checks.js';
import { renderDoctorReport } from '../lib/doctor/render.js';
import { ExitCode } from '../lib/errors/gwctl-error.js';

export default class Doctor extends GwctlCommand<typeof Doctor> {
  static override flags = {
    wide: Flags.boolean({ description: 'also show what each check calls and the answer it expects', default: false }),
  };

  async run() {
    const env = this.environment();
    const probes = openDoctorProbes(env);
    const checks = await runChecks(doctorChecks(env, probes)).finally(() => probes.close());
    renderDoctorReport(this.ui, env.name, checks, { wide: this.flags.wide });
    const ok = checks.every((c) => c.status !== 'fail');
    if (!ok) process.exitCode = ExitCode.runtime;
    return { env: env.name, project: env.project, ok, checks };
  }
}
