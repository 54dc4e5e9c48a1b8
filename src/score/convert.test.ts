import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { InvalidInput } from '../shared/errors.js';
import { convertScoreToDelta, parseScoreDocuments, validateScore } from './index.js';
import type { ScoreIssue } from './index.js';

// The score + extensions pair of orchestrator-semantics §9.5.
const pairScore = `apiVersion: score.dev/v1b1
metadata: {name: hello-world}
service: {ports: {www: {port: 8080, targetPort: 3000}}}
containers:
  hello-world:
    image: .
    variables: {DB_HOST: "\${resources.db.host}", MESSAGE: "\${resources.env.MESSAGE}"}
resources:
  env: {type: environment}
  db: {type: postgres}
  dns: {type: dns}
  route: {type: route, params: {host: "\${resources.dns.host}", path: /, port: 8080}}
`;
const pairExtensions = parse(`apiVersion: humanitec.org/v1b1
profile: humanitec/default-module
spec:
  pod: {annotations: {billing-code: MyBilling-CODE}}
  deployment: {replicas: 2}
deploy: {when: before, success: complete, timeout: 300}
`) as unknown;

function issuesOf(fn: () => unknown): ScoreIssue[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof InvalidInput, String(error));
    return error.details.issues as ScoreIssue[];
  }
  assert.fail('expected InvalidInput');
}

test('§9.5 pair: score + extensions become the documented delta', () => {
  const delta = convertScoreToDelta(parseScoreDocuments(pairScore, 'score.yaml'), {
    image: 'registry.example.com/hello:1.0',
    extensions: pairExtensions,
    envId: 'development',
  });
  assert.deepEqual(delta, {
    metadata: { name: 'Auto-generated (SCORE)', env_id: 'development' },
    modules: {
      add: {
        'hello-world': {
          profile: 'humanitec/default-module',
          spec: {
            containers: {
              'hello-world': {
                id: 'hello-world',
                image: 'registry.example.com/hello:1.0',
                variables: { DB_HOST: '${externals.db.host}', MESSAGE: '${values.MESSAGE}' },
              },
            },
            service: { ports: { www: { protocol: 'TCP', service_port: 8080, container_port: 3000 } } },
            pod: { annotations: { 'billing-code': 'MyBilling-CODE' } },
            deployment: { replicas: 2 },
          },
          externals: {
            db: { type: 'postgres', class: 'default' },
            dns: { type: 'dns', class: 'default' },
            route: { type: 'route', class: 'default', params: { host: '${externals.dns.host}', path: '/', port: 8080 } },
          },
          deploy: { when: 'before', success: 'complete', timeout: 300 },
        },
      },
    },
    shared: [],
  });
});

test('§9.5 pair with the dns shared by id: shared add, ${shared.<id>.host} references', () => {
  const score = pairScore.replace('dns: {type: dns}', 'dns: {type: dns, id: hello-dns}');
  const delta = convertScoreToDelta(parseScoreDocuments(score, 'score.yaml'), { image: 'img:1', extensions: pairExtensions });
  const module = delta.modules.add['hello-world']!;
  assert.deepEqual(delta.shared, [{ op: 'add', path: '/hello-dns', value: { type: 'dns', class: 'default' } }]);
  assert.equal(module.externals?.dns, undefined);
  assert.deepEqual(module.externals?.route?.params, { host: '${shared.hello-dns.host}', path: '/', port: 8080 });
  assert.deepEqual(module.spec.deployment, { replicas: 2 });
});

test('image "." without an image option is an error at the image line', () => {
  const issues = issuesOf(() => convertScoreToDelta(parseScoreDocuments(pairScore, 'score.yaml')));
  assert.equal(issues.length, 1);
  assert.equal(issues[0]!.path, '/containers/hello-world/image');
  assert.equal(issues[0]!.line, 6);
});

const fullScore = `apiVersion: score.dev/v1b1
metadata:
  name: web
  team: {name: blue}
containers:
  main:
    image: nginx:1
    command: ["/bin/sh", "-c", "echo \${metadata.name}"]
    args: ["\${resources.db.host}"]
    variables:
      URL: "postgres://\${resources.db.username}@\${resources.db.host}:\${resources.db.port}/x"
      TEAM: "\${metadata.team}"
      LITERAL: "$\${not.a.placeholder} costs $$5"
    files:
      /etc/app/config.txt:
        mode: "0600"
        content: "name=\${metadata.name} host=\${resources.db.host}"
      /etc/app/raw.txt:
        content: "keep \${this}"
        noExpand: true
      /etc/app/bin.txt:
        binaryContent: aGVsbG8gJHt4fQ==
      /etc/app/from-source.txt:
        source: ./conf/source.txt
    volumes:
      /data:
        source: \${resources.vol}
        path: sub
        readOnly: true
    resources:
      limits: {cpu: 500m, memory: 256Mi}
    livenessProbe:
      httpGet: {path: /healthz, port: 8080, httpHeaders: [{name: X-A, value: b}]}
    readinessProbe:
      exec: {command: [cat, /tmp/ready]}
resources:
  db: {type: postgres, class: large}
  vol: {type: volume}
  queue: {type: amqp, annotations-free: null}
`.replace('  queue: {type: amqp, annotations-free: null}\n', '');

test('containers convert with substituted variables/files/volumes and verbatim command/args', () => {
  const read: string[] = [];
  const delta = convertScoreToDelta(parseScoreDocuments(fullScore, '/srv/app/score.yaml'), {
    readFile: (path) => {
      read.push(path);
      return new TextEncoder().encode('from ${metadata.name}');
    },
  });
  assert.deepEqual(read, ['/srv/app/conf/source.txt']);
  const module = delta.modules.add.web!;
  const container = (module.spec.containers as Record<string, Record<string, unknown>>).main!;
  assert.deepEqual(container.command, ['/bin/sh', '-c', 'echo ${metadata.name}']);
  assert.deepEqual(container.args, ['${resources.db.host}']);
  assert.deepEqual(container.variables, {
    URL: 'postgres://${externals.db.username}@${externals.db.host}:${externals.db.port}/x',
    TEAM: '{"name":"blue"}',
    LITERAL: '$\\{not.a.placeholder} costs $5',
  });
  assert.deepEqual(container.files, {
    '/etc/app/config.txt': { mode: '0600', value: 'name=web host=${externals.db.host}' },
    '/etc/app/raw.txt': { value: 'keep $\\{this}' },
    '/etc/app/bin.txt': { value: 'hello $\\{x}' },
    '/etc/app/from-source.txt': { value: 'from web' },
  });
  assert.deepEqual(container.volume_mounts, { '/data': { id: 'externals.vol', sub_path: 'sub', read_only: true } });
  assert.deepEqual(container.resources, { limits: { cpu: '500m', memory: '256Mi' } });
  assert.deepEqual(container.liveness_probe, { type: 'http', path: '/healthz', port: 8080, headers: { 'X-A': 'b' } });
  assert.deepEqual(container.readiness_probe, { type: 'command', command: ['cat', '/tmp/ready'] });
  assert.deepEqual(module.externals, { db: { type: 'postgres', class: 'large' }, vol: { type: 'volume', class: 'default' } });
});

test('a file source that cannot be read is reported with its path', () => {
  const issues = issuesOf(() =>
    convertScoreToDelta(parseScoreDocuments(fullScore, '/srv/app/score.yaml'), {
      readFile: () => {
        throw new Error('ENOENT: no such file');
      },
    }),
  );
  assert.equal(issues.length, 1);
  assert.match(issues[0]!.message, /conf\/source\.txt.*ENOENT/);
  assert.equal(issues[0]!.path, '/containers/main/files/~1etc~1app~1from-source.txt/source');
});

test('property overrides and an overrides document are applied before validation', () => {
  const documents = parseScoreDocuments(pairScore, 'score.yaml');
  const delta = convertScoreToDelta(documents, {
    overrides: { containers: { 'hello-world': { image: 'busybox:1' } } },
    properties: ['containers.hello-world.variables.EXTRA="8080"', 'containers.hello-world.variables.MESSAGE=', 'resources.route='],
  });
  const container = (delta.modules.add['hello-world']!.spec.containers as Record<string, Record<string, unknown>>)['hello-world']!;
  assert.equal(container.image, 'busybox:1');
  assert.deepEqual(container.variables, { DB_HOST: '${externals.db.host}', EXTRA: '8080' });
  assert.equal(delta.modules.add['hello-world']!.externals?.route, undefined);
  // An override that breaks the schema is reported like any other schema error.
  const issues = issuesOf(() => convertScoreToDelta(documents, { image: 'x', properties: ['containers.hello-world.variables.PORT=8080'] }));
  assert.match(issues[0]!.message, /8080 is not a string/);
});

test('extensions with a wrong apiVersion or deploy condition are rejected', () => {
  const issues = issuesOf(() =>
    convertScoreToDelta(parseScoreDocuments(pairScore, 'score.yaml'), {
      image: 'x',
      extensions: { apiVersion: 'score.dev/v1b1', deploy: { when: 'later' } },
    }),
  );
  assert.deepEqual(issues.map((issue) => issue.path).sort(), ['/apiVersion', '/deploy/when']);
});

test('extension spec placeholders are rewritten, keys included, and override the generated spec', () => {
  const delta = convertScoreToDelta(parseScoreDocuments(pairScore, 'score.yaml'), {
    image: 'x',
    extensions: {
      apiVersion: 'humanitec.org/v1b1',
      spec: { ingress: { rules: { '${resources.dns}': { http: { '/': { type: 'prefix', port: 80 } } } } }, labels: { env: '${resources.env.ENV}' } },
    },
  });
  const spec = delta.modules.add['hello-world']!.spec;
  assert.deepEqual(spec.ingress, { rules: { 'externals.dns': { http: { '/': { type: 'prefix', port: 80 } } } } });
  assert.deepEqual(spec.labels, { env: '${values.ENV}' });
  assert.equal(delta.modules.add['hello-world']!.profile, 'humanitec/default-module');
});

test('several workloads share one resource by id and each becomes a module', () => {
  const text = `apiVersion: score.dev/v1b1
metadata: {name: wa}
containers: {main: {image: nginx}}
resources: {qq: {type: amqp, id: orders}}
---
apiVersion: score.dev/v1b1
metadata: {name: wb}
containers: {main: {image: nginx, variables: {Q: "\${resources.queue.host}"}}}
resources: {queue: {type: amqp, id: orders, params: {durable: true}}}
`;
  const delta = convertScoreToDelta(parseScoreDocuments(text, 'multi.yaml'));
  assert.deepEqual(Object.keys(delta.modules.add), ['wa', 'wb']);
  assert.deepEqual(delta.shared, [{ op: 'add', path: '/orders', value: { type: 'amqp', class: 'default', params: { durable: true } } }]);
  const b = (delta.modules.add.wb!.spec.containers as Record<string, Record<string, unknown>>).main!;
  assert.deepEqual(b.variables, { Q: '${shared.orders.host}' });
});

test('validated workloads can be converted without re-validation', () => {
  const { workloads } = validateScore(parseScoreDocuments(pairScore, 'score.yaml'));
  const delta = convertScoreToDelta(workloads, { image: 'img:2' });
  assert.equal((delta.modules.add['hello-world']!.spec.containers as Record<string, { image: string }>)['hello-world']!.image, 'img:2');
  assert.throws(() => convertScoreToDelta(workloads, { image: 'x', envId: 'Not_An_Id' }), InvalidInput);
});

// issue #19 theme 1 (score-humanitec internal/humanitec/convert.go, templates.go at 4dffdd2): shared resources that
// differ only by class are two resources, keyed `<id>-class-<class>` with `id: shared.<id>`.
test('shared resources of the same id but another class stay apart, named <id>-class-<class>', () => {
  const text = `apiVersion: score.dev/v1b1
metadata: {name: wa}
containers: {main: {image: nginx, variables: {A: "\${resources.s3.bucket}", B: "\${resources.admin.bucket}"}}}
resources:
  s3: {type: s3, id: main-s3}
  admin: {type: s3, id: main-s3, class: admin}
---
apiVersion: score.dev/v1b1
metadata: {name: wb}
containers: {main: {image: nginx, variables: {C: "\${resources.db.host}", D: "\${resources.db2.host}"}}}
resources:
  db: {type: postgres, metadata: {annotations: {score.humanitec.io/resId: shared.main-db}}}
  db2: {type: postgres, class: replica, metadata: {annotations: {score.humanitec.io/resId: shared.main-db}}}
`;
  const delta = convertScoreToDelta(parseScoreDocuments(text, 'multi.yaml'));
  assert.deepEqual(delta.shared, [
    { op: 'add', path: '/main-s3', value: { type: 's3', class: 'default' } },
    { op: 'add', path: '/main-s3-class-admin', value: { type: 's3', class: 'admin', id: 'shared.main-s3' } },
    { op: 'add', path: '/main-db', value: { type: 'postgres', class: 'default' } },
    { op: 'add', path: '/main-db-class-replica', value: { type: 'postgres', class: 'replica', id: 'shared.main-db' } },
  ]);
  const a = (delta.modules.add.wa!.spec.containers as Record<string, Record<string, unknown>>).main!;
  assert.deepEqual(a.variables, { A: '${shared.main-s3.bucket}', B: '${shared.main-s3-class-admin.bucket}' });
  const b = (delta.modules.add.wb!.spec.containers as Record<string, Record<string, unknown>>).main!;
  assert.deepEqual(b.variables, { C: '${shared.main-db.host}', D: '${shared.main-db-class-replica.host}' });
});

test('one shared id and class declared with two types is an error, not a silent merge', () => {
  const text = `apiVersion: score.dev/v1b1
metadata: {name: wa}
containers: {main: {image: nginx}}
resources: {aa: {type: postgres, id: shared-x}, bb: {type: redis, id: shared-x}}
`;
  const issues = issuesOf(() => convertScoreToDelta(parseScoreDocuments(text, 'score.yaml')));
  assert.equal(issues.length, 1);
  assert.equal(issues[0]!.path, '/resources/bb/type');
  assert.match(issues[0]!.message, /already declared with type 'postgres'/);
});

// issue #19 theme 5 (score-humanitec parseResourceId): modules.<w>.externals.<r> annotations.
test('a modules.<w>.externals.<r> annotation refers to that module\'s resource; its own module declares it', () => {
  const text = `apiVersion: score.dev/v1b1
metadata: {name: wa}
containers: {main: {image: nginx, variables: {H: "\${resources.other.host}", O: "\${resources.own.host}"}}}
resources:
  other: {type: postgres, metadata: {annotations: {score.humanitec.io/resId: modules.wb.externals.db}}}
  own: {type: redis, metadata: {annotations: {score.humanitec.io/resId: modules.wa.externals.cache}}}
  bad: {type: redis, metadata: {annotations: {score.humanitec.io/resId: elsewhere.cache}}}
`;
  const issues = issuesOf(() => convertScoreToDelta(parseScoreDocuments(text, 'score.yaml')));
  assert.deepEqual(issues.map((issue) => issue.path), ['/resources/bad/metadata/annotations/score.humanitec.io~1resId']);
  const delta = convertScoreToDelta(parseScoreDocuments(text.replace(/\n {2}bad:.*\n/, '\n'), 'score.yaml'));
  const module = delta.modules.add.wa!;
  assert.deepEqual((module.spec.containers as Record<string, Record<string, unknown>>).main!.variables, {
    H: '${modules.wb.externals.db.host}',
    O: '${externals.cache.host}',
  });
  assert.deepEqual(module.externals, { cache: { type: 'redis', class: 'default' } });
});

// issue #19 theme 2: probe scheme and host survive the conversion; workload annotations reach the module spec.
test('probe scheme and host are kept; workload annotations and the workload source become spec annotations', () => {
  const text = `apiVersion: score.dev/v1b1
metadata: {name: web, annotations: {example.com/team: blue, example.com/raw: "\${not-a-placeholder}"}}
containers:
  main:
    image: nginx
    livenessProbe: {httpGet: {scheme: HTTPS, host: 127.0.0.1, path: /healthz, port: 8443}}
`;
  const delta = convertScoreToDelta(parseScoreDocuments(text, 'score.yaml'), { workloadSourceUrl: 'https://git.example.com/web' });
  const spec = delta.modules.add.web!.spec;
  assert.deepEqual((spec.containers as Record<string, Record<string, unknown>>).main!.liveness_probe, {
    type: 'http',
    path: '/healthz',
    port: 8443,
    scheme: 'HTTPS',
    host: '127.0.0.1',
  });
  assert.deepEqual(spec.annotations, {
    'example.com/team': 'blue',
    'example.com/raw': '$\\{not-a-placeholder}',
    'humanitec.io/workload-source': 'https://git.example.com/web',
  });
});

// issue #26 item 4: file sources outside the Score file's directory are refused before anything is read.
test('a file source outside the Score file directory is refused unless a wider file root is given', () => {
  const score = (source: string) => `apiVersion: score.dev/v1b1
metadata: {name: web}
containers: {main: {image: nginx, files: {/etc/x: {source: "${source}"}}}}
`;
  for (const source of ['/etc/passwd', '../secrets/key.pem', 'conf/../../key.pem']) {
    const read: string[] = [];
    const issues = issuesOf(() =>
      convertScoreToDelta(parseScoreDocuments(score(source), '/srv/repo/app/score.yaml'), {
        readFile: (path) => {
          read.push(path);
          return 'x';
        },
      }),
    );
    assert.deepEqual(read, [], `${source} must not be read`);
    assert.equal(issues.length, 1);
    assert.match(issues[0]!.message, /is outside the Score file's directory \/srv\/repo\/app/);
    assert.equal(issues[0]!.path, '/containers/main/files/~1etc~1x/source');
  }
  const read: string[] = [];
  const delta = convertScoreToDelta(parseScoreDocuments(score('../shared/common.conf'), '/srv/repo/app/score.yaml'), {
    fileRoot: '/srv/repo',
    readFile: (path) => {
      read.push(path);
      return 'common';
    },
  });
  assert.deepEqual(read, ['/srv/repo/shared/common.conf']);
  assert.deepEqual((delta.modules.add.web!.spec.containers as Record<string, Record<string, unknown>>).main!.files, { '/etc/x': { value: 'common' } });
  const outside = issuesOf(() => convertScoreToDelta(parseScoreDocuments(score('/etc/passwd'), '/srv/repo/app/score.yaml'), { fileRoot: '/srv/repo', readFile: () => 'x' }));
  assert.match(outside[0]!.message, /outside the allowed file root \/srv\/repo/);
});
