import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Environment } from '../config/schema.js';
import { UsageError } from '../errors/gwctl-error.js';
import { PROTECTION_VARIABLE, readVarSetting, setVarSetting, varFileFormat } from './tfvars.js';

/** What the environment's Terraform var file says about destroy protection. */
export interface TerraformState {
  /** Absolute path, or undefined when gwctl.yaml names no `terraform.varFile`. */
  file?: string;
  exists: boolean;
  /** undefined: the file does not set the variable. */
  value?: boolean;
  line?: number;
}

/**
 * The var file's absolute path. A relative `terraform.varFile` is relative to the gwctl.yaml that
 * names it (as `audit.file` is), so the config means the same thing from any directory.
 */
export function varFilePath(env: Environment): string | undefined {
  const file = env.terraform?.varFile;
  if (!file) return undefined;
  if (isAbsolute(file)) return file;
  const base = isAbsolute(env.source) && existsSync(env.source) ? dirname(env.source) : process.cwd();
  return resolve(base, file);
}

export function readTerraformState(env: Environment): TerraformState {
  const file = varFilePath(env);
  if (!file) return { exists: false };
  if (!existsSync(file)) return { file, exists: false };
  const setting = readVarSetting(readFileSync(file, 'utf8'), varFileFormat(file), file);
  return {
    file,
    exists: true,
    ...(setting.value !== undefined ? { value: setting.value } : {}),
    ...(setting.line ? { line: setting.line } : {}),
  };
}

/** Sets `prevent_destruction` in place, atomically (a crash leaves the old file or the new one, never half). */
export function writeTerraformProtection(file: string, value: boolean): void {
  if (!existsSync(file))
    throw new UsageError(`${file}: the Terraform var file does not exist; check terraform.varFile in gwctl.yaml`);
  const before = readFileSync(file, 'utf8');
  const after = setVarSetting(before, varFileFormat(file), value, file);
  if (after === before) return;
  const tmp = `${file}.gwctl-tmp`;
  writeFileSync(tmp, after);
  renameSync(tmp, file);
}

/** What the operator must do for the change to reach Terraform: gwctl never runs it. */
export function terraformFollowUp(file: string, value: boolean): string[] {
  return [
    `commit ${file} (${PROTECTION_VARIABLE} = ${value}) to the infrastructure repository`,
    `in the environment's Terraform root module: terraform apply -var-file=${file}`,
  ];
}
