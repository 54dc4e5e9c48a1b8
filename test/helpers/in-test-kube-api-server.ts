/**
 * An in-test Kubernetes API server: a loopback server speaking enough of the real wire protocol (discovery,
 * server-side apply PATCH, list with label selectors, read, delete, `Status` errors) for Baton's Kubernetes target,
 * recording every request. No real API server can run on this machine. Over HTTP, or over HTTPS where, like a
 * real API server started with `--client-ca-file`, the server asks for a client certificate and accepts only one
 * signed by the given CA: a request with none or another is answered as kube-apiserver does, `401` with a `Status`
 * of reason `Unauthorized` (it verifies client certificates after the handshake, in its authenticator). Each request
 * records the subject CN of the certificate it came with and whether it was accepted.
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { parse } from 'yaml';
import type { K8sObject } from '../../src/targets/types.js';

export interface RecordedKubeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  authorization: string | undefined;
  /** HTTPS only: the CN of the client certificate the request came with. */
  clientCertCN: string | undefined;
  /** HTTPS only: false when the client certificate was missing or not signed by the client CA (answered 401). */
  authenticated: boolean | undefined;
  body: string;
}

/** Discovery answers: group/version → resources (plural name, kind, namespaced). */
const DISCOVERY: Record<string, { name: string; kind: string; namespaced: boolean }[]> = {
  '/api/v1': [
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
    { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { name: 'secrets', kind: 'Secret', namespaced: true },
    { name: 'services', kind: 'Service', namespaced: true },
  ],
  '/apis/apps/v1': [
    { name: 'deployments', kind: 'Deployment', namespaced: true },
    { name: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  ],
  '/apis/networking.k8s.io/v1': [{ name: 'ingresses', kind: 'Ingress', namespaced: true }],
  '/apis/rbac.authorization.k8s.io/v1': [{ name: 'clusterroles', kind: 'ClusterRole', namespaced: false }],
};

export interface InTestKubeApiServerOptions {
  /** `resource/name` whose apply is refused with a 422, as the API server does for an invalid object. */
  rejectApplyOf?: string;
  /** How many reads of a Deployment before it reports itself rolled out. */
  rolloutAfterReads?: number;
  /** PEM key and certificate of the server, and the CA client certificates must be signed by: serve HTTPS. */
  tls?: { key: string; cert: string; clientCa: string };
}

export interface InTestKubeApiServer {
  url: string;
  requests: RecordedKubeRequest[];
  objects: Map<string, K8sObject>;
  close(): Promise<void>;
}

export async function startInTestKubeApiServer(options: InTestKubeApiServerOptions = {}): Promise<InTestKubeApiServer> {
  const requests: RecordedKubeRequest[] = [];
  const objects = new Map<string, K8sObject>(); // key: groupVersion|resource|namespace|name
  let reads = 0;

  function route(path: string): { gv: string; resource: string; namespace?: string; name?: string } | undefined {
    const match = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)(?:\/(.*))?$/.exec(path);
    if (!match) return undefined;
    const gv = match[1]!;
    const rest = (match[2] ?? '').split('/').filter(Boolean);
    if (rest[0] === 'namespaces' && rest.length >= 3) return { gv, namespace: rest[1]!, resource: rest[2]!, ...(rest[3] ? { name: rest[3] } : {}) };
    return { gv, resource: rest[0] ?? '', ...(rest[1] ? { name: rest[1] } : {}) };
  }

  function send(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const socket = req.socket as Partial<TLSSocket>;
      const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        clientCertCN: peer && typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined,
        authenticated: options.tls ? socket.authorized === true : undefined,
        body,
      });
      if (options.tls && socket.authorized !== true) {
        return send(res, 401, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      }
      const discovery = DISCOVERY[url.pathname];
      if (req.method === 'GET' && discovery) {
        return send(res, 200, {
          kind: 'APIResourceList',
          groupVersion: url.pathname.replace(/^\/apis?\//, ''),
          resources: discovery.map((r) => ({ ...r, singularName: '', verbs: ['get', 'list', 'patch', 'delete'] })),
        });
      }
      const r = route(url.pathname);
      const known = r && DISCOVERY[r.gv]?.find((d) => d.name === r.resource);
      if (!r || !known) return send(res, 404, { kind: 'Status', status: 'Failure', code: 404, message: `no route ${url.pathname}` });
      const key = (ns: string | undefined, name: string) => `${r.gv}|${r.resource}|${ns ?? ''}|${name}`;
      if (req.method === 'PATCH' && r.name) {
        const object = parse(body) as K8sObject;
        if (options.rejectApplyOf === `${r.resource}/${r.name}`) {
          return send(res, 422, {
            kind: 'Status',
            status: 'Failure',
            code: 422,
            reason: 'Invalid',
            message: `${known.kind}.apps "${r.name}" is invalid: spec.template.spec.containers[0].image: Required value`,
          });
        }
        const stored = { ...object, metadata: { ...object.metadata, generation: 1 } };
        objects.set(key(r.namespace, r.name), stored);
        return send(res, 200, stored);
      }
      if (req.method === 'GET' && r.name) {
        const object = objects.get(key(r.namespace, r.name));
        if (!object) return send(res, 404, { kind: 'Status', code: 404, message: 'not found' });
        reads += 1;
        const ready = reads >= (options.rolloutAfterReads ?? 1);
        const replicas = (object.spec as { replicas?: number } | undefined)?.replicas ?? 1;
        return send(res, 200, {
          ...object,
          status: ready ? { observedGeneration: 1, updatedReplicas: replicas, availableReplicas: replicas } : { observedGeneration: 1 },
        });
      }
      if (req.method === 'GET') {
        const selector = url.searchParams.get('labelSelector') ?? '';
        const wanted = selector.split(',').filter(Boolean).map((p) => p.split('='));
        const items = [...objects.entries()]
          .filter(([k]) => k.startsWith(`${r.gv}|${r.resource}|${r.namespace ?? ''}`))
          .map(([, o]) => o)
          .filter((o) => wanted.every(([k, v]) => o.metadata.labels?.[k!] === v))
          .map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
        return send(res, 200, { kind: `${known.kind}List`, apiVersion: r.gv.replace(/^\/apis?\//, ''), metadata: {}, items });
      }
      if (req.method === 'DELETE' && r.name) {
        const existed = objects.delete(key(r.namespace, r.name));
        return send(res, existed ? 200 : 404, { kind: 'Status', status: existed ? 'Success' : 'Failure', code: existed ? 200 : 404 });
      }
      return send(res, 405, { kind: 'Status', code: 405, message: 'unsupported' });
    });
  };

  const server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert, ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: false }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    objects,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
