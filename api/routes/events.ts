/**
 * Inbound events from other systems (maternity, PDS change notifications, other CHIS,
 * immunisation and screening systems, CP-IS, death notifications): POST /api/events/<kind>.
 *
 * Each request is validated (schema, then the facts it names: known child, known GP practice,
 * dates not in the future), stored once with the endpoint's own rows and its audit event in
 * one transaction, then published as its BPMN message with the event id as idempotency key.
 * A repeat (same `eventId`, or same content without one) answers 200 with the first event's
 * id and writes nothing; a new event answers 202. If the engine cannot be reached after the
 * event was stored, the answer is 503 naming the stored event: repeating the request
 * publishes it (and a relay in the running system publishes what nobody repeated). An API
 * without an engine at all answers 503 before writing anything.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { changeAddress, changeGpPractice, setSafeguardingAlert, ALERT_RANK } from '../../records/children/changes';
import {
  childIdOfNhsNumberOrSuperseded,
  childRowByNhsNumberOrSuperseded,
  type ChildDetails,
  type SafeguardingAlert,
} from '../../records/children/child-rows';
import { recordDeath } from '../../records/children/death';
import { recordAppointmentOutcome } from '../../records/appointments';
import { recordImmunisationNotified } from '../../records/immunisations/given';
import { loadScheduleFacts } from '../../records/immunisations/schedule-facts';
import { todayInLondon } from '../../core/uk-time';
import { evaluateSchedule, PRODUCT_CODES, productByCode, productBySnomed } from '../../schedule';
import { appointmentMessageName } from '../../schedule/contacts';
import {
  dedupeKeyOf,
  findInboundEventByKey,
  publicationOf,
  readInboundEvent,
  receiveInboundEvent,
  type InboundEvent,
  type InboundEventKind,
} from '../../records/inbound-events';
import { practiceByCode, routeByPostcode, type LocalityRouting } from '../../records/localities';
import { recordScreeningOutcome } from '../../records/screening/results';
import type { Db } from '../../records/sql';
import { ApiError, type FieldProblem } from '../api-error';
import { actorOf } from '../audit/audit-builder';
import { me, type RequestContext } from '../request-context';
import { defineRoute, ok, type Reply } from '../route-definition';
import {
  addressChangeBody,
  appointmentOutcomeBody,
  birthNotificationBody,
  childProtectionAlertBody,
  deathNotificationBody,
  gpChangeBody,
  immunisationBody,
  inboundTransferBody,
  screeningOutcomeBody,
} from './events-schemas';
import { deliverNow } from '../process-outbox';
import { engineOf } from './process-instances-engine';

/** What an endpoint worked out from a valid request, before anything is written. */
interface PreparedEvent {
  childId: string | null;
  routing?: LocalityRouting | Record<string, unknown>;
  messageName: string;
  variables: Record<string, unknown>;
  /** The endpoint's own rows, written in the event's transaction (after the event row, whose id it gets). */
  write?: (tx: Db, eventId: string) => Promise<Record<string, unknown> | void>;
}

// ---------------------------------------------------------------------------------------------
// Facts the requests name

type ChildFacts = ChildDetails;

async function childOrProblem(db: Db, nhsNumber: string): Promise<ChildFacts> {
  // An old number PDS superseded still finds the record (the processes that run under it get the message).
  const child = await childRowByNhsNumberOrSuperseded(db, nhsNumber);
  if (!child) throw unprocessable({ field: 'body.nhsNumber', message: 'no child record has this NHS number' });
  return child;
}

async function practiceOrProblem(db: Db, odsCode: string, field = 'body.gpPracticeCode'): Promise<void> {
  if (!(await practiceByCode(db, odsCode)))
    throw unprocessable({ field, message: `is not a known GP practice (${odsCode})` });
}

/** The product an immunisation event names: by code, by SNOMED CT code, or both when they agree. */
function productOrProblem(vaccine: string | undefined, snomedCode: string | undefined): string {
  const bySnomed = snomedCode !== undefined ? productBySnomed(snomedCode) : undefined;
  if (snomedCode !== undefined && !bySnomed)
    throw unprocessable({
      field: 'body.snomedCode',
      message: `is not a vaccine product or vaccination procedure code the schedule knows (${snomedCode}); send vaccine with a product code instead`,
    });
  if (vaccine !== undefined && !productByCode(vaccine))
    throw unprocessable({
      field: 'body.vaccine',
      message: `is not a vaccine product of the schedule (known: ${PRODUCT_CODES.join(', ')})`,
    });
  if (vaccine !== undefined && bySnomed && bySnomed.product.code !== vaccine)
    throw unprocessable({
      field: 'body.snomedCode',
      message: `names ${bySnomed.product.code}, not ${vaccine}`,
    });
  return vaccine ?? bySnomed!.product.code;
}

/** The dose codes of the child's schedule that an immunisation (not yet on record) fills. */
async function dosesFilledBy(
  db: Db,
  childId: string,
  given: { product: string; givenOn: string },
  asOf: string,
): Promise<string[]> {
  const facts = (await loadScheduleFacts(db, [childId])).get(childId);
  if (!facts) return [];
  const schedule = evaluateSchedule(
    { dateOfBirth: facts.dateOfBirth, sex: facts.sex },
    [...facts.immunisations, { ...given, ref: 'inbound' }],
    { asOf, graceDays: facts.graceDays },
  );
  return schedule.doses.filter((d) => d.given?.ref === 'inbound').map((d) => d.code);
}

function unprocessable(...problems: FieldProblem[]): ApiError {
  return ApiError.unprocessable(`The event cannot be accepted: ${problems.map((p) => p.field).join(', ')}`, problems);
}

/** Today in England: a birth just after midnight BST is dated the new day, which UTC still calls yesterday. */
function todayInEngland(now: Date): string {
  return todayInLondon(now.getTime());
}

/** Dates must not be in the future, nor (when given) before the child's birth. */
function checkDates(
  ctx: RequestContext,
  dates: Array<[field: string, value: string | undefined]>,
  notBefore?: string,
): void {
  const today = todayInEngland(ctx.now());
  const problems: FieldProblem[] = [];
  for (const [field, value] of dates) {
    if (value === undefined) continue;
    if (value > today) problems.push({ field, message: `must not be in the future (today is ${today})` });
    else if (notBefore !== undefined && value < notBefore)
      problems.push({ field, message: `must not be before the child's date of birth (${notBefore})` });
  }
  if (problems.length > 0)
    throw ApiError.badRequest(`The request is not valid: ${problems.map((p) => p.field).join(', ')}`, problems);
}

const addressOf = (c: ChildFacts) => ({
  lines: [c.addressLine1, c.addressLine2, c.town].filter((l): l is string => !!l),
  postcode: c.postcode,
});

// ---------------------------------------------------------------------------------------------
// Storing and publishing

/** JSON with sorted keys, so that the same content always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

async function publishOrUnavailable(
  ctx: RequestContext,
  event: Pick<InboundEvent, 'id'>,
): Promise<{ started: number; delivered: number } | null> {
  engineOf(ctx);
  const r = (await deliverNow(ctx, event.id))!;
  if (r.status === 'failed') {
    throw new ApiError(
      503,
      'Service Unavailable',
      `Event ${event.id} is stored, but the process engine could not be reached; repeat the request (it is idempotent)`,
    );
  }
  return r.status === 'delivered' ? r.result : null;
}

async function repeated(ctx: RequestContext, existing: InboundEvent, contentHash: string): Promise<Reply> {
  if (existing.contentHash !== contentHash) {
    throw ApiError.conflict(
      `eventId ${existing.sourceEventId} was already used for a different event (${existing.id})`,
    );
  }
  // A repeat is how a sender retries after a 503: publish now if the first attempt could not.
  if ((await publicationOf(ctx.deps.db, existing.id)).publishedAt === null) await publishOrUnavailable(ctx, existing);
  return ok({
    eventId: existing.id,
    status: 'duplicate',
    childId: existing.childId,
    messageName: existing.messageName,
    routing: existing.routing,
  });
}

async function acceptEvent(
  ctx: RequestContext,
  kind: InboundEventKind,
  body: { eventId?: string; nhsNumber: string },
  prepare: () => Promise<PreparedEvent>,
): Promise<Reply> {
  const { eventId, ...content } = body;
  const contentHash = createHash('sha256')
    .update(`${kind}\n${canonicalJson(content)}`)
    .digest('hex');
  const key = { sourceEventId: eventId ?? null, contentHash };
  const existing = await findInboundEventByKey(ctx.deps.db, kind, dedupeKeyOf(key));
  if (existing) return repeated(ctx, existing, contentHash);

  const prepared = await prepare();
  // An API without an engine (a read-only deployment) takes no events: 503 before anything is written.
  engineOf(ctx);
  const id = randomUUID();
  const received = await receiveInboundEvent(
    ctx.deps.db,
    actorOf(ctx),
    {
      id,
      kind,
      ...key,
      nhsNumber: body.nhsNumber,
      childId: prepared.childId,
      payload: content,
      routing: (prepared.routing ?? {}) as Record<string, unknown>,
      messageName: prepared.messageName,
      messageVariables: { ...prepared.variables, inboundEventId: id },
      receivedBy: me(ctx).id,
    },
    {
      detail: {
        sourceEventId: eventId ?? null,
        messageName: prepared.messageName,
        ...(prepared.routing ? { routing: prepared.routing } : {}),
      },
    },
    prepared.write,
  );
  // The same event, stored by a concurrent request.
  if (!received.stored) return repeated(ctx, received.first, contentHash);

  const published = await publishOrUnavailable(ctx, { id });
  return {
    status: 202,
    body: {
      eventId: id,
      status: 'accepted',
      childId: prepared.childId,
      messageName: prepared.messageName,
      routing: prepared.routing ?? {},
      processesStarted: published?.started ?? 0,
      instancesNotified: published?.delivered ?? 0,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The endpoints

const RESPONSES = {
  200: 'A repeat of an event already received: its first id; nothing new was written or started',
  202: 'Accepted: stored, written to the record and handed to the process engine',
};

type Body<S extends z.ZodType> = z.output<S>;

const eventIdParams = z.object({ id: z.uuid({ error: 'must be an event id returned by this API' }) }).strict();

export const eventRoutes = [
  defineRoute({
    method: 'post',
    path: '/events/birth-notifications',
    tag: 'events',
    summary: 'Notify a birth',
    access: 'events.submit',
    schemas: { body: birthNotificationBody },
    responses: {
      ...RESPONSES,
      202: 'Accepted: new-birth-registration starts (a child already on record is matched, never duplicated)',
    },
    handler: async ({ body }, ctx) =>
      acceptEvent(ctx, 'birth_notification', body, async () => {
        const db = ctx.deps.db;
        checkDates(ctx, [['body.dateOfBirth', body.dateOfBirth]]);
        if (body.mother.nhsNumber === body.nhsNumber)
          throw unprocessable({ field: 'body.mother.nhsNumber', message: "is the baby's own NHS number" });
        await practiceOrProblem(db, body.gpPracticeCode);
        const routing = await routeByPostcode(db, body.address.postcode, body.gpPracticeCode);
        const existing = (await childRowByNhsNumberOrSuperseded(db, body.nhsNumber))?.id ?? null;
        const { eventId: _omit, ...birth } = body as Body<typeof birthNotificationBody>;
        return {
          childId: existing,
          routing: { ...routing, existingRecord: existing !== null },
          messageName: 'birthNotified',
          variables: { birth, nhsNumber: body.nhsNumber },
        };
      }),
  }),
  defineRoute({
    method: 'post',
    path: '/events/address-changes',
    tag: 'events',
    summary: "Notify a change of a child's address",
    access: 'events.submit',
    schemas: { body: addressChangeBody },
    responses: {
      ...RESPONSES,
      202: 'Accepted: the address is updated and child-mover starts (it decides whether the child moved locality or left the region)',
    },
    handler: async ({ body }, ctx) =>
      acceptEvent(ctx, 'address_change', body, async () => {
        const db = ctx.deps.db;
        const child = await childOrProblem(db, body.nhsNumber);
        checkDates(ctx, [['body.effectiveFrom', body.effectiveFrom]], child.dateOfBirth);
        const routing = await routeByPostcode(db, body.address.postcode, child.gpPracticeOds);
        return {
          childId: child.id,
          routing,
          messageName: 'childAddressChanged',
          variables: {
            nhsNumber: body.nhsNumber,
            childId: child.id,
            address: body.address,
            previousAddress: addressOf(child),
            previousLocality: child.localityCode,
          },
          write: async (tx) => {
            // The responsible locality stays until the receiving locality accepts the transfer (child-mover).
            await changeAddress(tx, child.id, body.address);
            return { previousPostcode: child.postcode, postcode: body.address.postcode };
          },
        };
      }),
  }),
  defineRoute({
    method: 'post',
    path: '/events/gp-changes',
    tag: 'events',
    summary: "Notify a change of a child's GP practice",
    access: 'events.submit',
    schemas: { body: gpChangeBody },
    responses: { ...RESPONSES, 202: 'Accepted: the registered practice is updated and child-mover starts' },
    handler: async ({ body }, ctx) =>
      acceptEvent(ctx, 'gp_change', body, async () => {
        const db = ctx.deps.db;
        const child = await childOrProblem(db, body.nhsNumber);
        checkDates(ctx, [['body.effectiveFrom', body.effectiveFrom]], child.dateOfBirth);
        await practiceOrProblem(db, body.gpPracticeCode);
        return {
          childId: child.id,
          messageName: 'childGpChanged',
          variables: {
            nhsNumber: body.nhsNumber,
            childId: child.id,
            gpPracticeCode: body.gpPracticeCode,
            previousGpPracticeCode: child.gpPracticeOds,
          },
          write: async (tx) => {
            await changeGpPractice(tx, child.id, body.gpPracticeCode);
            return { previousGpPracticeCode: child.gpPracticeOds, gpPracticeCode: body.gpPracticeCode };
          },
        };
      }),
  }),
  defineRoute({
    method: 'post',
    path: '/events/inbound-transfers',
    tag: 'events',
    summary: 'Receive a child record from another CHIS',
    access: 'events.submit',
    schemas: { body: inboundTransferBody },
    responses: {
      ...RESPONSES,
      202: 'Accepted: child-mover records the inbound transfer (creating or matching the record) and opens its task',
    },
    handler: async ({ body }, ctx) =>
      acceptEvent(ctx, 'inbound_transfer', body, async () => {
        const db = ctx.deps.db;
        checkDates(ctx, [['body.dateOfBirth', body.dateOfBirth]]);
        if (body.gpPracticeCode) await practiceOrProblem(db, body.gpPracticeCode);
        const routing = await routeByPostcode(db, body.address.postcode, body.gpPracticeCode);
        if (routing.locality === null) {
          throw unprocessable({
            field: 'body.address.postcode',
            message:
              'is outside the region and no GP practice of the region is given: the child is not this CHIS’s to receive',
          });
        }
        const existing = await childIdOfNhsNumberOrSuperseded(db, body.nhsNumber);
        const { eventId: _omit, nhsNumber, ...transfer } = body;
        return {
          childId: existing,
          routing,
          messageName: 'inboundTransferReceived',
          variables: { transfer, nhsNumber },
        };
      }),
  }),
  defineRoute({
    method: 'post',
    path: '/events/immunisations',
    tag: 'events',
    summary: 'Record an immunisation given',
    access: 'events.submit',
    schemas: { body: immunisationBody },
    responses: {
      ...RESPONSES,
      202: "Accepted: the dose is on the child's record and waiting follow-ups are told (immunisationGiven)",
    },
    handler: async ({ body }, ctx) =>
      acceptEvent(ctx, 'immunisation', body, async () => {
        const db = ctx.deps.db;
        const child = await childOrProblem(db, body.nhsNumber);
        checkDates(ctx, [['body.givenOn', body.givenOn]], child.dateOfBirth);
        const product = productOrProblem(body.vaccine, body.snomedCode);
        // Which doses of the child's schedule this fills, by the same rules as the sweep (an MMRV
        // fills an MMR dose; a 6-in-1 after the first birthday the Hib/MenC dose): follow-ups of
        // those doses close on the message.
        const doseCodes = await dosesFilledBy(
          db,
          child.id,
          { product, givenOn: body.givenOn },
          todayInEngland(ctx.now()),
        );
        const immunisation = {
          vaccine: product,
          dose: body.dose,
          givenOn: body.givenOn,
          givenBy: body.givenBy,
          ...(body.snomedCode ? { snomedCode: body.snomedCode } : {}),
          doseCodes,
        };
        return {
          childId: child.id,
          messageName: 'immunisationGiven',
          variables: { immunisation, nhsNumber: body.nhsNumber },
          write: async (tx) => ({
            immunisationEventId: await recordImmunisationNotified(tx, child.id, {
              vaccine: product,
              dose: body.dose,
              givenOn: body.givenOn,
              givenBy: body.givenBy,
              snomedCode: body.snomedCode ?? null,
            }),
            vaccine: product,
            doseCodes,
          }),
        };
      }),
  }),
  defineRoute({
    method: 'post',
    path: '/events/screening-outcomes',
    tag: 'events',
    summary: 'Record a newborn screening outcome',
    access: 'events.submit',
    schemas: { body: screeningOutcomeBody },
    responses: {
      ...RESPONSES,
      202: 'Accepted: the result is on the record and new-birth-registration is told (bloodSpot/hearing/nipeOutcomeRecorded)',
    },
    handler: async ({ body }, ctx) =>
      acceptEvent(ctx, 'screening_outcome', body, async () => {
        const db = ctx.deps.db;
        const child = await childOrProblem(db, body.nhsNumber);
        checkDates(ctx, [['body.recordedOn', body.recordedOn]], child.dateOfBirth);
        const messageName = {
          blood_spot: 'bloodSpotOutcomeRecorded',
          hearing: 'hearingOutcomeRecorded',
          nipe: 'nipeOutcomeRecorded',
        }[body.programme];
        return {
          childId: child.id,
          messageName,
          variables: {
            screening: { programme: body.programme, outcome: body.outcome, recordedOn: body.recordedOn },
            nhsNumber: body.nhsNumber,
          },
          write: async (tx) => ({
            screeningResultId: await recordScreeningOutcome(tx, child.id, {
              programme: body.programme,
              outcome: body.outcome,
              recordedOn: body.recordedOn,
              detail: body.detail ?? {},
            }),
          }),
        };
      }),
  }),
  defineRoute({
    method: 'post',
    path: '/events/appointment-outcomes',
    tag: 'events',
    summary: 'Record an appointment outcome (attended or Was Not Brought)',
    access: 'events.submit',
    schemas: { body: appointmentOutcomeBody },
    responses: {
      ...RESPONSES,
      202: "Accepted: the child's running processes are told (appointmentWasNotBrought; appointmentAttended, or for a mandated contact its own message, e.g. sixToEightWeekReviewRecorded, which closes that step of child-health-reviews)",
    },
    handler: async ({ body }, ctx) =>
      acceptEvent(ctx, 'appointment_outcome', body, async () => {
        const child = await childOrProblem(ctx.deps.db, body.nhsNumber);
        checkDates(ctx, [['body.date', body.date]], child.dateOfBirth);
        const appointment = {
          kind: body.kind,
          date: body.date,
          outcome: body.outcome,
          ...(body.vaccine ? { vaccine: body.vaccine } : {}),
          ...(body.contact ? { contact: body.contact } : {}),
        };
        return {
          childId: child.id,
          messageName: appointmentMessageName(body.outcome, body.contact),
          variables: { appointment, nhsNumber: body.nhsNumber, childId: child.id },
          // On the record, so Was Not Brought is counted per child across every kind of appointment.
          write: async (tx, eventId) => ({
            appointmentOutcomeId: await recordAppointmentOutcome(tx, {
              childId: child.id,
              inboundEventId: eventId,
              kind: body.kind,
              contact: body.contact ?? null,
              vaccine: body.vaccine ?? null,
              date: body.date,
              outcome: body.outcome,
            }),
          }),
        };
      }),
  }),
  defineRoute({
    method: 'post',
    path: '/events/child-protection-alerts',
    tag: 'events',
    summary: 'Receive a child-protection alert (CP-IS)',
    access: 'events.submit',
    schemas: { body: childProtectionAlertBody },
    responses: {
      ...RESPONSES,
      202: "Accepted: the child's safeguarding alert is set and safeguarding-escalation starts",
    },
    handler: async ({ body }, ctx) =>
      acceptEvent(ctx, 'child_protection_alert', body, async () => {
        const child = await childOrProblem(ctx.deps.db, body.nhsNumber);
        checkDates(ctx, [['body.startDate', body.startDate]]);
        const alert = {
          type: body.type,
          startDate: body.startDate,
          localAuthority: body.localAuthority,
          ...(body.summary ? { summary: body.summary } : {}),
        };
        // A child-protection plan outranks looked-after, which outranks a concern: the stronger alert stays.
        const previous = child.safeguardingAlert as SafeguardingAlert;
        const next = ALERT_RANK[body.type] > ALERT_RANK[previous] ? body.type : previous;
        return {
          childId: child.id,
          messageName: 'childProtectionAlertReceived',
          variables: { alert, nhsNumber: body.nhsNumber, childId: child.id },
          write: async (tx) => {
            await setSafeguardingAlert(tx, child.id, next);
            return { previousSafeguardingAlert: child.safeguardingAlert, safeguardingAlert: next };
          },
        };
      }),
  }),
  defineRoute({
    method: 'post',
    path: '/events/death-notifications',
    tag: 'events',
    summary: "Notify a child's death",
    access: 'events.submit',
    schemas: { body: deathNotificationBody },
    responses: {
      ...RESPONSES,
      202: "Accepted: the record is marked deceased and the child's running processes are told (childDied): they close their work and end",
      409: 'The child is already recorded as deceased (by another event)',
    },
    handler: async ({ body }, ctx) =>
      acceptEvent(ctx, 'death_notification', body, async () => {
        const child = await childOrProblem(ctx.deps.db, body.nhsNumber);
        checkDates(ctx, [['body.dateOfDeath', body.dateOfDeath]], child.dateOfBirth);
        if (child.status === 'deceased') {
          throw ApiError.conflict(
            `The child is already recorded as deceased${child.dateOfDeath ? ` (date of death ${child.dateOfDeath})` : ''}`,
          );
        }
        return {
          childId: child.id,
          messageName: 'childDied',
          variables: { nhsNumber: body.nhsNumber, childId: child.id, dateOfDeath: body.dateOfDeath },
          write: async (tx) => {
            const { cancelledTransfers: cancelled } = await recordDeath(tx, child.id, body.dateOfDeath);
            return {
              previousStatus: child.status,
              status: 'deceased',
              dateOfDeath: body.dateOfDeath,
              cancelledTransfers: cancelled,
            };
          },
        };
      }),
  }),
  defineRoute({
    method: 'get',
    path: '/events/:id',
    tag: 'events',
    summary: 'Read an inbound event',
    access: 'events.read',
    schemas: { params: eventIdParams },
    responses: { 200: 'The stored event: kind, routing, message and whether it has been published' },
    handler: async ({ params }, ctx) => {
      const e = await readInboundEvent(ctx.deps.db, actorOf(ctx), params.id);
      if (!e) throw ApiError.notFound(`No inbound event has id ${params.id}`);
      return ok({
        eventId: e.id,
        kind: e.kind,
        sourceEventId: e.sourceEventId,
        nhsNumber: e.nhsNumber,
        childId: e.childId,
        routing: e.routing,
        messageName: e.messageName,
        receivedAt: e.receivedAt,
        publishedAt: e.publishedAt,
        publishAttempts: e.publishAttempts,
      });
    },
  }),
];
