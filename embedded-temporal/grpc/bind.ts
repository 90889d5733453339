import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  Metadata,
  Server,
  ServerCredentials,
  ServerInterceptingCall,
  status,
  type ServerInterceptor,
  type ServerUnaryCall,
  type sendUnaryData,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';

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
  workflow: [
    'api_upstream/temporal/api/workflowservice/v1/service.proto',
    'temporal.api.workflowservice.v1.WorkflowService',
  ],
  operator: [
    'api_upstream/temporal/api/operatorservice/v1/service.proto',
    'temporal.api.operatorservice.v1.OperatorService',
  ],
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
  // Workers then send their build id as a version stamp, which WorkflowTaskCompleted records.
  buildIdBasedVersioning: 6,
  upsertMemo: 7,
  sdkMetadata: 9,
  countGroupByExecutionStatus: 10,
};
export const SERVER_VERSION = '1.24.0';

export function systemInfoBytes(): Buffer {
  const caps = Buffer.from(Object.values(SYSTEM_INFO_CAPABILITY_FIELDS).flatMap((field) => [field << 3, 1]));
  const version = Buffer.from(SERVER_VERSION);
  return Buffer.concat([
    Buffer.from([(1 << 3) | 2, version.length]),
    version,
    Buffer.from([(2 << 3) | 2, caps.length]),
    caps,
  ]);
}

const identity = (b: Buffer) => b;
const NEVER_ABORTED = new AbortController().signal;
/** Abort reason for a call the client cancelled (a prepared value: the default reason is a costly DOMException). */
const CANCELLED = new Error('the client cancelled the call');

/**
 * Asks SDK-core clients to send uncompressed requests. Core 1.24 gzips every request by default
 * and, when GetSystemInfo comes back UNIMPLEMENTED naming grpc-encoding, reconnects without
 * compression (as the gRPC spec allows a server that does not take an encoding). On loopback,
 * inflating every small request cost more server CPU than anything else the server does per
 * call. Other calls still accept gzip, for clients that do not fall back.
 */
const declineCompressedSystemInfo: ServerInterceptor = (method, call) => {
  const encoding = (call as unknown as { incomingEncoding?: unknown }).incomingEncoding;
  if (!method.path.endsWith('/GetSystemInfo') || typeof encoding !== 'string' || encoding === 'identity')
    return new ServerInterceptingCall(call);
  return new ServerInterceptingCall(call, {
    start: (next) =>
      next({
        // The request is answered here and never reaches the handler.
        onReceiveMessage: () =>
          call.sendStatus({
            code: status.UNIMPLEMENTED,
            details: `grpc-encoding "${encoding}" is not accepted by this server; send requests uncompressed`,
            metadata: new Metadata(),
          }),
      }),
  });
};

/**
 * Binds the port before the engine is loaded: the SDK gives a spawned server five seconds to
 * answer, so the listener (and GetSystemInfo) come first; other calls wait for attach().
 */
export async function bindGrpcServer(host: string, port: number, withTestService: boolean): Promise<BoundServer> {
  // channelz (grpc-js's per-call statistics service) is not served, so its accounting is switched off.
  const server = new Server({
    interceptors: [declineCompressedSystemInfo],
    'grpc.enable_channelz': 0,
    'grpc.max_receive_message_length': 128 * 1024 * 1024,
    'grpc.max_send_message_length': 128 * 1024 * 1024,
  });
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
        // grpc-js reports 'cancelled' after every call, answered or not: only a call still
        // running is aborted, and only handlers that take the signal (long polls) get one.
        let finished = false;
        let ac: AbortController | undefined;
        call.on('cancelled', () => {
          if (!finished) ac?.abort(CANCELLED);
        });
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
          let signal = NEVER_ABORTED;
          if (handler.length >= 2) {
            ac = new AbortController();
            if (call.cancelled) ac.abort(CANCELLED);
            signal = ac.signal;
          }
          handler(request, signal)
            .finally(() => (finished = true))
            .then(
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
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    );
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
