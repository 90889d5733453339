import { temporal, google } from '@temporalio/proto';
import type * as protobuf from 'protobufjs';

/**
 * Codecs come from @temporalio/proto, which is generated from the same .proto files the SDK ships
 * (sdk-core/crates/protos/protos); loading its prebuilt root is much faster than parsing .proto text
 * at every start, which matters because tests spawn the server many times.
 */
export { temporal, google };
/**
 * The generated interfaces type int64 fields as Long; this server decodes them as numbers (see
 * TO_OBJECT) and protobufjs encodes numbers for them, so the server works with this plain view.
 */
export type P<T> = T extends Long
  ? number
  : T extends Uint8Array
    ? T
    : T extends (infer U)[]
      ? P<U>[]
      : T extends object
        ? { [K in keyof T]: P<T[K]> }
        : T;
type Long = import('long');
export type HistoryEvent = P<temporal.api.history.v1.IHistoryEvent>;
export type Payloads = P<temporal.api.common.v1.IPayloads>;
export type Payload = P<temporal.api.common.v1.IPayload>;
export type Failure = P<temporal.api.failure.v1.IFailure>;
export type Timestamp = P<google.protobuf.ITimestamp>;
export type Duration = P<google.protobuf.IDuration>;

export const EventType = temporal.api.enums.v1.EventType;
export const CommandType = temporal.api.enums.v1.CommandType;
export const Status = temporal.api.enums.v1.WorkflowExecutionStatus;

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number };

export function encodeEvents(events: HistoryEvent[]): Buffer {
  return Buffer.from(temporal.api.history.v1.History.encode({ events } as temporal.api.history.v1.IHistory).finish());
}

export function decodeEvents(data: Uint8Array): HistoryEvent[] {
  const History = temporal.api.history.v1.History;
  return (History.toObject(History.decode(data), TO_OBJECT) as P<temporal.api.history.v1.IHistory>).events ?? [];
}

/** Packs a message into google.protobuf.Any; the root uses the field name `type_url`. */
export function packAny(typeName: string, value: Uint8Array): google.protobuf.IAny {
  return { type_url: `type.googleapis.com/${typeName}`, value } as google.protobuf.IAny;
}

export function anyTypeName(any: google.protobuf.IAny | null | undefined): string {
  const url = (any as { type_url?: string; typeUrl?: string } | null | undefined)?.type_url ?? (any as { typeUrl?: string })?.typeUrl ?? '';
  return url.slice(url.lastIndexOf('/') + 1);
}

interface Codec<T> {
  encode(m: T): { finish(): Uint8Array };
  decode(b: Uint8Array): unknown;
  toObject(m: never, o: protobuf.IConversionOptions): object;
}

/** Encodes a plain (number-long) message with a generated codec. */
export function encodePlain<T>(type: Codec<T>, message: P<T>): Uint8Array {
  return type.encode(message as unknown as T).finish();
}

/** Decodes to a plain object with number longs. */
export function decodePlain<T>(type: Codec<T>, bytes: Uint8Array): P<T> {
  return type.toObject(type.decode(bytes) as never, TO_OBJECT) as P<T>;
}
