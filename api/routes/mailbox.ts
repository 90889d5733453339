/**
 * The local mailbox: what the embedded SMTP server received (used when no SMTP_URL is set),
 * so service managers and administrators can see the email GP practices would get. Reading
 * it is audited: messages carry NHS numbers.
 */
import { z } from 'zod';
import { getReceivedMail, listReceivedMail } from '../../records/mailbox';
import { findPractice } from '../../records/gp-practices';
import { ApiError } from '../api-error';
import { audit } from '../audit/audit-builder';
import { defineRoute, ok } from '../route-definition';
import type { RequestContext } from '../request-context';
import { nhsNumber, pageLimit } from '../validation';

const id = z.string().regex(/^[1-9][0-9]{0,17}$/, 'is not a message id');

function requireLocalMailbox(ctx: RequestContext): void {
  if (ctx.deps.localMailbox === false) {
    throw ApiError.notFound('There is no local mailbox: mail is sent to the SMTP relay set in SMTP_URL');
  }
}

export const mailboxRoutes = [
  defineRoute({
    method: 'get',
    path: '/mailbox',
    tag: 'mailbox',
    summary: 'List the messages the embedded SMTP server received, newest first',
    access: 'mailbox.read',
    schemas: {
      query: z
        .object({
          to: z
            .string()
            .regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address')
            .optional(),
          practice: z
            .string()
            .regex(/^[A-Za-z0-9]{1,9}$/, 'must be a GP practice ODS code')
            .optional()
            .meta({ description: 'Only messages to this GP practice (its ODS code): its email address on record' }),
          nhsNumber: nhsNumber()
            .optional()
            .meta({ description: 'Only messages that name this child (the NHS number in the subject or text)' }),
          cursor: id.optional(),
          limit: pageLimit(50),
        })
        .strict(),
    },
    responses: {
      200: 'Message summaries newest first (timesReceived > 1 marks a duplicate delivery); `next` is the cursor of the following page or null',
    },
    handler: async ({ query }, ctx) => {
      requireLocalMailbox(ctx);
      let to = query.to;
      if (query.practice) {
        const practice = await findPractice(ctx.deps.db, query.practice.toUpperCase());
        if (!practice) {
          throw ApiError.unprocessable(`No GP practice has ODS code ${query.practice.toUpperCase()}`, [
            { field: 'query.practice', message: 'is not a GP practice on record' },
          ]);
        }
        if (to && to.toLowerCase() !== practice.email.toLowerCase()) {
          throw ApiError.unprocessable(`${practice.name} is written to at ${practice.email}, not ${to}`, [
            { field: 'query.to', message: 'is not the email address of the practice asked for' },
          ]);
        }
        to = practice.email;
      }
      const rows = await listReceivedMail(ctx.deps.db, {
        to,
        nhsNumber: query.nhsNumber,
        beforeId: query.cursor,
        limit: query.limit + 1,
      });
      const page = rows.slice(0, query.limit);
      await audit(ctx.deps.db, ctx, {
        action: 'mailbox.list',
        entityType: 'mailbox',
        detail: {
          to: query.to ?? null,
          practice: query.practice ?? null,
          nhsNumber: query.nhsNumber ?? null,
          count: page.length,
        },
      });
      return ok({ messages: page, next: rows.length > query.limit ? page[page.length - 1].id : null });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/mailbox/:id',
    tag: 'mailbox',
    summary: 'Read one received message: headers, plain-text and HTML parts',
    access: 'mailbox.read',
    schemas: { params: z.object({ id }) },
    responses: { 200: 'The message' },
    handler: async ({ params }, ctx) => {
      requireLocalMailbox(ctx);
      const message = await getReceivedMail(ctx.deps.db, params.id);
      if (!message) throw ApiError.notFound(`No message ${params.id} in the mailbox`);
      await audit(ctx.deps.db, ctx, {
        action: 'mailbox.read',
        entityType: 'received_mail',
        entityId: message.id,
        detail: { messageId: message.messageId },
      });
      return ok(message);
    },
  }),
];
