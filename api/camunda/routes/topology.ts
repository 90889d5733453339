/** GET /v2/topology: one node, one partition, as a client that checks the cluster expects to see. */
import { ok } from '../../route-definition';
import type { CamundaRoute } from '../camunda-route';

/** The Camunda API version these routes follow (Orchestration Cluster API 8.8). */
export const GATEWAY_VERSION = '8.8.0';

export const topologyRoutes: CamundaRoute[] = [
  {
    method: 'get',
    path: '/topology',
    summary: 'Read the cluster topology',
    access: 'signedIn',
    handler: async (_input, ctx) => {
      const host = ctx.req.hostname || '127.0.0.1';
      const port = Number(ctx.req.socket.localPort ?? 0);
      return ok({
        brokers: [
          {
            nodeId: 0,
            host,
            port,
            partitions: [{ partitionId: 1, role: 'leader', health: ctx.deps.engine ? 'healthy' : 'unhealthy' }],
            version: GATEWAY_VERSION,
          },
        ],
        clusterSize: 1,
        partitionsCount: 1,
        replicationFactor: 1,
        gatewayVersion: GATEWAY_VERSION,
        lastCompletedChangeId: '-1',
      });
    },
  },
];
