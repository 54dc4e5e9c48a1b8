import { Type } from 'typebox';
import { COMMON_ERRORS, OrgParams, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';

const GitOpsInfoResponse = Type.Object(
  {
    repository: Type.String({ description: 'The embedded gitops repository: its work tree in the data folder.' }),
    remote: Type.Optional(Type.String({ description: 'BATON_GITOPS_URL, when set: the remote Argo CD or Flux reads.' })),
    secrets_mode: Type.Literal('sops', { description: 'How the embedded repository holds Kubernetes Secrets by default (a k8s-cluster definition may set another mode).' }),
    age_recipient: Type.String({ description: "Baton's age public key: Secrets in the repository are SOPS-encrypted to it." }),
    age_key_file: Type.Optional(Type.String({ description: 'The file holding the matching identity (absent when it comes from BATON_AGE_KEY).' })),
    sops_age_secret_command: Type.String({ description: 'The command that gives Flux (or KSOPS) the key to decrypt the Secrets.' }),
  },
  { title: 'BatonGitOpsInfo' },
);

/**
 * `GET /orgs/{orgId}/baton/gitops`: where the embedded gitops repository is and how a cluster decrypts its
 * Secrets (the age public key and the `kubectl create secret generic sops-age …` line). Never the private key.
 */
export const registerGitOpsRoutes: RouteModule = (app, deps) => {
  app.get(
    '/orgs/:orgId/baton/gitops',
    {
      config: { permission: 'org.read' },
      schema: {
        tags: ['baton'],
        operationId: 'getBatonGitOps',
        summary: 'The embedded gitops repository and the age key its Secrets are SOPS-encrypted to.',
        params: OrgParams,
        response: { 200: GitOpsInfoResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      await deps.core.orgs.get(request.params.orgId);
      return deps.gitops.info();
    },
  );
};
