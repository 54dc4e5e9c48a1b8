import type { FastifyInstance, FastifySchema } from 'fastify';
import { Ajv } from 'ajv';
import type { Options } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Request validation with two AJV instances. Bodies are validated strictly: no type coercion (a number is not
 * an id) and unknown properties are rejected, not silently dropped (Fastify's default `removeAdditional`
 * would hide client mistakes). Params, query strings and headers arrive as strings, so they keep coercion.
 */
export function installValidation(app: FastifyInstance): void {
  const common: Options = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false };
  const bodyAjv = addFormats.default(new Ajv({ ...common, coerceTypes: false }));
  const otherAjv = addFormats.default(new Ajv({ ...common, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }) =>
    (httpPart === 'body' ? bodyAjv : otherAjv).compile(schema),
  );
}
