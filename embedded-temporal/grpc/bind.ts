import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { status, type Metadata } from '@grpc/grpc-js';
import { HEALTH_PATH_PREFIX, healthService, type HealthService } from './health-service';
import { CallCancellation, NEVER_CANCELLED, type CallSignal } from '../call-signal';

export type ServiceName = 'workflow' | 'operator' | 'test';
export type RpcHandler = (request: object, abort: CallSignal) => Promise<object>;

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
  server: UnaryServer;
  port: number;
  /** The grpc.health.v1 status: SERVING once attached; told when the server stops. */
  health: HealthService;
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

const MAX_MESSAGE_BYTES = 128 * 1024 * 1024;
const {
  HTTP2_HEADER_STATUS,
  HTTP2_HEADER_CONTENT_TYPE,
  HTTP2_HEADER_PATH,
  HTTP_STATUS_OK,
  HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE,
} = http2.constants;
/** Response headers: never compressed (no grpc-encoding: identity is implied); gzip and deflate requests are read. */
const RESPONSE_HEADERS = {
  [HTTP2_HEADER_STATUS]: HTTP_STATUS_OK,
  [HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc+proto',
  'grpc-accept-encoding': 'identity,deflate,gzip',
};
const RESPONSE_OPTIONS = { waitForTrailers: true };
const OK_TRAILERS = { 'grpc-status': '0' };

/** One unary method the server routes: which service and method a request path names. */
interface Route {
  service: ServiceName;
  method: string;
}

/** A length-prefixed gRPC message (flag byte, big-endian length, bytes). */
function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

/** The one message of a unary request body, inflated when the client compressed it. */
function unaryMessage(body: Buffer, encoding: string | undefined): Buffer {
  if (body.length < 5) throw new GrpcCallError(status.INTERNAL, 'the request holds no complete gRPC message');
  const length = body.readUInt32BE(1);
  if (length > MAX_MESSAGE_BYTES)
    throw new GrpcCallError(
      status.RESOURCE_EXHAUSTED,
      `Received message larger than max (${length} vs. ${MAX_MESSAGE_BYTES})`,
    );
  if (body.length !== 5 + length)
    throw new GrpcCallError(status.INTERNAL, 'a unary request must hold exactly one gRPC message');
  const message = body.subarray(5);
  if (body[0] === 0) return message;
  if (encoding === 'gzip') return gunzipSync(message);
  if (encoding === 'deflate') return inflateSync(message);
  throw new GrpcCallError(status.UNIMPLEMENTED, `Received message compressed with unsupported encoding "${encoding}"`);
}

class GrpcCallError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/** Trailers of a status other than OK, with its metadata (grpc-status-details-bin) as grpc-js sent them. */
function statusTrailers(s: GrpcStatus): http2.OutgoingHttpHeaders {
  const trailers: http2.OutgoingHttpHeaders = { 'grpc-status': String(s.code), 'grpc-message': encodeURI(s.details) };
  if (s.metadata) Object.assign(trailers, s.metadata.toHttp2Headers());
  return trailers;
}

/** What every call needs from its server: routes, the engine's handlers once attached, calls waiting for them. */
interface Router {
  readonly routes: Map<string, Route>;
  readonly waiting: (() => void)[];
  readonly systemInfo: Buffer;
  readonly attached: Attachment | undefined;
}

/**
 * One unary call on its HTTP/2 stream. Written as a class (methods, and listeners that are
 * anonymous arrows) because the server runs under tsx, which names every function bound to a
 * variable with a defineProperty call each time it is created: per-call closures cost that per call.
 */
class UnaryCall {
  private finished = false;
  private cancellation: CallCancellation | undefined;
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly router: Router,
    private readonly stream: http2.ServerHttp2Stream,
    private readonly headers: http2.IncomingHttpHeaders,
  ) {}

  start(): void {
    const stream = this.stream;
    // A reset stream emits 'error'; the call is then over and nothing is left to answer.
    stream.on('error', () => undefined);
    const contentType = this.headers[HTTP2_HEADER_CONTENT_TYPE];
    if (typeof contentType !== 'string' || !contentType.startsWith('application/grpc')) {
      this.finished = true;
      stream.respond({ [HTTP2_HEADER_STATUS]: HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE }, { endStream: true });
      return;
    }
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => this.onEnd());
    // Only a call still running is aborted, and only handlers that take the signal (long polls) get one.
    stream.on('close', () => {
      if (this.finished) return;
      this.finished = true;
      this.cancellation?.abort();
    });
  }

  private onData(chunk: Buffer): void {
    if (this.finished) return;
    this.size += chunk.length;
    if (this.size > MAX_MESSAGE_BYTES + 5) {
      this.fail({
        code: status.RESOURCE_EXHAUSTED,
        details: `Received message larger than max (${this.size - 5} vs. ${MAX_MESSAGE_BYTES})`,
      });
      return;
    }
    this.chunks.push(chunk);
  }

  private onEnd(): void {
    if (this.finished) return;
    const path = String(this.headers[HTTP2_HEADER_PATH] ?? '');
    const route = this.router.routes.get(path);
    if (!route) {
      this.fail({ code: status.UNIMPLEMENTED, details: `The server does not implement the method ${path}` });
      return;
    }
    const encoding = this.headers['grpc-encoding'] as string | undefined;
    // SDK core 1.24 gzips every request by default and, when GetSystemInfo comes back
    // UNIMPLEMENTED naming grpc-encoding, reconnects without compression (as the gRPC spec
    // allows a server that does not take an encoding). On loopback, inflating every small
    // request cost more server CPU than anything else the server does per call. Other calls
    // still accept gzip, for clients that do not fall back.
    if (route.method === 'GetSystemInfo' && encoding !== undefined && encoding !== 'identity') {
      this.fail({
        code: status.UNIMPLEMENTED,
        details: `grpc-encoding "${encoding}" is not accepted by this server; send requests uncompressed`,
      });
      return;
    }
    let request: Buffer;
    try {
      request = unaryMessage(this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks), encoding);
    } catch (err) {
      this.fail(
        err instanceof GrpcCallError
          ? { code: err.code, details: err.message }
          : { code: status.INTERNAL, details: String(err) },
      );
      return;
    }
    if (this.router.attached) this.run(route, request);
    else if (route.service === 'workflow' && route.method === 'GetSystemInfo') this.answer(this.router.systemInfo);
    else this.router.waiting.push(() => this.run(route, request));
  }

  private run({ service, method }: Route, request: Buffer): void {
    if (this.finished) return;
    const a = this.router.attached!;
    const handler = a.handlers[service]?.[method];
    if (!handler) {
      this.fail({ code: status.UNIMPLEMENTED, details: `${method} is not implemented by this server` });
      return;
    }
    let decoded: object;
    try {
      decoded = a.decode(service, method, request);
    } catch (err) {
      this.fail({ code: status.INVALID_ARGUMENT, details: `cannot decode ${method} request: ${String(err)}` });
      return;
    }
    let signal = NEVER_CANCELLED;
    if (handler.length >= 2) {
      const cancellation = new CallCancellation();
      if (this.stream.destroyed || this.stream.closed) cancellation.abort();
      this.cancellation = cancellation;
      signal = cancellation;
    }
    handler(decoded, signal).then(
      (res) => this.answer(a.encode(service, method, res)),
      (err: unknown) => this.fail(a.toStatus(err, method)),
    );
  }

  private answer(bytes: Buffer): void {
    this.finished = true;
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    stream.respond(RESPONSE_HEADERS, RESPONSE_OPTIONS);
    stream.once('wantTrailers', () => stream.sendTrailers(OK_TRAILERS));
    stream.end(frame(bytes));
  }

  /** A status other than OK, as a trailers-only response (as grpc-js sent it). */
  private fail(s: GrpcStatus): void {
    this.finished = true;
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    stream.respond(
      {
        ...statusTrailers(s),
        [HTTP2_HEADER_STATUS]: HTTP_STATUS_OK,
        [HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc+proto',
      },
      { endStream: true },
    );
  }
}

/** The gRPC server on node:http2: unary calls only, routed by path; a small stand-in for grpc-js's Server. */
export interface UnaryServer {
  /** Stops accepting connections, lets calls in flight finish (GOAWAY), then calls back. */
  tryShutdown(callback: () => void): void;
  /** Closes every connection at once (calls in flight are reset). */
  forceShutdown(): void;
}

export async function bindGrpcServer(host: string, port: number, withTestService: boolean): Promise<BoundServer> {
  let attached: Attachment | undefined;
  const waiting: (() => void)[] = [];
  const systemInfo = systemInfoBytes();
  const routes = new Map<string, Route>();
  for (const name of Object.keys(SERVICES) as ServiceName[]) {
    if (name === 'test' && !withTestService) continue;
    const [file, path] = SERVICES[name];
    for (const method of methodNames(file)) routes.set(`/${path}/${method}`, { service: name, method });
  }

  const router: Router = {
    routes,
    waiting,
    systemInfo,
    get attached() {
      return attached;
    },
  };
  const health = healthService(
    (Object.keys(SERVICES) as ServiceName[]).filter((n) => n !== 'test' || withTestService).map((n) => SERVICES[n][1]),
  );
  const onStream = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void => {
    if (String(headers[HTTP2_HEADER_PATH]).startsWith(HEALTH_PATH_PREFIX)) health.handle(stream, headers);
    else new UnaryCall(router, stream, headers).start();
  };

  const server = http2.createServer({
    // As grpc-js: no limit on buffered output (large histories) nor on response header size.
    maxSessionMemory: Number.MAX_SAFE_INTEGER,
    maxSendHeaderBlockLength: Number.MAX_SAFE_INTEGER,
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('error', () => undefined);
    session.on('close', () => sessions.delete(session));
  });
  server.on('sessionError', () => undefined);
  server.on('stream', onStream);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const unary: UnaryServer = {
    tryShutdown(callback) {
      server.close(() => callback());
      for (const session of sessions) session.close();
    },
    forceShutdown() {
      server.close();
      for (const session of sessions) session.destroy();
    },
  };
  return {
    server: unary,
    port: bound,
    health,
    attach(next) {
      attached = next;
      for (const run of waiting.splice(0)) run();
      health.serving();
    },
  };
}
