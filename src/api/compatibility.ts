/**
 * Humanitec API operations Baton does not serve, each with the decision and its reason. Every other operation of
 * Humanitec's OpenAPI document is served by a route of src/api/routes (src/api/compatibility.test.ts proves the
 * two lists cover the document exactly), so a Humanitec client never meets an unexplained 404: these answer 501
 * with the reason (routes/unserved.ts), and docs/compatibility.md renders this table.
 */

export type UnservedDecision = 'not implemented yet' | 'out of scope';

export interface UnservedFamily {
  family: string;
  decision: UnservedDecision;
  reason: string;
  operations: readonly string[];
}

export const UNSERVED_FAMILIES: readonly UnservedFamily[] = [
  {
    family: 'Agents',
    decision: 'out of scope',
    reason:
      "The Humanitec Agent tunnels Humanitec's SaaS into private networks. Baton is self-hosted inside your network and reaches clusters, databases and git directly.",
    operations: [
      'GET /orgs/{orgId}/agents',
      'POST /orgs/{orgId}/agents',
      'DELETE /orgs/{orgId}/agents/{agentId}',
      'PATCH /orgs/{orgId}/agents/{agentId}',
      'GET /orgs/{orgId}/agents/{agentId}/keys',
      'POST /orgs/{orgId}/agents/{agentId}/keys',
      'DELETE /orgs/{orgId}/agents/{agentId}/keys/{fingerprint}',
    ],
  },
  {
    family: 'Pipelines and approvals',
    decision: 'out of scope',
    reason:
      "Humanitec Pipelines is a workflow engine with approvals. Baton leaves workflows to your CI system, which drives Baton through this API (docs/ci.md); automation rules cover deploy-on-build.",
    operations: [
      'GET /orgs/{orgId}/apps/{appId}/approvals',
      'GET /orgs/{orgId}/apps/{appId}/pipeline-criteria',
      'POST /orgs/{orgId}/apps/{appId}/pipeline-runs',
      'GET /orgs/{orgId}/apps/{appId}/pipelines',
      'POST /orgs/{orgId}/apps/{appId}/pipelines',
      'DELETE /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}',
      'GET /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}',
      'PATCH /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}',
      'GET /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/batches/{batchType}',
      'POST /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/criteria',
      'DELETE /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/criteria/{criteriaId}',
      'GET /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/criteria/{criteriaId}',
      'GET /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/runs',
      'POST /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/runs',
      'DELETE /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/runs/{runId}',
      'GET /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/runs/{runId}',
      'POST /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/runs/{runId}/cancel',
      'GET /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/runs/{runId}/jobs',
      'GET /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/runs/{runId}/jobs/{jobId}',
      'GET /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/runs/{runId}/jobs/{jobId}/approvals/{approvalId}',
      'POST /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/runs/{runId}/jobs/{jobId}/approvals/{approvalId}/approve',
      'POST /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/runs/{runId}/jobs/{jobId}/approvals/{approvalId}/deny',
      'GET /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/runs/{runId}/jobs/{jobId}/steps/{stepIndex}/logs',
      'POST /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/runs/{runId}/restart',
      'GET /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/schema',
      'GET /orgs/{orgId}/apps/{appId}/pipelines/{pipelineId}/versions',
      'GET /orgs/{orgId}/pipeline-runs',
      'GET /orgs/{orgId}/pipeline-schemas/latest',
      'GET /orgs/{orgId}/pipelines',
    ],
  },
  {
    family: 'Runtime control',
    decision: 'not implemented yet',
    reason:
      'Pausing, scaling and connectivity checks act on a live cluster, which Baton does not hold a connection to for its gitops and directory targets. GET …/envs/{envId}/runtime and …/logs are served (by the local Podman runtime, docs/local-runtime.md).',
    operations: [
      'PUT /orgs/{orgId}/apps/{appId}/envs/{envId}/runtime/paused',
      'PATCH /orgs/{orgId}/apps/{appId}/envs/{envId}/runtime/replicas',
      'GET /orgs/{orgId}/apps/{appId}/runtime',
      'POST /orgs/{orgId}/runtime/actions/check-connectivity',
    ],
  },
  {
    family: 'Groups',
    decision: 'not implemented yet',
    reason: 'Groups come from an identity provider (SSO), which Baton does not integrate yet; roles are held by users (docs/rbac.md).',
    operations: ['POST /orgs/{orgId}/groups', 'GET /orgs/{orgId}/groups/{groupId}/users', 'GET /orgs/{orgId}/users/{userId}/groups'],
  },
  {
    family: "Humanitec's public keys",
    decision: 'out of scope',
    reason:
      "Keys Humanitec's SaaS signs its requests with, so an org's Humanitec Operator can verify them. Baton runs no SaaS and signs nothing for an operator. The org's own keys (GET/POST /orgs/{orgId}/keys, GET/DELETE …/keys/{keyId}) are served.",
    operations: ['GET /orgs/{orgId}/humanitec-keys'],
  },
  {
    family: 'Helm-chart workload profiles',
    decision: 'out of scope',
    reason: "Humanitec's legacy profile format (a Helm chart per profile). Baton's workload profiles are built in or Go templates (docs/internals/profiles-and-targets.md).",
    operations: ['GET /orgs/{orgId}/workload-profile-chart-versions', 'POST /orgs/{orgId}/workload-profile-chart-versions', 'GET /orgs/{orgId}/workload-profile-features'],
  },
];

export interface UnservedOperation {
  method: string;
  /** OpenAPI form: `/orgs/{orgId}/registries/{regId}`. */
  path: string;
  family: UnservedFamily;
}

export const UNSERVED_OPERATIONS: readonly UnservedOperation[] = UNSERVED_FAMILIES.flatMap((family) =>
  family.operations.map((operation) => {
    const [method, path] = operation.split(' ') as [string, string];
    return { method, path, family };
  }),
);

/** The Markdown table docs/compatibility.md embeds (checked by src/api/compatibility.test.ts). */
export function renderUnservedTable(): string {
  const rows = UNSERVED_FAMILIES.map((f) => `| ${f.family} | ${f.decision} | ${f.operations.length} | ${f.reason} |`);
  return ['| Operations | Decision | Count | Why |', '|---|---|---|---|', ...rows].join('\n');
}
