import { GwctlCommand } from '../base-command.js';

export default class Version extends GwctlCommand<typeof Version> {
  async run() {
    const { version, arch, platform } = this.config;
    const result = { version, node: process.versions.node, platform, arch };
    // What `gwctl --version` prints, and oclif's user agent: one string to quote in a bug report.
    this.ui.info(this.config.userAgent);
    return result;
  }
}
