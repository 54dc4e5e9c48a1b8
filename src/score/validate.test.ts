import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInput } from '../shared/errors.js';
import { assertValidScore, parseScoreDocuments, validateScore } from './index.js';

test('the vendored Score schema is the official file, byte for byte', () => {
  const bytes = readFileSync(join(import.meta.dirname, 'schema', 'score-v1b1.json'));
  assert.equal(createHash('sha256').update(bytes).digest('hex'), 'd326c718112ceff4bb90a32e997cc81e9067b00a93516c7d6b715018a3ece940');
});

const threeMistakes = `apiVersion: score.dev/v1b1
metadata:
  name: shop
containers:
  web:
    image: nginx
    variables:
      PORT: 8080
      DB: "\${resources.database.host}"
    before:
      web: {ready: started}
resources:
  db: {type: postgres}
`;

test('a file with three different mistakes reports all three with line and column', () => {
  const { errors } = validateScore(parseScoreDocuments(threeMistakes, 'shop.yaml'));
  assert.deepEqual(
    errors.map((issue) => [issue.path, issue.line, issue.column]),
    [
      ['/containers/web/variables/PORT', 8, 13],
      ['/containers/web/variables/DB', 9, 11],
      ['/containers/web/before/web', 11, 12],
    ],
  );
  assert.equal(errors[0]!.message, '8080 is not a string (quote the value in YAML)');
  assert.match(errors[1]!.message, /no resource named 'database' is declared \(declared: db\)/);
  assert.match(errors[2]!.message, /cannot be started before itself/);
});

test('schema mistakes in one document and semantic mistakes in another are all reported', () => {
  const text = `${threeMistakes}---
apiVersion: score.dev/v1b1
metadata: {name: other}
containers:
  main: {image: x, variables: {A: "\${metadata.missing}", B: "\${secrets.x}", C: "\${resources}"}}
`;
  const { errors } = validateScore(parseScoreDocuments(text, 'two.yaml'));
  assert.deepEqual(
    errors.map((issue) => `${issue.line}:${issue.column} ${issue.path}`),
    [
      '8:13 /containers/web/variables/PORT',
      '9:11 /containers/web/variables/DB',
      '11:12 /containers/web/before/web',
      '18:35 /containers/main/variables/A',
      '18:61 /containers/main/variables/B',
      '18:80 /containers/main/variables/C',
    ],
  );
  assert.match(errors[3]!.message, /metadata has no key 'missing'/);
  assert.match(errors[4]!.message, /unknown first element 'secrets'/);
  assert.match(errors[5]!.message, /malformed/);
});

test('before: unknown containers and cycles are errors', () => {
  const text = `apiVersion: score.dev/v1b1
metadata: {name: app}
containers:
  aa: {image: x, before: {bb: {ready: started}}}
  bb: {image: x, before: {cc: {ready: healthy}}, readinessProbe: {exec: {command: ["true"]}}}
  cc: {image: x, before: {aa: {ready: complete}, zz: {ready: started}}}
`;
  const messages = validateScore(parseScoreDocuments(text, 'app.yaml')).errors.map((issue) => issue.message);
  assert.equal(messages.length, 2, messages.join('\n'));
  assert.match(messages[0]!, /unknown container 'zz'/);
  assert.match(messages[1]!, /cycle: aa -> bb -> cc -> aa/);
});

test('placeholders: ${resources.NAME} alone only as a volume source; noExpand content is not checked', () => {
  const text = `apiVersion: score.dev/v1b1
metadata: {name: app}
containers:
  main:
    image: x
    variables: {A: "\${resources.vol}"}
    files:
      /a: {content: "\${anything.goes}", noExpand: true}
    volumes:
      /data: {source: "\${resources.vol}"}
resources:
  vol: {type: volume, params: {size: "\${resources.nothere.size}"}}
`;
  const { errors } = validateScore(parseScoreDocuments(text, 'app.yaml'));
  assert.deepEqual(
    errors.map((issue) => issue.path),
    ['/containers/main/variables/A', '/resources/vol/params/size'],
  );
  assert.match(errors[0]!.message, /needs an output key/);
});

test('the same shared resource declared with different params is an error naming the uid', () => {
  const text = `apiVersion: score.dev/v1b1
metadata: {name: one}
containers: {main: {image: x}}
resources: {db: {type: postgres, id: main-db, params: {size: small}}}
---
apiVersion: score.dev/v1b1
metadata: {name: two}
containers: {main: {image: x}}
resources: {database: {type: postgres, id: main-db, params: {size: large}}}
---
apiVersion: score.dev/v1b1
metadata: {name: one}
containers: {main: {image: x}}
`;
  const { errors } = validateScore(parseScoreDocuments(text, 'many.yaml'));
  assert.equal(errors.length, 2, JSON.stringify(errors));
  assert.match(errors[0]!.message, /workload name 'one' is already used/);
  assert.match(errors[1]!.message, /resource 'postgres\.default#main-db': multiple definitions with different params/);
  assert.equal(errors[1]!.line, 9);
});

test('YAML syntax errors and non-map documents are reported with positions', () => {
  const syntax = validateScore(parseScoreDocuments('apiVersion: score.dev/v1b1\nmetadata: {name: x\n', 'bad.yaml')).errors;
  assert.ok(syntax.length >= 1);
  assert.match(syntax[0]!.message, /invalid YAML/);
  assert.ok(syntax[0]!.line >= 2);
  const list = validateScore(parseScoreDocuments('- a\n- b\n', 'list.yaml')).errors;
  assert.match(list[0]!.message, /must be a YAML map/);
});

test('assertValidScore throws InvalidInput with details.issues', () => {
  assert.throws(
    () => assertValidScore(parseScoreDocuments(threeMistakes, 'shop.yaml')),
    (error: unknown) =>
      error instanceof InvalidInput &&
      Array.isArray(error.details.issues) &&
      error.message.includes('shop.yaml:8:13: containers.web.variables.PORT: 8080 is not a string'),
  );
});

test('deprecated array entries without a target are errors at the entry', () => {
  const text = `apiVersion: score.dev/v1b1
metadata: {name: app}
containers:
  main:
    image: x
    files:
      - content: hello
`;
  const { errors } = validateScore(parseScoreDocuments(text, 'app.yaml'));
  assert.equal(errors[0]!.path, '/containers/main/files/0/target');
  assert.equal(errors[0]!.line, 7);
});

// Issue #19 theme 3: checks the reference provisioners make, caught at validate rather than at deploy.
test('ready: healthy without a probe, resource params in a cycle and wrong route params are errors at their lines', () => {
  const text = `apiVersion: score.dev/v1b1
metadata: {name: app}
service: {ports: {web: {port: 8080}}}
containers:
  init: {image: x, before: {main: {ready: healthy}}}
  main: {image: x}
resources:
  aa: {type: thing, params: {b: "\${resources.bb.x}"}}
  bb: {type: thing, params: {a: "\${resources.aa.y}"}}
  rr: {type: route, params: {host: "", path: api, port: 9090}}
  ok: {type: route, params: {host: example.com, path: /, port: 8080}}
`;
  const errors = validateScore(parseScoreDocuments(text, 'app.yaml')).errors;
  const byPath = Object.fromEntries(errors.map((issue) => [issue.path, issue]));
  assert.deepEqual(Object.keys(byPath).sort(), [
    '/containers/init/before/main/ready',
    '/resources/aa/params',
    '/resources/rr/params/host',
    '/resources/rr/params/path',
    '/resources/rr/params/port',
  ]);
  assert.match(byPath['/containers/init/before/main/ready']!.message, /ready 'healthy' needs a readinessProbe or livenessProbe on container 'init'/);
  assert.equal(byPath['/containers/init/before/main/ready']!.line, 5);
  assert.match(byPath['/resources/aa/params']!.message, /cycle: aa -> bb -> aa/);
  assert.match(byPath['/resources/rr/params/port']!.message, /port 9090 is not a port of the workload's service \(published: 8080\)/);
  assert.equal(byPath['/resources/rr/params/port']!.line, 10);
});

// Issue #19 theme 6: unknown names get a suggestion.
test('a mistyped resource name or metadata key gets a "did you mean"', () => {
  const text = `apiVersion: score.dev/v1b1
metadata: {name: app, team: blue}
containers:
  main: {image: x, variables: {A: "\${resources.datbase.host}", B: "\${metadata.taem}"}}
resources:
  database: {type: postgres}
`;
  const messages = validateScore(parseScoreDocuments(text, 'app.yaml')).errors.map((issue) => issue.message);
  assert.ok(messages.some((m) => m.includes("no resource named 'datbase' is declared (did you mean 'database'?)")), messages.join('\n'));
  assert.ok(messages.some((m) => m.includes("metadata has no key 'taem' (did you mean 'team'?)")), messages.join('\n'));
});

// Issue 19: service-port params, and warnings for a likely mistyped resource type or output.
test('a service-port naming a port its workload (validated alongside) does not publish is an error at the param, with the port meant', () => {
  const target = 'apiVersion: score.dev/v1b1\nmetadata: {name: api}\ncontainers: {main: {image: nginx}}\nservice:\n  ports:\n    http: {port: 8080}\n';
  const user = `apiVersion: score.dev/v1b1
metadata: {name: web}
containers: {main: {image: nginx}}
resources:
  api:
    type: service-port
    params:
      workload: api
      port: htp
  other:
    type: service-port
    params: {workload: elsewhere, port: grpc}
  broken:
    type: service-port
`;
  const { errors } = validateScore([...parseScoreDocuments(target, 'api.yaml'), ...parseScoreDocuments(user, 'web.yaml')]);
  assert.deepEqual(
    errors.map((e) => [e.file, e.line, e.column, e.path, e.message]),
    [
      ['web.yaml', 9, 13, '/resources/api/params/port', "service-port 'api': workload 'api' has no service port 'htp' (did you mean 'http'?); its ports: http"],
      ['web.yaml', 14, 5, '/resources/broken', "service-port 'broken' needs the param 'workload' (the name of the workload to connect to)"],
      ['web.yaml', 14, 5, '/resources/broken', "service-port 'broken' needs the param 'port' (a port name of that workload's service)"],
    ],
    'a workload not validated alongside (elsewhere) is left to the plan',
  );
  // The port number as a string names the port too (the reference provisioners' alias).
  assert.deepEqual(validateScore([...parseScoreDocuments(target, 'api.yaml'), ...parseScoreDocuments(user.replace('port: htp', 'port: "8080"').replace(/ {2}broken:\n {4}type: service-port\n/, ''), 'web.yaml')]).errors, []);
});

test('a resource type or output close to a standard one is a warning with the name meant', () => {
  const text = `apiVersion: score.dev/v1b1
metadata: {name: web}
containers:
  main:
    image: nginx
    variables:
      DB: \${resources.db.hots}
      CUSTOM: \${resources.db.replica_host}
resources:
  db: {type: postgres}
  cache: {type: rediss}
  own: {type: acme-queue}
`;
  const { errors, warnings } = validateScore(parseScoreDocuments(text, 'web.yaml'));
  assert.deepEqual(errors, []);
  assert.deepEqual(
    warnings.map((w) => [w.line, w.column, w.path, w.message]),
    [
      [11, 17, '/resources/cache/type', "resource 'cache': 'rediss' is no standard resource type (did you mean 'redis'?)"],
      [7, 11, '/containers/main/variables/DB', "placeholder ${resources.db.hots}: a postgres resource has no standard output 'hots' (did you mean 'host'?)"],
    ],
    'an output far from every standard one (a definition may add outputs) and a type far from every standard one are not warned about',
  );
});

test('an environment value in resource params is an error at validate time (Baton resolves them in workloads only)', () => {
  const text = 'apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx}}\nresources:\n  env: {type: environment}\n  dns:\n    type: dns\n    params: {subdomain: "${resources.env.SUB}"}\n';
  const { errors } = validateScore(parseScoreDocuments(text, 'web.yaml'));
  assert.deepEqual(
    errors.map((e) => [e.line, e.path, e.message.split(':')[0]]),
    [[8, '/resources/dns/params/subdomain', 'placeholder ${resources.env.SUB}']],
  );
  assert.match(errors[0]!.message, /environment values cannot be used in resource params/);
});
