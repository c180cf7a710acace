/**
 * `grpc.health.v1` (https://github.com/grpc/grpc/blob/master/src/proto/grpc/health/v1/health.proto) as a
 * protobuf.js JSON descriptor for `@grpc/proto-loader`'s `fromJSON`, written from the public proto: the
 * stand-in does not share gwctl's copy, so the two sides cannot agree on a mistake.
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

export const HEALTH_LOADER_OPTIONS = { keepCase: true, enums: String, defaults: true } as const;
