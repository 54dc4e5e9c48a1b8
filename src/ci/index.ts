/**
 * CI integration (docs/ci.md): artefacts and image builds, automation rules, webhooks and the events that trigger
 * them. The composition root (src/baton/create-baton.ts) builds these; routes are in src/api/routes/{artefacts,
 * images,rules,webhooks}.ts.
 */
import type { EnvRow } from '../org/index.js';
import { createDeploymentsRepo } from '../store/deployments-repo.js';
import type { Store } from '../store/index.js';
import { nowIso } from '../store/index.js';
import type { WebhooksService } from './webhooks.js';

export { createArtefactsService } from './artefacts.js';
export type { ArtefactsService, ArtefactVersionView, ArtefactView, CreateArtefactVersionRequest, ImageBuildRequest, ImageView } from './artefacts.js';
export { allowAllDeployGuard, createRulesService, parseRule, ruleAccepts, RULES_JOB, rulesJobId } from './rules.js';
export type { DeployGuard, RuleRequest, RuleRunView, RulesService, RuleView } from './rules.js';
export { createWebhooksService, WEBHOOK_JOB } from './webhooks.js';
export type { WebhookRequest, WebhooksService, WebhookView } from './webhooks.js';
export { EVENT_TYPES } from './events.js';
export { SIGNATURE_HEADER, signatureHeader } from './delivery.js';

/** What the engine and the deployments service tell webhooks. Never throws: a failure is logged. */
export interface CiEvents {
  deployment(kind: 'started' | 'finished', ref: { orgId: string; appId: string; deployId: string }): Promise<void>;
  environment(kind: 'created' | 'deleted', env: EnvRow, actor: string): Promise<void>;
}

export function createCiEvents(deps: { store: Store; webhooks: WebhooksService; log: (message: string) => void }): CiEvents {
  const deployments = createDeploymentsRepo(deps.store.db);
  const safely = async (what: string, run: () => Promise<unknown>): Promise<void> => {
    try {
      await run();
    } catch (error) {
      deps.log(`webhook event ${what} not recorded: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return {
    deployment: (kind, ref) =>
      safely(`deployment/${kind} of ${ref.deployId}`, async () => {
        const row = await deployments.get(ref.orgId, ref.appId, ref.deployId);
        if (!row) return;
        await deps.webhooks.emit({
          scope: 'deployment',
          type: kind,
          key: ref.deployId,
          orgId: ref.orgId,
          appId: ref.appId,
          properties: {
            event: `deployment/${kind}`,
            org_id: ref.orgId,
            app_id: ref.appId,
            env_id: row.env_id,
            deploy_id: row.id,
            delta_id: row.delta_id ?? '',
            set_id: row.set_id,
            comment: row.comment,
            status: kind === 'started' ? 'in progress' : row.status,
            triggered_at: nowIso(),
            triggered_by: row.created_by,
          },
        });
      }),
    environment: (kind, env, actor) =>
      safely(`environment/${kind} of ${env.id}`, () =>
        deps.webhooks.emit({
          scope: 'environment',
          type: kind,
          key: `${env.id}@${env.created_at}`,
          orgId: env.org_id,
          appId: env.app_id,
          properties: { event: `environment/${kind}`, org_id: env.org_id, app_id: env.app_id, env_id: env.id, name: env.name, type: env.type, triggered_at: nowIso(), triggered_by: actor },
        }),
      ),
  };
}
