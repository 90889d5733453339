/**
 * The standard gRPC health service (grpc.health.v1.Health: Check and Watch), as a real Temporal
 * frontend serves it, so load balancers, Kubernetes' gRPC probes and grpc_health_probe can ask
 * the embedded server. The overall status ("") and each served service are NOT_SERVING while the
 * listener waits for the engine (storage, recovery), SERVING once it answers calls, and
 * NOT_SERVING again when it stops; a Watch hears each change, and is ended when the server stops.
 * Served on the server's HTTP/2 streams (grpc/bind.ts routes the paths here): Check as a unary
 * call, Watch as a server-streaming one.
 */
import type * as http2 from 'node:http2';
import { gunzipSync, inflateSync } from 'node:zlib';
import { status } from '@grpc/grpc-js';
import { grpc } from '@temporalio/proto';

const { HealthCheckRequest, HealthCheckResponse } = grpc.health.v1;
const { SERVING, NOT_SERVING, SERVICE_UNKNOWN } = HealthCheckResponse.ServingStatus;
type ServingStatus = grpc.health.v1.HealthCheckResponse.ServingStatus;

export const HEALTH_PATH_PREFIX = '/grpc.health.v1.Health/';
const MAX_REQUEST_BYTES = 64 * 1024;
const RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/grpc+proto' };

/** A length-prefixed gRPC message holding one HealthCheckResponse. */
function frameStatus(s: ServingStatus): Buffer {
  const message = Buffer.from(HealthCheckResponse.encode({ status: s }).finish());
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

function requestedService(body: Buffer, encoding: string | undefined): string {
  if (body.length < 5 || body.length !== 5 + body.readUInt32BE(1)) throw new Error('expected one gRPC message');
  let message = body.subarray(5);
  if (body[0] !== 0) message = encoding === 'deflate' ? inflateSync(message) : gunzipSync(message);
  return HealthCheckRequest.decode(message).service ?? '';
}

/** A status other than OK, as a trailers-only response. */
function refuse(stream: http2.ServerHttp2Stream, code: status, details: string): void {
  if (stream.destroyed || stream.closed) return;
  stream.respond(
    { ...RESPONSE_HEADERS, 'grpc-status': String(code), 'grpc-message': encodeURI(details) },
    { endStream: true },
  );
}

export interface HealthService {
  /** Answers a call whose path starts with HEALTH_PATH_PREFIX. */
  handle(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void;
  /** SERVING from now on (the engine answers calls). */
  serving(): void;
  /** NOT_SERVING, told to every watcher, whose streams then end (the server is stopping). */
  stopping(): void;
}

/** The health service for the overall status and the named services. */
export function healthService(services: readonly string[]): HealthService {
  const known = new Set(['', ...services]);
  let current: ServingStatus = NOT_SERVING;
  let ended = false;
  const watchers = new Set<http2.ServerHttp2Stream>();
  /** Watches of an unknown service: told nothing more, ended when the server stops. */
  const unknownWatchers = new Set<http2.ServerHttp2Stream>();

  const endWatch = (stream: http2.ServerHttp2Stream) => {
    watchers.delete(stream);
    if (!stream.destroyed && !stream.closed) stream.end();
  };

  const answer = (stream: http2.ServerHttp2Stream, method: string, service: string) => {
    if (method === 'Check') {
      if (!known.has(service)) return refuse(stream, status.NOT_FOUND, `unknown service "${service}"`);
      stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(frameStatus(current));
      return;
    }
    // Watch: the status now, then each change; an unknown service is told so and the call stays open, as the protocol asks.
    stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    if (!known.has(service)) {
      stream.write(frameStatus(SERVICE_UNKNOWN));
      if (ended) return endWatch(stream);
      unknownWatchers.add(stream);
      stream.on('close', () => unknownWatchers.delete(stream));
      return;
    }
    stream.write(frameStatus(current));
    if (ended) return endWatch(stream);
    watchers.add(stream);
    stream.on('close', () => watchers.delete(stream));
  };

  const change = (next: ServingStatus) => {
    if (next === current) return;
    current = next;
    for (const stream of watchers) if (!stream.destroyed && !stream.closed) stream.write(frameStatus(next));
  };

  return {
    handle(stream, headers) {
      stream.on('error', () => undefined);
      const method = String(headers[':path'] ?? '').slice(HEALTH_PATH_PREFIX.length);
      if (method !== 'Check' && method !== 'Watch')
        return refuse(stream, status.UNIMPLEMENTED, `The server does not implement the method ${headers[':path']}`);
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (size > MAX_REQUEST_BYTES) return refuse(stream, status.RESOURCE_EXHAUSTED, 'the request is too large');
        let service: string;
        try {
          service = requestedService(Buffer.concat(chunks), headers['grpc-encoding'] as string | undefined);
        } catch (err) {
          return refuse(stream, status.INVALID_ARGUMENT, `cannot decode HealthCheckRequest: ${String(err)}`);
        }
        answer(stream, method, service);
      });
    },
    serving: () => change(SERVING),
    stopping: () => {
      change(NOT_SERVING);
      ended = true;
      for (const stream of [...watchers, ...unknownWatchers]) endWatch(stream);
      unknownWatchers.clear();
    },
  };
}
