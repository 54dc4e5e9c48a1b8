/**
 * The org's public keys (Humanitec tag PublicKeys): `GET|POST /orgs/{orgId}/keys` (`?fingerprint=` selects one),
 * `GET|DELETE /orgs/{orgId}/keys/{keyId}`. The body of POST is the PEM as a JSON string (src/org/public-keys.ts).
 */
import { Type } from 'typebox';
import { COMMON_ERRORS, IdParam, NoContent, OrgParams, errorResponses } from '../schemas.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { InvalidInput } from '../../shared/errors.js';
import type { RouteModule } from './types.js';
import { PagingQuery, pageList } from './paging.js';

const PublicKey = Type.Object(
  { id: Type.String(), key: Type.String(), fingerprint: Type.String(), created_at: Type.String(), created_by: Type.String(), expired_at: Type.String() },
  { title: 'PublicKey' },
);
const KeyParams = Type.Object({ orgId: IdParam('Organization id'), keyId: Type.String({ minLength: 1, maxLength: 64, description: 'Public key id' }) });

export const registerPublicKeyRoutes: RouteModule = async (app, { publicKeys }) => {
  app.get(
    '/orgs/:orgId/keys',
    {
      config: { permission: 'public-keys.read' },
      schema: {
        tags: ['PublicKeys'],
        operationId: 'listPublicKeys',
        params: OrgParams,
        querystring: Type.Object({ fingerprint: Type.Optional(Type.String({ maxLength: 128, description: 'Hex SHA-256 of the DER form of the key.' })), ...PagingQuery }),
        response: { 200: Type.Array(PublicKey), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => pageList(request, reply, request.query, await publicKeys.list(request.params.orgId, request.query.fingerprint), (k) => k.id),
  );
  // Humanitec's generated clients send the PEM itself as an `application/json` body (not a JSON string): this route,
  // in a context of its own, takes a body that starts with "-----BEGIN" as that text and parses anything else as JSON.
  await app.register((scope, _options, registered) => {
    const child = scope.withTypeProvider<TypeBoxTypeProvider>();
    child.removeContentTypeParser('application/json');
    child.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 32_768 }, (_request, body, done) => {
      const text = String(body);
      if (text.trimStart().startsWith('-----BEGIN')) {
        done(null, text);
        return;
      }
      try {
        done(null, JSON.parse(text) as unknown);
      } catch {
        done(new InvalidInput('the body must be a PEM public key, as text or as a JSON string', { field: 'body' }), undefined);
      }
    });
    child.post(
      '/orgs/:orgId/keys',
      {
        config: { permission: 'public-keys.write' },
        schema: {
          tags: ['PublicKeys'],
          operationId: 'createPublicKey',
          description: 'An RSA public key (PEM, modulus ≥ 4096 bits), as the body text or as a JSON string; 409 when its fingerprint is registered already.',
          params: OrgParams,
          body: Type.String({ minLength: 1, maxLength: 16384 }),
          response: { 200: PublicKey, ...errorResponses(...COMMON_ERRORS, 404, 409) },
        },
      },
      async (request) => publicKeys.create(request.params.orgId, request.body, request.user.id),
    );
    registered();
  });
  app.get(
    '/orgs/:orgId/keys/:keyId',
    { config: { permission: 'public-keys.read' }, schema: { tags: ['PublicKeys'], operationId: 'getPublicKey', params: KeyParams, response: { 200: PublicKey, ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request) => publicKeys.get(request.params.orgId, request.params.keyId),
  );
  app.delete(
    '/orgs/:orgId/keys/:keyId',
    { config: { permission: 'public-keys.write' }, schema: { tags: ['PublicKeys'], operationId: 'deletePublicKey', params: KeyParams, response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request, reply) => {
      await publicKeys.delete(request.params.orgId, request.params.keyId);
      return reply.status(204).send(null);
    },
  );
};
