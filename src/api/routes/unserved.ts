/**
 * Humanitec API operations Baton does not serve (src/api/compatibility.ts): each answers 501 with the reason, so a
 * Humanitec client learns why instead of meeting a 404. Org members only (an org the caller may not see stays 404).
 */
import { NotImplemented } from '../../shared/errors.js';
import { UNSERVED_OPERATIONS } from '../compatibility.js';
import type { RouteModule } from './types.js';

/** `/orgs/{orgId}/x/{id}` → `/orgs/:orgId/x/:id`. */
function fastifyPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

export const registerUnservedRoutes: RouteModule = (app) => {
  for (const operation of UNSERVED_OPERATIONS) {
    app.route({
      method: operation.method,
      url: fastifyPath(operation.path),
      config: { permission: 'org.read' },
      schema: { hide: true },
      handler: () => {
        throw new NotImplemented(`Baton does not serve ${operation.method} ${operation.path} (${operation.family.decision}): ${operation.family.reason} See docs/compatibility.md.`);
      },
    });
  }
};
