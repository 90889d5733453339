/** Email: templates, transport, outbox delivery and relay, and the embedded SMTP server with its mailbox. */
export {
  startEmbeddedSmtpServer,
  type EmbeddedSmtpServer,
  type EmbeddedSmtpServerOptions,
} from './embedded-smtp-server';
export {
  listReceivedMail,
  getReceivedMail,
  findReceivedMailByMessageId,
  receiveRawMail,
  type ReceivedMail,
  type ReceivedMailSummary,
} from '../records/mailbox';
export { createMailTransport, redactSmtpUrl, type SmtpTarget } from './transport';
export {
  createMailService,
  DEFAULT_DELIVERY_OPTIONS,
  type DeliveryOptions,
  type DeliveryRound,
  type MailService,
} from './delivery';
export {
  startOutboxRelay,
  outboxHealth,
  type OutboxRelay,
  type OutboxRelayOptions,
  type OutboxStatus,
} from './outbox-relay';
export { startMailFor, type RunningMail } from './start-mail';
export { outboxBacklogHealth } from './outbox-backlog';
