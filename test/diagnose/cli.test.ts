import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf, runGwctl, tempDir } from '../helpers/cli.js';
import { startGateway, type Gateway } from './fixtures.js';

let gateway: Gateway;
let dir: string;

beforeAll(async () => {
  gateway = await startGateway({
    poweb: { lb: { backendTimeoutMs: 1500 } },
    cogrpc: { coldStartMs: 800, scaleToZero: true },
  });
  dir = tempDir('gwctl-diagnose-cli-');
  const s = gateway.standIns;
  writeFileSync(
    join(dir, 'gwctl.yaml'),
    [
      'environments:',
      '  emu:',
      `    project: ${s.lb.projectId}`,
      '    endpoints:',
      `      poweb: ${s.poweb}`,
      `      cogrpc: ${s.cogrpc}`,
      `      caFile: ${gateway.caFile}`,
      '    monitoring:',
      `      urlMaps: [${s.lb.urlMap}]`,
      '    emulators:',
      `      monitoring: ${s.monitoring}`,
      '',
    ].join('\n'),
  );
});
afterAll(() => gateway.close());

const diagnose = (...args: string[]) =>
  runGwctl(['diagnose', 'parcels', '--env', 'emu', '--requests', '2', '--hold', '2500ms', '--timeout', '5s', ...args], {
    cwd: dir,
  });

describe('gwctl diagnose parcels', () => {
  it('prints the report and the findings with their fix on stderr, every sample as JSON on stdout', async () => {
    const { code, stdout, stderr } = await diagnose('--json');
    expect(code).toBe(0);
    const report = resultOf({ stdout });
    expect(report.probes.http.result.samples).toHaveLength(4);
    expect(report.findings.map((f: { code: string }) => f.code).sort()).toEqual([
      'cogrpc-cold-start',
      'websocket-cut-by-lb',
    ]);
    expect(stderr).toContain('PHASE (DONE AT)');
    expect(stderr).toMatch(/✗ websocket closed by the load balancer after 1\.\d s/);
    expect(stderr).toContain('fix: raise the BackendConfig `timeoutSec`');
  });

  it('exits 4 on a breached --slo, so cron and CI notice', async () => {
    const { code, stdout } = await diagnose('--skip', 'websocket,cogrpc,monitoring', '--slo', 'p99=1ms');
    expect(code).toBe(4);
    expect(stdout).toMatch(/✗ p99=1ms: measured \d/);
    expect(stdout).toContain('SLO breached');
  });

  it('exits 2 on a malformed --slo before measuring anything', async () => {
    const { code, stderr } = await diagnose('--slo', 'p99=fast');
    expect(code).toBe(2);
    expect(stderr).toContain('--slo p99=fast: "fast" is not a duration');
  });
});
