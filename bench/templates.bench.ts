/** Renders a ~200-line template 10,000 times (compiled once) and records renders per second. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseTemplate } from '../src/templates/index.js';

const block = `- name: {{ .name | quote }}
  image: {{ printf "%s:%s" .image.repo .image.tag }}
  replicas: {{ .replicas }}
  {{- if .ports }}
  ports:
  {{- range $name, $port := .ports }}
  - name: {{ $name }}
    containerPort: {{ $port }}
  {{- end }}
  {{- end }}
  env:
  {{- range $k, $v := .env }}
  - name: {{ upper $k }}
    value: {{ $v | toString | quote }}
  {{- end }}
  labels:{{ toYaml .labels | nindent 4 }}
  hash: {{ .name | sha256sum | trunc 8 }}
`;
// 12 copies of a 17-line block inside a range give ~200 template lines
const source = 'items:\n' + Array.from({ length: 12 }, () => `{{- with .svc }}\n${block}{{- end }}`).join('\n') + '\n';
const data = {
  svc: {
    name: 'web',
    image: { repo: 'registry.example.com/web', tag: '1.4.0' },
    replicas: 3,
    ports: { http: 8080, metrics: 9090 },
    env: { log_level: 'info', workers: 4, debug: false },
    labels: { app: 'web', tier: 'frontend' },
  },
};

const iterations = 10_000;
const compiled = parseTemplate(source, { name: 'bench' });
for (let i = 0; i < 500; i++) compiled.execute(data);
const start = process.hrtime.bigint();
let bytes = 0;
for (let i = 0; i < iterations; i++) bytes += compiled.execute(data).length;
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const lines = source.split('\n').length;
const rendersPerSecond = Math.round(iterations / seconds);
const parseStart = process.hrtime.bigint();
for (let i = 0; i < 1000; i++) parseTemplate(source);
const parsesPerSecond = Math.round(1000 / (Number(process.hrtime.bigint() - parseStart) / 1e9));

console.log(`template lines: ${lines}, output bytes/render: ${bytes / iterations}`);
console.log(`renders/second: ${rendersPerSecond} (${iterations} renders in ${seconds.toFixed(2)} s)`);
console.log(`parses/second: ${parsesPerSecond}`);

const resultsUrl = new URL('./results/templates.json', import.meta.url);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
function readExisting(): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(resultsUrl, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
const existing = readExisting();
existing.render = {
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
  date: new Date().toISOString(),
  templateLines: lines,
  iterations,
  seconds: Number(seconds.toFixed(3)),
  rendersPerSecond,
  parsesPerSecond,
};
writeFileSync(resultsUrl, JSON.stringify(existing, null, 2) + '\n');
