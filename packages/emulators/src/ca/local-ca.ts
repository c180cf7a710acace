import { generate } from 'selfsigned';

/** PEM material for a local certificate authority and one server certificate it signed. */
export interface LocalCa {
  /** The CA certificate clients trust (what `env.endpoints.caFile` points at). */
  caPem: string;
  caKeyPem: string;
  /** Server certificate for `127.0.0.1` and `localhost`, and its key. */
  certPem: string;
  keyPem: string;
}

const DAY_MS = 86_400_000;

/**
 * Makes a throwaway CA and a server certificate for 127.0.0.1/localhost, so stand-ins speak real TLS
 * and clients verify them through a CA file exactly as they would a private CA in production.
 */
export async function createLocalCa(options: { validDays?: number } = {}): Promise<LocalCa> {
  const notBeforeDate = new Date(Date.now() - DAY_MS); // tolerate small clock skew between processes
  const notAfterDate = new Date(Date.now() + (options.validDays ?? 30) * DAY_MS);
  const ca = await generate([{ name: 'commonName', value: 'gwctl local CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { caPem: ca.cert, caKeyPem: ca.private, certPem: server.cert, keyPem: server.private };
}
