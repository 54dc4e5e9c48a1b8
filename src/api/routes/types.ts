import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { BatonServices } from '../../baton/services.js';
import type { Metrics } from '../../metrics/index.js';
import type { AuthFailureLimiter } from '../auth-rate-limit.js';

/** The Fastify instance routes are registered on: TypeBox schemas type `request.body/params/query`. */
export type BatonApp = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

/** What route modules get: the process's services (built once by src/baton/create-baton.ts) and Baton's version. */
export interface ServerDeps extends BatonServices {
  /** Baton's version, for `/healthz`. */
  version: string;
  /** The server's failed-authentication limiter: `POST /baton/login` records its failures here too. */
  authFailures: AuthFailureLimiter;
  /** The process's metrics (`/metrics`); absent in servers built without them (some tests). */
  metrics?: Metrics;
  /** `/metrics` needs no token (config `BATON_METRICS_PUBLIC=true`). */
  metricsPublic: boolean;
}

/** A route module: registers its routes on the app. Listed once in src/api/server.ts. */
export type RouteModule = (app: BatonApp, deps: ServerDeps) => void | Promise<void>;
