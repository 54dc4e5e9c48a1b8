/**
 * The events webhooks can be triggered by (`GET /orgs/{orgId}/events`), their properties, and the payload template
 * rendering (`${property}` substitution, Humanitec's default payload). Pure: no I/O.
 */

export interface EventType {
  scope: string;
  type: string;
  properties: string[];
}

const COMMON = ['event', 'org_id', 'triggered_at', 'triggered_by'];

/** Every event Baton emits, in the order `GET /orgs/{orgId}/events` lists them. */
export const EVENT_TYPES: readonly EventType[] = [
  { scope: 'environment', type: 'created', properties: [...COMMON, 'app_id', 'env_id', 'name', 'type'] },
  { scope: 'environment', type: 'deleted', properties: [...COMMON, 'app_id', 'env_id', 'name', 'type'] },
  { scope: 'deployment', type: 'started', properties: [...COMMON, 'app_id', 'env_id', 'deploy_id', 'delta_id', 'set_id', 'comment', 'status'] },
  { scope: 'deployment', type: 'finished', properties: [...COMMON, 'app_id', 'env_id', 'deploy_id', 'delta_id', 'set_id', 'comment', 'status'] },
];

export function findEventType(scope: string, type: string): EventType | undefined {
  return EVENT_TYPES.find((e) => e.scope === scope && e.type === type);
}

/** One occurrence: `event` is `<scope>/<type>`, `key` identifies it (one delivery per webhook and key). */
export interface BatonEvent {
  scope: string;
  type: string;
  key: string;
  orgId: string;
  appId: string;
  properties: Record<string, string>;
}

/** Humanitec's default payload: the common properties plus `app_id` and `env_id`. */
export const DEFAULT_PAYLOAD: Readonly<Record<string, string>> = {
  event: '${event}',
  triggered_at: '${triggered_at}',
  triggered_by: '${triggered_by}',
  org_id: '${org_id}',
  app_id: '${app_id}',
  env_id: '${env_id}',
};

const PLACEHOLDER = /\$\{([a-z_]+)\}/g;

/**
 * The payload template with `${property}` replaced in every string (keys and nested values too); a property the
 * event does not have becomes the empty string. Non-string values pass through unchanged.
 */
export function renderPayload(template: unknown, properties: Readonly<Record<string, string>>): unknown {
  const render = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(PLACEHOLDER, (_m, name: string) => (Object.hasOwn(properties, name) ? properties[name]! : ''));
    if (Array.isArray(value)) return value.map(render);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const key = render(k) as string;
        if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
        out[key] = render(v);
      }
      return out;
    }
    return value;
  };
  return render(template);
}
