// Where a secret URI (MongoDB's) comes from: the name of a variable or the path of a file, never the URI itself,
// so that gwctl.yaml can be committed and printed. Shared by the schema, `env show` and the code that reads the URI.

/** A POSIX shell variable name, as `export NAME=…` accepts it. */
export const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Whether a value meant as a variable name or a file path is or holds a URI: a leading `scheme:`, a `scheme://`
 * anywhere (`./mongodb://…`), or a path segment shaped like credentials (`admin:pw@db:27017`, with the scheme
 * lost). A path may hold an `@` (systemd's `unit@instance`) or a `:`, just not both in one segment.
 */
export function looksLikeUri(value: string): boolean {
  return /^[a-z][a-z0-9+.-]+:|[a-z0-9+.-]:\/\/|(^|\/)[^/]*:[^/]*@/i.test(value);
}

export function uriInConfigMessage(field: 'uriEnv' | 'uriFile'): string {
  return field === 'uriEnv'
    ? "holds what looks like a URI, not the name of an environment variable (value not shown); the URI never goes in gwctl.yaml: export it as a variable and put the variable's name here"
    : "holds what looks like a URI, not a file path (value not shown); the URI never goes in gwctl.yaml: write it to a file only you can read (chmod 600) and put that file's path here";
}
