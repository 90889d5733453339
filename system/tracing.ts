/**
 * OpenTelemetry tracing, off unless an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; the exporter reads the other standard OTEL_EXPORTER_OTLP_*
 * variables itself, e.g. headers). One trace runs from an HTTP request (api/http-tracing.ts)
 * through the workflow starts, signals and updates it makes (the Temporal client interceptor),
 * the workflow (its spans come out of the workflow sandbox through a sink) to the activities
 * (the activity interceptor), in whichever process each part runs: the context travels in
 * Temporal headers. Spans carry route templates, workflow types and ids, never a URL path (which
 * holds NHS numbers) or a payload.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** The tracer of CHIS Flow's own spans (the HTTP server spans). */
  tracer: Tracer;
  /** Sends what is still buffered and stops. */
  shutdown(): Promise<void>;
}

export function startTracing(options: { serviceName: string; roles: readonly string[] }): Tracing {
  const resource = new Resource({
    'service.name': options.serviceName,
    'service.instance.id': `${hostname()}/${process.pid}/${randomUUID()}`,
    'chis.roles': options.roles.join(','),
  });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 1000 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // The AsyncLocalStorage context manager (a span stays current across awaits) and W3C trace context propagation.
  provider.register();
  return {
    resource,
    spanProcessor,
    tracer: trace.getTracer('chis-flow'),
    shutdown: () => provider.shutdown(),
  };
}
