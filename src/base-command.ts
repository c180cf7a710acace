import { Command, Flags, type Interfaces } from '@oclif/core';
import type { OpenedSharedLog, OpenSharedLogOptions } from './lib/audit/shared/open-shared-log.js';
import type { RunProgress } from './lib/audit/run-progress.js';
import type { AuditSink } from './lib/audit/sink.js';
import type { RunContext } from './lib/audit/write-ahead.js';
import { noConfig, resolveEnvironment, type LoadedConfig } from './lib/config/environments.js';
import { locateConfig } from './lib/config/locate.js';
import { applyOverrides } from './lib/config/overrides.js';
import type { Environment } from './lib/config/schema.js';
import { ExitCode } from './lib/errors/gwctl-error.js';
import { sandboxEnvironment } from './lib/sandbox/environment.js';
import type { MutationOptions, MutationOutcome } from './lib/plan/mutation.js';
import type { Plan } from './lib/plan/plan.js';
import { commandHelpText } from './lib/ui/help-text.js';
import { startProgress, type Progress } from './lib/ui/progress.js';
import { terminalPrompter, type Prompter } from './lib/ui/prompter.js';
import { Ui } from './lib/ui/ui.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof GwctlCommand)['baseFlags'] & T['flags']
>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/** Flags of every command that changes something. */
export const mutatingFlags = {
  'dry-run': Flags.boolean({ description: 'show the plan and stop; nothing is changed', default: false }),
  yes: Flags.boolean({
    char: 'y',
    description: 'do not ask for confirmation (required when not interactive)',
    default: false,
  }),
};

/** Flags of destructive commands: the typed confirmation, given up front for scripts. */
export const destructiveFlags = {
  ...mutatingFlags,
  confirm: Flags.string({
    description: 'the environment name, typed to confirm a destructive change (with --yes for scripts)',
  }),
};

/** The JSON envelope of every command (the Salesforce CLI's): `status` is the exit code. */
export interface JsonSuccess<R = unknown> {
  status: number;
  result: R;
  warnings: string[];
}

export interface JsonFailure {
  status: number;
  name: string;
  message: string;
  exitCode: number;
  actions?: string[];
  warnings: string[];
}

/**
 * The base of every gwctl command: `--env`, `--config`, the per-run overrides (`--project`, `--context`,
 * `--kubeconfig`, `--impersonate-service-account`), `--json` (one envelope, data alone on stdout), results on
 * stdout and everything else on stderr, one-line errors with documented exit codes, and the plan → confirm →
 * apply → audit path. Help text comes from `messages/<topic>.<verb>.md` (see ./lib/ui/help-text.ts).
 */
export abstract class GwctlCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    env: Flags.string({
      char: 'e',
      description: 'environment from gwctl.yaml, or "sandbox"',
      helpGroup: 'GLOBAL',
      env: 'GWCTL_ENV',
    }),
    config: Flags.string({
      description: 'path to gwctl.yaml (default: $GWCTL_CONFIG, else the nearest one up from here)',
      helpGroup: 'GLOBAL',
    }),
    project: Flags.string({
      description: "Google Cloud project for this run, instead of the environment's",
      helpGroup: 'GLOBAL',
    }),
    context: Flags.string({
      description: "kubeconfig context for this run, instead of the environment's kube.context",
      helpGroup: 'GLOBAL',
    }),
    kubeconfig: Flags.string({
      description: 'kubeconfig file for this run (default: kube.kubeconfig, else $KUBECONFIG or ~/.kube/config)',
      helpGroup: 'GLOBAL',
    }),
    'impersonate-service-account': Flags.string({
      description: 'act as this service account in Google calls (a chain a,b,target acts as its last), as gcloud',
      helpGroup: 'GLOBAL',
      env: 'CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT',
    }),
    color: Flags.boolean({
      description: 'colour the output (default: on a terminal, unless NO_COLOR is set); --no-color turns it off',
      helpGroup: 'GLOBAL',
      allowNo: true,
    }),
  };

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  protected ui = new Ui();
  /** Overridable by tests. */
  protected prompter: Prompter = terminalPrompter;
  private loaded?: LoadedConfig;
  /** Set by init(): the gwctl.yaml parser (yaml and zod) when there is a file. */
  private configLoader: () => LoadedConfig = noConfig;

  override async init(): Promise<void> {
    await super.init();
    const { flags, args } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (this.ctor as typeof GwctlCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
    // Under --json the human rendering moves to stderr: stdout carries the JSON envelope alone.
    this.ui = new Ui(this.jsonEnabled() ? process.stderr : process.stdout, process.stderr, {
      color: this.flags.color,
    });
    // One setting for everything that acts as someone: Google clients, the audit record's operator, and
    // processes gwctl starts (gcloud, gke-gcloud-auth-plugin), which read gcloud's own variable.
    const impersonate = this.flags['impersonate-service-account'];
    if (impersonate) process.env.CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT = impersonate;
    // Startup time: yaml and zod are loaded only when there is a gwctl.yaml (it is parsed later, on first
    // use, so a command that reads no config still ignores a broken file).
    const file = locateConfig(this.flags.config);
    if (file) {
      const { openConfig } = await import('./lib/config/open.js');
      this.configLoader = await openConfig(file);
    }
  }

  protected get config_(): LoadedConfig {
    this.loaded ??= this.configLoader();
    return this.loaded;
  }

  /** The environment named by --env (or the given name), validated, with this run's overrides; `sandbox` always exists. */
  protected environment(name: string | undefined = this.flags.env): Environment {
    return applyOverrides(resolveEnvironment(this.config_, name, sandboxEnvironment), {
      project: this.flags.project,
      context: this.flags.context,
      kubeconfig: this.flags.kubeconfig,
      impersonateServiceAccount: this.flags['impersonate-service-account'],
    });
  }

  /**
   * Where a change to `envName` is recorded: the environment's shared log (`audit.log` in gwctl.yaml; its key
   * file is created on first use of a new log), else the local file. An environment that cannot be resolved
   * (`sandbox reset` of a stopped sandbox, no --env) has no shared log: a command that needs the environment
   * itself fails on it before changing anything.
   */
  protected async auditLog(envName: string | undefined = this.flags.env): Promise<AuditSink> {
    const shared = await this.sharedAuditLog(envName, { create: true }, 'none');
    if (shared) return shared.sink;
    const [{ FileAuditSink }, { auditLogPath }] = await Promise.all([
      import('./lib/audit/file-sink.js'),
      import('./lib/audit/location.js'),
    ]);
    return new FileAuditSink(auditLogPath(this.config_));
  }

  /**
   * The environment's shared audit log, or undefined when it has none configured, or when no environment is
   * named and none is the default (the local file log then).
   */
  protected async sharedAuditLog(
    envName: string | undefined = this.flags.env,
    opts: Omit<OpenSharedLogOptions, 'progress'> = {},
    unresolvable: 'throw' | 'none' = envName === undefined ? 'none' : 'throw',
  ): Promise<OpenedSharedLog | undefined> {
    let env: Environment;
    try {
      env = this.environment(envName);
    } catch (err) {
      if (unresolvable === 'none') return undefined;
      throw err;
    }
    const { sharedLogConfig } = await import('./lib/audit/shared/log-config.js');
    const config = sharedLogConfig(env);
    if (!config) return undefined;
    const [{ openSharedLog }, { sharedLogDeps }] = await Promise.all([
      import('./lib/audit/shared/open-shared-log.js'),
      import('./lib/cloud/shared-log-deps.js'),
    ]);
    return openSharedLog(config, sharedLogDeps(env, config), { ...opts, progress: await this.runProgress() });
  }

  /** Where running changes keep their steps done, for the reconciliation of one that is killed. */
  protected async runProgress(): Promise<RunProgress> {
    const [{ FileRunProgress }, { runProgressDir }] = await Promise.all([
      import('./lib/audit/run-progress.js'),
      import('./lib/audit/location.js'),
    ]);
    return new FileRunProgress(runProgressDir());
  }

  protected get interactive(): boolean {
    return Boolean(process.stdin.isTTY && process.stderr.isTTY);
  }

  protected progress(label: string, total: number): Promise<Progress> {
    return startProgress(label, total, { quiet: this.jsonEnabled() });
  }

  /**
   * A change whose first write comes before its plan can be made (backup create's intent object):
   * its audit intent, naming what was asked, is recorded before `body` runs, and its outcome after;
   * `body` plans and calls `mutate(…, { within: ctx })`.
   */
  protected async audited<R>(
    request: { command: string; env: string; summary: string; steps: number; asked: unknown },
    body: (ctx: RunContext) => Promise<R>,
    details?: (result: R) => unknown,
  ): Promise<R> {
    const [{ runWriteAhead }, { operatorIdentity }, { requestDigest }] = await Promise.all([
      import('./lib/audit/write-ahead.js'),
      import('./lib/audit/operator.js'),
      import('./lib/plan/plan.js'),
    ]);
    const { asked, ...intent } = request;
    const { LazyAuditSink } = await import('./lib/audit/lazy-sink.js');
    return runWriteAhead({
      sink: new LazyAuditSink(() => this.auditLog(request.env)),
      progress: await this.runProgress(),
      intent: { ...intent, operator: operatorIdentity(), planDigest: requestDigest({ ...intent, asked }) },
      apply: body,
      ...(details ? { details } : {}),
      warn: (m) => this.ui.warn(m),
    });
  }

  /** Plan → print → confirm → audit intent → apply → audit outcome, with this command's --dry-run/--yes/--confirm. */
  protected async mutate<R, P extends Plan = Plan>(
    plan: P,
    apply: MutationOptions<R, P>['apply'],
    extra: Partial<Pick<MutationOptions<R, P>, 'auditDetails' | 'render' | 'within'>> = {},
  ): Promise<MutationOutcome<R, P>> {
    const f = this.flags as Record<string, unknown>;
    const [{ runMutation }, { LazyAuditSink }] = await Promise.all([
      import('./lib/plan/mutation.js'),
      import('./lib/audit/lazy-sink.js'),
    ]);
    return runMutation({
      plan,
      apply,
      dryRun: Boolean(f['dry-run']),
      yes: Boolean(f.yes),
      confirm: f.confirm as string | undefined,
      interactive: this.interactive,
      ui: this.ui,
      prompter: this.prompter,
      audit: new LazyAuditSink(() => this.auditLog(plan.env)),
      progress: await this.runProgress(),
      ...extra,
    });
  }

  /** `{status, result, warnings}`: status is the exit code the command ends with (3 drift, 4 breach, …). */
  protected override toSuccessJson(result: unknown): JsonSuccess {
    return { status: Number(process.exitCode ?? 0), result, warnings: this.ui.warnings };
  }

  /** One line on stderr (and the JSON envelope on stdout under --json); the stack only with GWCTL_DEBUG=1, redacted too. */
  override async catch(err: Error & { exitCode?: number }): Promise<void> {
    const { renderError, renderStack } = await import('./lib/errors/render.js');
    const { name, message, exitCode, actions } = renderError(err);
    process.exitCode = exitCode;
    if (this.jsonEnabled()) {
      const failure: JsonFailure = {
        status: exitCode,
        name,
        message,
        exitCode,
        ...(actions ? { actions } : {}),
        warnings: this.ui.warnings,
      };
      this.logJson(failure);
    }
    this.ui.error(message);
    for (const action of actions ?? []) this.ui.note(`  next: ${action}`);
    if (process.env.GWCTL_DEBUG === '1') this.ui.note(renderStack(err));
  }

  /** For checks that found a breach (e.g. an SLO): the result is printed, then the process exits 4. */
  protected exitWithBreach(): void {
    process.exitCode = ExitCode.sloBreach;
  }
}

// Every command's summary, description and examples come from its messages/<topic>.<verb>.md. oclif names a
// command class by setting its `id` as it loads it; that is when the text is attached, as getters, so the file
// is read when oclif builds the manifest (or renders help without one), and never when a command just runs.
Object.defineProperty(GwctlCommand, 'id', {
  configurable: true,
  get: () => undefined,
  set(this: typeof GwctlCommand, id: string) {
    Object.defineProperty(this, 'id', { value: id, writable: true, enumerable: true, configurable: true });
    for (const key of ['summary', 'description', 'examples'] as const)
      Object.defineProperty(this, key, { enumerable: true, configurable: true, get: () => commandHelpText(id)[key] });
  },
});
