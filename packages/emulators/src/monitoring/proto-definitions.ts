import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { fromJSON, type Options } from '@grpc/proto-loader';
import protobuf from 'protobufjs';

type Services = Record<string, { service: grpc.ServiceDefinition }>;

let json: protobuf.INamespace | undefined;
/** The client library's bundled protobuf definitions (data only; its code is not loaded here). */
function protosJson(): protobuf.INamespace {
  if (!json) {
    const require = createRequire(import.meta.url);
    json = JSON.parse(readFileSync(require.resolve('@google-cloud/monitoring/build/protos/protos.json'), 'utf8'));
  }
  return json!;
}

/**
 * The `google.monitoring.v3` services. `sparse` loads messages as the wire has them (unset fields absent, so a
 * stored resource holds exactly what was sent), which the configuration services need; the metric service
 * reads requests with defaults filled in.
 */
export function monitoringServices(sparse: boolean): Services {
  const options: Options = sparse
    ? { keepCase: false, longs: String, enums: String, defaults: false, oneofs: false }
    : { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true };
  const pkg = grpc.loadPackageDefinition(fromJSON(protosJson(), options)) as unknown as {
    google: { monitoring: { v3: Services } };
  };
  return pkg.google.monitoring.v3;
}

let root: protobuf.Root | undefined;
/** A message type, to check field mask paths against the real schema. */
export function messageType(name: string): protobuf.Type {
  root ??= protobuf.Root.fromJSON(protosJson());
  return root.lookupType(name);
}
