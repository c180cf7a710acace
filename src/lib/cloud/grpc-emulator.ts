import { splitHostPort } from './monitoring.js';

/**
 * Options of a Google gRPC client (gax) for an emulator at `host:port` (`emulators.<field>`): insecure gRPC, no
 * credentials. universeDomain is given up front: otherwise the auth library probes for credentials it does not need.
 */
export async function grpcEmulatorOptions(address: string, field: string, projectId: string) {
  const grpc = await import('@grpc/grpc-js');
  const { host, port } = splitHostPort(address, field);
  return {
    servicePath: host,
    apiEndpoint: host,
    port,
    sslCreds: grpc.credentials.createInsecure(),
    projectId,
    universeDomain: 'googleapis.com',
  };
}
