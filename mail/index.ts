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
} from './mailbox';
export { createMailTransport, redactSmtpUrl, type SmtpTarget } from './transport';
export {
  createMailService,
  DeliveryError,
  DEFAULT_DELIVERY_OPTIONS,
  type DeliveryOptions,
  type MailService,
} from './delivery';
export { startOutboxRelay, type OutboxRelay } from './outbox-relay';
export { startMailFor, type RunningMail } from './start-mail';
