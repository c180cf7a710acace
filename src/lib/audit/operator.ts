import { existsSync, readFileSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * Who is acting, as best known without loading an SDK: the ADC service account or gcloud account,
 * the kube user, and the OS user on this host. Read from files only; never tokens.
 */
export function operatorIdentity(env = process.env): string {
  const parts: string[] = [];
  const adc = adcIdentity(env);
  if (adc) parts.push(`gcp:${adc}`);
  const kube = kubeUser(env);
  if (kube) parts.push(`kube:${kube}`);
  parts.push(`os:${safeUser()}@${hostname()}`);
  return parts.join(' ');
}

function adcIdentity(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (file && existsSync(file)) {
    const creds = readJson(file) as { client_email?: string; type?: string } | undefined;
    if (creds?.client_email) return creds.client_email;
  }
  const gcloudDir = env.CLOUDSDK_CONFIG ?? join(homedir(), '.config', 'gcloud');
  const active = readText(join(gcloudDir, 'active_config'))?.trim() || 'default';
  const config = readText(join(gcloudDir, 'configurations', `config_${active}`));
  return config?.match(/^\s*account\s*=\s*(\S+)/m)?.[1];
}

function kubeUser(env: NodeJS.ProcessEnv): string | undefined {
  const file = (env.KUBECONFIG ?? join(homedir(), '.kube', 'config')).split(':')[0]!;
  const text = readText(file);
  if (!text) return undefined;
  const context = text.match(/^current-context:\s*"?([^"\n]+)"?/m)?.[1];
  if (!context) return undefined;
  // A light scan: the context block names its user; parsing YAML fully is not worth a dependency load here.
  const block = text
    .split(/\n- /)
    .find((b) => new RegExp(`name:\\s*"?${escapeRegExp(context)}"?\\s*$`, 'm').test(b) && /context:/.test(b));
  return block?.match(/user:\s*"?([^"\n]+)"?/)?.[1]?.trim();
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
