import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Metadata, Server, ServerCredentials, status, type ServerUnaryCall, type sendUnaryData, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';

export type ServiceName = 'workflow' | 'operator' | 'test';
export type RpcHandler = (request: object, abort: AbortSignal) => Promise<object>;

export interface GrpcStatus {
  code: status;
  details: string;
  metadata?: Metadata;
}

/** What the engine supplies once loaded: handlers on plain objects plus the codecs and error mapping. */
export interface Attachment {
  handlers: Partial<Record<ServiceName, Record<string, RpcHandler>>>;
  decode(service: ServiceName, method: string, bytes: Buffer): object;
  encode(service: ServiceName, method: string, message: object): Buffer;
  toStatus(err: unknown, method: string): GrpcStatus;
}

export interface BoundServer {
  server: Server;
  port: number;
  /** Installs the real handlers; calls that arrived before are answered now. */
  attach(attachment: Attachment): void;
}

const PROTOS = 'sdk-core/crates/protos/protos';
const SERVICES: Record<ServiceName, [file: string, path: string]> = {
  workflow: ['api_upstream/temporal/api/workflowservice/v1/service.proto', 'temporal.api.workflowservice.v1.WorkflowService'],
  operator: ['api_upstream/temporal/api/operatorservice/v1/service.proto', 'temporal.api.operatorservice.v1.OperatorService'],
  test: ['testsrv_upstream/temporal/api/testservice/v1/service.proto', 'temporal.api.testservice.v1.TestService'],
};

/** Method names straight from the .proto contract (a regex over the file is far cheaper than loading codecs). */
function methodNames(file: string): string[] {
  const root = dirname(require.resolve('@temporalio/core-bridge/package.json'));
  const text = readFileSync(join(root, PROTOS, file), 'utf8');
  return [...text.matchAll(/^\s*rpc\s+(\w+)\s*\(/gm)].map((m) => m[1]);
}

/** GetSystemInfoResponse{server_version, capabilities{...}} encoded by hand so it can be answered before codecs load. */
export const SYSTEM_INFO_CAPABILITY_FIELDS = {
  signalAndQueryHeader: 1,
  internalErrorDifferentiation: 2,
  activityFailureIncludeHeartbeat: 3,
  encodedFailureAttributes: 5,
  upsertMemo: 7,
  sdkMetadata: 9,
  countGroupByExecutionStatus: 10,
};
export const SERVER_VERSION = '1.24.0';

export function systemInfoBytes(): Buffer {
  const caps = Buffer.from(Object.values(SYSTEM_INFO_CAPABILITY_FIELDS).flatMap((field) => [field << 3, 1]));
  const version = Buffer.from(SERVER_VERSION);
  return Buffer.concat([Buffer.from([(1 << 3) | 2, version.length]), version, Buffer.from([(2 << 3) | 2, caps.length]), caps]);
}

const identity = (b: Buffer) => b;

/**
 * Binds the port before the engine is loaded: the SDK gives a spawned server five seconds to
 * answer, so the listener (and GetSystemInfo) come first; other calls wait for attach().
 */
export async function bindGrpcServer(host: string, port: number, withTestService: boolean): Promise<BoundServer> {
  const server = new Server({ 'grpc.max_receive_message_length': 128 * 1024 * 1024, 'grpc.max_send_message_length': 128 * 1024 * 1024 });
  let attached: Attachment | undefined;
  const waiting: (() => void)[] = [];
  const systemInfo = systemInfoBytes();
  for (const name of Object.keys(SERVICES) as ServiceName[]) {
    if (name === 'test' && !withTestService) continue;
    const [file, path] = SERVICES[name];
    const def: Record<string, ServiceDefinition[string]> = {};
    const proxy: UntypedServiceImplementation = {};
    for (const method of methodNames(file)) {
      def[method] = {
        path: `/${path}/${method}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
        originalName: method,
      };
      proxy[method] = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        const ac = new AbortController();
        call.on('cancelled', () => ac.abort());
        const run = () => {
          const a = attached!;
          const handler = a.handlers[name]?.[method];
          if (!handler) {
            callback({ code: status.UNIMPLEMENTED, details: `${method} is not implemented by this server` });
            return;
          }
          let request: object;
          try {
            request = a.decode(name, method, call.request);
          } catch (err) {
            callback({ code: status.INVALID_ARGUMENT, details: `cannot decode ${method} request: ${String(err)}` });
            return;
          }
          handler(request, ac.signal).then(
            (res) => callback(null, a.encode(name, method, res)),
            (err: unknown) => callback(a.toStatus(err, method)),
          );
        };
        if (attached) run();
        else if (name === 'workflow' && method === 'GetSystemInfo') callback(null, systemInfo);
        else waiting.push(run);
      };
    }
    server.addService(def, proxy);
  }
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    server,
    port: bound,
    attach(next) {
      attached = next;
      for (const run of waiting.splice(0)) run();
    },
  };
}
