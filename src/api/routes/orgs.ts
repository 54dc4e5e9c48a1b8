import { Type } from 'typebox';
import type { OrgRow } from '../../org/index.js';
import { COMMON_ERRORS, OrgParams, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';

export const OrganizationResponse = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    created_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    created_by: Type.String(),
    logo: Type.Object({ dark_url: Type.Optional(Type.String()), light_url: Type.Optional(Type.String()) }),
    trial_expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { title: 'OrganizationResponse' },
);

export function toOrganizationResponse(org: OrgRow) {
  return { id: org.id, name: org.name, created_at: org.created_at, created_by: org.created_by, logo: {}, trial_expires_at: null };
}

export const registerOrgRoutes: RouteModule = (app, { core: services }) => {
  app.get(
    '/orgs',
    {
      config: { permission: 'orgs.list' },
      schema: {
        tags: ['Organization'],
        operationId: 'listOrganizations',
        response: { 200: Type.Array(OrganizationResponse), ...errorResponses(...COMMON_ERRORS) },
      },
    },
    // Only the orgs the caller is a member of.
    async (request) => {
      const orgs = [];
      for (const org of await services.orgs.list()) if ((await request.user.access.orgRole(request.user.id, org.id)) !== undefined) orgs.push(org);
      return orgs.map(toOrganizationResponse);
    },
  );
  app.get(
    '/orgs/:orgId',
    {
      config: { permission: 'org.read' },
      schema: {
        tags: ['Organization'],
        operationId: 'getOrganization',
        params: OrgParams,
        response: { 200: OrganizationResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => toOrganizationResponse(await services.orgs.get(request.params.orgId)),
  );
};
