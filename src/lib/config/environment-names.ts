/** The built-in environment: the local sandbox's emulators, never Google. */
export const SANDBOX_ENV = 'sandbox';

/** What every command says, with exit 2, when asked for `--env sandbox` while no sandbox runs. */
export const SANDBOX_NOT_RUNNING = 'the sandbox is not running: start it with `gwctl sandbox start`';

/** What an environment may be called: it ends up in bucket names, Kubernetes labels and file names. */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,62}$/;
export const ENVIRONMENT_NAME_RULE = 'a lowercase letter (a-z), then up to 62 lowercase letters, digits or "-"';
