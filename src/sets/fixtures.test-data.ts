/** Humanitec-shaped fixtures (orchestrator-semantics §9.1/§9.2), written as the JSON a client would send. */
export const delta91 = {
  metadata: { env_id: 'development', name: 'Add redis, bump image' },
  modules: {
    add: {
      'service-a': {
        profile: 'humanitec/default-module',
        externals: { db: { type: 'postgres', class: 'default' } },
        spec: {
          containers: {
            'service-a': {
              id: 'service-a',
              image: 'busybox:1.36',
              variables: {
                DB_URL: 'postgresql://${externals.db.username}:${externals.db.password}@${externals.db.host}:${externals.db.port}/${externals.db.name}',
                API_KEY: '${values.STRIPE_API_KEY}',
              },
            },
          },
          service: { ports: { www: { protocol: 'TCP', service_port: 80, container_port: 8080 } } },
        },
      },
    },
    remove: ['legacy-worker'],
    update: {
      'module-one': [{ op: 'replace', path: '/spec/containers/core-service/image', value: 'registry.example.com/core:1.4.0' }],
    },
  },
  shared: [{ op: 'add', path: '/api-dns', value: { type: 'dns' } }],
};

/** §9.2: the set expected after applying `delta91` to the empty set (remove/update of absent modules ignored). */
export const set92 = {
  version: 0,
  modules: {
    'service-a': {
      profile: 'humanitec/default-module',
      externals: { db: { type: 'postgres', class: 'default' } },
      spec: delta91.modules.add['service-a'].spec,
    },
  },
  shared: { 'api-dns': { type: 'dns' } },
};
