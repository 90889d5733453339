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
  return historyBytes(events.map(encodeEvent));
}

export function encodeEvent(event: HistoryEvent): Uint8Array {
  return temporal.api.history.v1.HistoryEvent.encode(event as temporal.api.history.v1.IHistoryEvent).finish();
}

/** A History message (repeated HistoryEvent events = 1) from already-encoded events. */
export function historyBytes(encodedEvents: Uint8Array[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const e of encodedEvents) parts.push(fieldHeader(1, e.length), e);
  return Buffer.concat(parts);
}

/** Tag and length of a length-delimited field (wire type 2). */
export function fieldHeader(fieldId: number, length: number): Buffer {
  const bytes: number[] = [];
  for (let v = (fieldId << 3) | 2; ; v >>>= 7) {
    if (v < 0x80) {
      bytes.push(v);
      break;
    }
    bytes.push((v & 0x7f) | 0x80);
  }
  for (let v = length; ; v = Math.floor(v / 128)) {
    if (v < 0x80) {
      bytes.push(v);
      break;
    }
    bytes.push((v & 0x7f) | 0x80);
  }
  return Buffer.from(bytes);
}

/**
 * A response with one length-delimited field supplied as encoded bytes: the `history` of a task
 * (events are encoded once and cached, see Execution.encodedEvent) or an eager workflow task.
 * Protobuf allows a field after the others, so the handler encodes `message` and appends the field.
 */
export class WithEncodedField {
  constructor(
    readonly message: object,
    readonly fieldId: number,
    readonly bytes: Buffer,
  ) {}

  encode(encodeRest: (message: object) => Uint8Array): Buffer {
    return Buffer.concat([encodeRest(this.message), fieldHeader(this.fieldId, this.bytes.length), this.bytes]);
  }
}

/** Number of a field (by default `history`) of a response type (from the .proto reflection in @temporalio/proto). */
export function fieldNumber(type: unknown, field = 'history'): number {
  const id = (type as { fields?: Record<string, { id: number }> }).fields?.[field]?.id;
  if (typeof id !== 'number') throw new Error(`response type has no ${field} field`);
  return id;
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
  const url =
    (any as { type_url?: string; typeUrl?: string } | null | undefined)?.type_url ??
    (any as { typeUrl?: string })?.typeUrl ??
    '';
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
