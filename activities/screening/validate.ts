/** Catalogue validation for screening activities: bad input is a non-retryable ValidationError. */
import { ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';

export function parseInput<S extends z.ZodType>(activity: string, schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
  throw ApplicationFailure.nonRetryable(`${activity}: bad input: ${problems}`, 'ValidationError');
}

export function notFound(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'NotFoundError');
}

export function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'ValidationError');
}
