/**
 * Server errors pointed back at the Score files (issue 19 theme 6): a workload's placeholder at its field, a
 * resource param at the param, a shared resource in every file that declares it; messages in Score terms.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScoreDocuments } from '../../score/index.js';
import { locateServerError } from './score-input.js';

const web = parseScoreDocuments(
  `apiVersion: score.dev/v1b1
metadata: {name: web}
containers:
  main:
    image: nginx
    variables:
      DB: \${resources.db.hots}
      MODE: \${resources.env.MODE}
    files:
      /etc/app.conf:
        content: "cache=\${resources.cache.host}"
resources:
  db: {type: postgres}
  env: {type: environment}
  cache: {type: redis, id: main-cache}
  api:
    type: service-port
    params: {workload: apii, port: http}
`,
  'web.yaml',
);
const worker = parseScoreDocuments('apiVersion: score.dev/v1b1\nmetadata: {name: worker}\ncontainers: {main: {image: busybox}}\nresources:\n  cache: {type: redis, id: main-cache}\n', 'worker.yaml');
const documents = [...web, ...worker];
const lines = (message: string) => locateServerError(message, documents).map((i) => `${i.file}:${i.line}:${i.column} ${i.path} ${i.message}`);

describe('locateServerError', () => {
  it('a placeholder in a variable or file: at the field, in Score terms', () => {
    assert.deepEqual(lines('the deployment would fail: workload "web": placeholder "${externals.db.hots}": the resource has no output "hots" (did you mean "host"?) at /containers/main/variables/DB (HTTP 400 on POST /x)'), [
      'web.yaml:7:11 /containers/main/variables/DB placeholder "${resources.db.hots}": the resource has no output "hots" (did you mean "host"?)',
    ]);
    assert.deepEqual(lines('workload "web": placeholder "${values.MODE}": the value "MODE" is not set at /containers/main/files/~1etc~1app.conf/value'), [
      'web.yaml:11:18 /containers/main/files/~1etc~1app.conf/content placeholder "${resources.env.MODE}": the value "MODE" is not set',
    ]);
    assert.deepEqual(lines('placeholder "${shared.main-cache.hots}" at modules.web.spec/containers/main/files/~1etc~1app.conf/value: nope'), [
      'web.yaml:11:18 /containers/main/files/~1etc~1app.conf/content placeholder "${resources.cache.hots}": nope',
    ]);
  });

  it('a resource param at the param; a shared resource in every declaring file', () => {
    assert.deepEqual(lines("modules.web.externals.api params.workload: unknown workload 'apii' (did you mean 'api'?)"), [
      "web.yaml:18:24 /resources/api/params/workload modules.web.externals.api params.workload: unknown workload 'apii' (did you mean 'api'?)",
    ]);
    assert.deepEqual(lines('unknown resource type "rediss" for shared.main-cache'), [
      'web.yaml:15:10 /resources/cache unknown resource type "rediss" for shared.main-cache',
      'worker.yaml:5:10 /resources/cache unknown resource type "rediss" for shared.main-cache',
    ]);
    assert.deepEqual(lines('something about modules.other.externals.x'), []);
  });
});
