import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { DriverRegistry } from '../../drivers/registry.js';
import type { CoreServices } from '../../org/index.js';
import type { SecretBox } from '../../secrets/index.js';
import type { Store } from '../../store/index.js';

/** The Fastify instance routes are registered on: TypeBox schemas type `request.body/params/query`. */
export type BatonApp = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

/** What route modules get: the store (to build their own repositories/services) and the core services. */
export interface ServerDeps {
  store: Store;
  services: CoreServices;
  /** Baton's version, for `/healthz`. */
  version: string;
  /** Seals secrets at rest (definition secret inputs, resource outputs); key from the data folder or BATON_SECRET_KEY. */
  secretBox: SecretBox;
  /** Built-in drivers (custom HTTP drivers are per org, see src/resources/service). */
  drivers: DriverRegistry;
}

/** A route module: registers its routes on the app. Listed once in src/api/server.ts. */
export type RouteModule = (app: BatonApp, deps: ServerDeps) => void | Promise<void>;
