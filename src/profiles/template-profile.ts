/**
 * Custom profiles written as a Go template: the template renders a YAML stream of Kubernetes objects
 * from `{ .id, .spec, .context }` (`.context` = `{org: {id}, app: {id}, env: {id}, deployment: {id}, namespace}`).
 * Secret strings are given to the template in plain text (a template cannot tell them apart); the
 * platform team that writes the template decides where they go. Output is stamped and sorted like
 * the built-ins' output.
 */
import { parseAllDocuments } from 'yaml';
import { InvalidInput } from '../shared/errors.js';
import { renderTemplate, type HostLookupPolicy, type TemplateLimits } from '../templates/index.js';
import { revealSecrets, sortObjects, stampObject } from './metadata.js';
import type { K8sObject, RenderRequest, WorkloadProfile } from './types.js';
import { assertValidSpec } from './validate.js';

export interface TemplateProfileDefinition {
  id: string;
  description?: string;
  /** JSON Schema of the module spec; anything goes when absent. */
  specSchema?: Record<string, unknown>;
  /** Go template producing a YAML stream (`---`-separated) of objects. */
  template: string;
  /** Step budget, output size and time of one render (config `BATON_TEMPLATE_*`); the engine's defaults when absent. */
  limits?: TemplateLimits;
  /** Names `getHostByName` may resolve (config `BATON_TEMPLATE_HOST_LOOKUP*`); any name when absent. */
  hostLookup?: HostLookupPolicy;
}

function isObject(value: unknown): value is K8sObject {
  const o = value as Partial<K8sObject> | null;
  return (
    o !== null &&
    typeof o === 'object' &&
    typeof o.apiVersion === 'string' &&
    typeof o.kind === 'string' &&
    typeof o.metadata === 'object' &&
    o.metadata !== null &&
    typeof o.metadata.name === 'string'
  );
}

export function templateProfile(definition: TemplateProfileDefinition): WorkloadProfile {
  const profile: WorkloadProfile = {
    id: definition.id,
    description: definition.description ?? `Custom template profile ${definition.id}`,
    specSchema: definition.specSchema ?? { type: 'object' },
    render(request: RenderRequest): Promise<K8sObject[]> {
      try {
        assertValidSpec(profile, request.workloadId, request.module.spec);
        const { context } = request;
        const data = {
          id: request.workloadId,
          spec: revealSecrets(request.module.spec),
          context: {
            org: { id: context.orgId },
            app: { id: context.appId },
            env: { id: context.envId },
            deployment: { id: context.deploymentId },
            namespace: context.namespace ?? '',
          },
        };
        let text: string;
        try {
          text = renderTemplate(definition.template, data, {
            name: definition.id,
            ...(definition.limits ? { limits: definition.limits } : {}),
            ...(definition.hostLookup ? { hostLookup: definition.hostLookup } : {}),
          });
        } catch (error) {
          if (!(error instanceof InvalidInput)) throw error;
          throw new InvalidInput(`workload profile "${definition.id}": ${error.message}`, { ...error.details, profile: definition.id }, { cause: error });
        }
        const objects: K8sObject[] = [];
        for (const [index, document] of parseAllDocuments(text).entries()) {
          if (document.errors.length > 0) {
            throw new InvalidInput(`profile "${definition.id}" rendered invalid YAML in document ${index + 1}: ${document.errors[0]!.message}`);
          }
          const value: unknown = document.toJS();
          if (value === null || value === undefined) continue;
          if (!isObject(value)) {
            throw new InvalidInput(
              `profile "${definition.id}" rendered document ${index + 1} without apiVersion, kind and metadata.name`,
            );
          }
          objects.push(value);
        }
        return Promise.resolve(sortObjects(objects.map((o) => stampObject(o, context, request.workloadId))));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
  return profile;
}
