import type { CallSignal } from '../call-signal';
import { Metadata, status } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type * as protobuf from 'protobufjs';
import { ApiError } from '../errors';
import { WithEncodedField, temporal } from '../proto';
import type { Attachment, GrpcStatus, RpcHandler, ServiceName } from './bind';

export type Handler = (req: never, abort: CallSignal) => Promise<object>;

const SERVICES: Record<ServiceName, protobuf.Service> = {
  workflow: temporal.api.workflowservice.v1.WorkflowService as unknown as protobuf.Service,
  operator: temporal.api.operatorservice.v1.OperatorService as unknown as protobuf.Service,
  test: temporal.api.testservice.v1.TestService as unknown as protobuf.Service,
};

type Codec = {
  encode(m: object): { finish(): Uint8Array };
  decode(b: Uint8Array): object;
  toObject(m: object, o: protobuf.IConversionOptions): object;
};

/** Codecs from @temporalio/proto (generated from the same .proto files): requests become plain objects with number longs. */
export function attachment(logger: Logger, handlers: Attachment['handlers']): Attachment {
  const cache = new Map<string, { req: Codec; res: Codec }>();
  const codecs = (service: ServiceName, method: string) => {
    const key = `${service}/${method}`;
    let c = cache.get(key);
    if (!c) {
      const m = SERVICES[service].methods[method];
      m.resolve();
      c = { req: m.resolvedRequestType as unknown as Codec, res: m.resolvedResponseType as unknown as Codec };
      cache.set(key, c);
    }
    return c;
  };
  return {
    handlers,
    decode: (service, method, bytes) => {
      const { req } = codecs(service, method);
      return req.toObject(req.decode(bytes), { longs: Number });
    },
    encode: (service, method, message) => {
      const { res } = codecs(service, method);
      if (message instanceof WithEncodedField) return message.encode((m) => res.encode(m).finish());
      // protobufjs returns a Buffer under node; only another Uint8Array needs wrapping (not copying).
      const bytes = res.encode(message).finish();
      return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    toStatus: (err, method): GrpcStatus => {
      if (err instanceof ApiError) {
        const metadata = new Metadata();
        const bin = err.statusDetailsBin();
        if (bin) metadata.set('grpc-status-details-bin', bin);
        return { code: err.code, details: err.message, metadata };
      }
      logger.error({ err, rpc: method }, 'request failed');
      return { code: status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
    },
  };
}

export function handlers(map: Record<string, Handler>): Record<string, RpcHandler> {
  return map as unknown as Record<string, RpcHandler>;
}
