import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';

export interface Listener {
  address: string;
  port: number;
}

const TCP_LISTEN = '0A';

/**
 * Every TCP socket process `pid` listens on, read from /proc as `ss -ltnp` does (Linux only): the listening
 * rows of /proc/<pid>/net/tcp{,6} (proc(5)) whose inode is one of the process's open file descriptors.
 */
export function listeningSockets(pid = process.pid): Listener[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed while we looked
    }
  }
  const out: Listener[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const row of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').trim().split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      const [hexAddress, hexPort] = cols[1]!.split(':');
      if (cols[3] !== TCP_LISTEN || !inodes.has(cols[9]!)) continue;
      out.push({ address: decodeAddress(hexAddress!), port: parseInt(hexPort!, 16) });
    }
  }
  return out;
}

/** 127.0.0.0/8, ::1, or 127.x mapped into IPv6. */
export const isLoopback = (address: string) => /^(127\.|::1$|::ffff:127\.)/.test(address);

/** /proc prints addresses as 32-bit words in host (little-endian) byte order. */
function decodeAddress(hex: string): string {
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) =>
    (word.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)),
  );
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff)
    return `::ffff:${bytes.slice(12).join('.')}`;
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  return `:${groups.join(':')}:`.replace(/(:0)+:/, '::').replace(/^:(?!:)|(?<!:):$/g, '');
}

/** This host's addresses other than loopback: how the rest of the network would reach it. */
export function networkAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && !i.internal)
    .map((i) => i!.address);
}

/** Whether a TCP connection to host:port is accepted. */
export function acceptsConnections(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}
