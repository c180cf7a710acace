/** Why a connection failed, in one line an operator can act on. */
export function describeNetworkError(err: unknown, target: string): string {
  const e = err as NodeJS.ErrnoException & { reason?: string };
  const code = e?.code ?? '';
  const detail = e?.message ?? String(err);
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${target}: DNS lookup failed (${code}); check the hostname in gwctl.yaml`;
    case 'ECONNREFUSED':
      return `${target}: connection refused; is the endpoint up and the port right?`;
    case 'ETIMEDOUT':
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return `${target}: unreachable (${code}); check the address and any firewall`;
    case 'ECONNRESET':
      return `${target}: connection reset by the server or a proxy`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_SIGNATURE_FAILURE':
      return `${target}: TLS certificate not trusted (${code}); set endpoints.caFile to the CA that signed it`;
    case 'CERT_HAS_EXPIRED':
      return `${target}: TLS certificate has expired; renew it`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `${target}: TLS certificate does not cover this hostname (${e.reason ?? detail})`;
    default:
      return `${target}: ${code ? `${code}: ` : ''}${detail}`;
  }
}

/** Errors that mean no request can succeed: stop probing rather than repeat the same failure N times. */
export function isConnectionLevel(code: string | undefined): boolean {
  return /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|EHOSTUNREACH|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|CERT_|ERR_TLS_|ERR_SSL_|EPROTO)/.test(
    code ?? '',
  );
}
