/**
 * `grpc.health.v1` (https://github.com/grpc/grpc/blob/master/doc/health-checking.md) as a protobuf.js JSON
 * descriptor for `@grpc/proto-loader`'s `fromJSON`: embedded rather than a .proto file, so it is found
 * from `dist/` exactly as from `src/`. Plain data: both the CogRPC probe and its stand-in use it.
 */
export const HEALTH_PROTO_JSON = {
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                HealthCheckResponse: {
                  fields: { status: { type: 'ServingStatus', id: 1 } },
                  nested: { ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } } },
                },
                Health: {
                  methods: {
                    Check: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse' },
                    Watch: {
                      requestType: 'HealthCheckRequest',
                      responseType: 'HealthCheckResponse',
                      responseStream: true,
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

/** The service name CogRPC registers with its health service. */
export const COGRPC_SERVICE = 'relaynet.cogrpc.CargoRelay';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

/** proto-loader options both sides use: enums as their names. */
export const HEALTH_LOADER_OPTIONS = { keepCase: true, enums: String, defaults: true } as const;
