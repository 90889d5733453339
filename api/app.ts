import express, { type Express } from 'express';
import type { Logger } from '../core/logger';
import { errorHandler, notFoundHandler } from './error-handler';
import { healthRouter, type HealthCheck } from './routes/health';

export interface AppDependencies {
  logger: Logger;
  health: Record<string, HealthCheck>;
}

/** Builds the express application: JSON API under /api, one error handler at the end. */
export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(express.json({ limit: '256kb', strict: true }));
  app.use('/api', healthRouter(deps.health));
  app.use('/api', notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
