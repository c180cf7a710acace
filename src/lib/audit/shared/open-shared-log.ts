import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../errors/gwctl-error.js';
import { cosignatureVerifierFromKey, formatKeyId, noteVerifierFromKey, parseVerifierKey } from '../../tlog/index.js';
import type { AuditLine } from '../lines.js';
import type { RunProgress } from '../run-progress.js';
import { localLogDir, type SharedLogConfig } from './log-config.js';
import type { LogStore } from './log-store.js';
import { SeenCheckpointFile } from './seen-file.js';
import { SharedAuditSink } from './shared-sink.js';
import { CHECKPOINT, SharedLog } from './shared-log.js';
import { createKeyFile, readKeyFile, remoteLogKey, type LogKey, type RemoteEd25519 } from './signers.js';
import { SEQ_DIR } from './batches.js';

/** What the shared log needs from the cloud layer, injected so this core module imports no SDK. */
export interface SharedLogDeps {
  store: LogStore;
  /** Opens a Cloud KMS Ed25519 key version (getPublicKey, then asymmetricSign per checkpoint). */
  kms: (keyVersion: string) => Promise<RemoteEd25519>;
}

export interface OpenSharedLogOptions {
  /** Create the key file if the log is new and has none (appends); reads never create one. */
  create?: boolean;
  /** Verify with this key (`<name>+<id>+<key>`) instead of the configured signer's: a third party's check. */
  verifierKey?: string;
  progress?: RunProgress;
}

export interface OpenedSharedLog {
  config: SharedLogConfig;
  key: LogKey;
  log: SharedLog;
  sink: SharedAuditSink;
  seen: SeenCheckpointFile;
}

/** The environment's shared log, its key and this machine's record of it, ready to append to or verify. */
export async function openSharedLog(
  config: SharedLogConfig,
  deps: SharedLogDeps,
  opts: OpenSharedLogOptions = {},
): Promise<OpenedSharedLog> {
  const key = opts.verifierKey ? verifierOnly(opts.verifierKey, config) : await logKey(config, deps, opts);
  const { keyId } = parseVerifierKey(key.verifierKey);
  const seen = new SeenCheckpointFile(localLogDir(config.origin, formatKeyId(keyId)));
  const log = new SharedLog({
    store: deps.store,
    origin: config.origin,
    verifier: key.verifier,
    signer: key.signer,
    seen,
  });
  const witnesses = config.witnesses.map((w, i) => {
    try {
      return cosignatureVerifierFromKey(w);
    } catch (err) {
      throw new UsageError(`audit.witnesses[${i}] of ${config.env}: ${(err as Error).message}`);
    }
  });
  const sink = new SharedAuditSink(log, {
    localRuns: () => localRuns(opts.progress, deps.store.location),
    // Loaded when a command reads the whole log, not on every append.
    verify: async () =>
      (await import('./verify-log.js')).verifySharedLog({
        store: deps.store,
        origin: config.origin,
        verifier: key.verifier,
        witnesses,
        ...(seen.load() ? { seen: seen.load()! } : {}),
      }),
  });
  return { config, key, log, sink, seen };
}

/**
 * The log's key. A key file is created only for a log that has nothing in it yet: for an existing log, a
 * machine without the team's key must not start signing with a key of its own. A Cloud KMS key's public half
 * is cached per key version (it never changes), so only signing calls KMS.
 */
async function logKey(config: SharedLogConfig, deps: SharedLogDeps, opts: OpenSharedLogOptions): Promise<LogKey> {
  const s = config.signer;
  if (s.kind === 'kms') {
    const cache = join(localLogDir(config.origin, 'kms'), `${s.keyVersion.replace(/\//g, '_')}.pub`);
    let remote: Promise<RemoteEd25519> | undefined;
    const open = () => (remote ??= deps.kms(s.keyVersion));
    let publicKey: Uint8Array | undefined;
    try {
      publicKey = Buffer.from(readFileSync(cache, 'utf8').trim(), 'base64');
      if (publicKey.length !== 32) publicKey = undefined;
    } catch {
      // First use on this machine.
    }
    if (!publicKey) {
      publicKey = (await open()).publicKey;
      mkdirSync(join(cache, '..'), { recursive: true, mode: 0o700 });
      writeFileSync(cache, `${Buffer.from(publicKey).toString('base64')}\n`);
    }
    const known = publicKey;
    return remoteLogKey(config.origin, {
      publicKey: known,
      describe: `Cloud KMS ${s.keyVersion}`,
      sign: async (m) => {
        const r = await open();
        if (Buffer.compare(Buffer.from(r.publicKey), Buffer.from(known)) !== 0)
          throw new UsageError(`Cloud KMS ${s.keyVersion} no longer has the public key this machine cached (${cache})`);
        return r.sign(m);
      },
    });
  }
  const existing = readKeyFile(s.keyFile, config.origin);
  if (existing) return existing;
  if (opts.create) {
    const [checkpoint, sequenced] = await Promise.all([deps.store.get(CHECKPOINT), deps.store.list(SEQ_DIR)]);
    if (!checkpoint && sequenced.length === 0) return createKeyFile(s.keyFile, config.origin);
    const { signatureNames } = await import('./verify-log.js');
    const signers = checkpoint ? signatureNames(Buffer.from(checkpoint.data).toString('utf8')).join(', ') : '';
    throw new UsageError(
      `${config.url} already holds an audit log${signers ? ` signed by ${signers}` : ''}, and its key file ${s.keyFile} is not on this machine: copy the team's key there (0600), or set audit.signer in gwctl.yaml; nothing was changed`,
    );
  }
  throw new UsageError(
    `no audit signing key at ${s.keyFile} for ${config.url}: copy the team's key there, or check the log with --key <verifier key> (gwctl audit key prints it)`,
  );
}

function verifierOnly(vkey: string, config: SharedLogConfig): LogKey {
  let verifier;
  try {
    verifier = noteVerifierFromKey(vkey);
  } catch (err) {
    throw new UsageError(`--key: ${(err as Error).message}`);
  }
  if (verifier.name !== config.origin)
    throw new UsageError(`--key is for "${verifier.name}", but the log's origin is "${config.origin}"`);
  return {
    verifierKey: vkey,
    verifier,
    signer: () => Promise.reject(new UsageError('a log opened with --key is read-only')),
    describe: `verifier key ${vkey}`,
  };
}

/** This machine's changes still open on this log, from their progress files (kept while each run lasts). */
function localRuns(progress: RunProgress | undefined, location: string): AuditLine[] {
  const host = hostname();
  return (progress?.list?.() ?? []).flatMap((s) =>
    s.intent && s.log === location && s.intent.process.host === host
      ? [{ line: s.intent.seq, text: '', record: s.intent }]
      : [],
  );
}
