/**
 * `baton score validate|convert|init`: local commands (no server needed) over the Score module.
 * Output goes through injectable writers so tests can capture it. The Score module is imported by the actions
 * only, so registering these commands stays cheap.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { InvalidInput } from '../../shared/errors.js';
import type { ScoreIssue } from '../../score/index.js';
import { UsageError } from '../errors.js';
import { yaml } from '../lazy.js';

export interface ScoreCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads a text file (Score, extensions, overrides). */
  readTextFile: (path: string) => string;
  /** Reads a file named by a Score `files.*.source`. */
  readBinaryFile: (path: string) => Uint8Array;
  writeTextFile: (path: string, text: string) => void;
  fileExists: (path: string) => boolean;
  cwd: () => string;
  setExitCode: (code: number) => void;
}

export const defaultScoreIo: ScoreCommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readTextFile: (path) => readFileSync(path, 'utf8'),
  readBinaryFile: (path) => readFileSync(path),
  writeTextFile: (path, text) => writeFileSync(path, text),
  fileExists: (path) => existsSync(path),
  cwd: () => process.cwd(),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

export const STARTER_SCORE = `# A Score workload (https://score.dev). Validate it with \`baton score validate score.yaml\`
# and turn it into a deployment delta with \`baton score convert score.yaml --image <image>\`.
apiVersion: score.dev/v1b1
metadata:
  name: hello-world
containers:
  main:
    # "." means the image is supplied at deploy time (--image).
    image: .
    variables:
      GREETING: "Hello from \${metadata.name}"
      DB_HOST: "\${resources.db.host}"
      DB_PORT: "\${resources.db.port}"
service:
  ports:
    web:
      port: 80
      targetPort: 8080
resources:
  db:
    type: postgres
  dns:
    type: dns
  route:
    type: route
    params:
      host: \${resources.dns.host}
      path: /
      port: 80
`;

/** `file:line:column: field: message`, the field in the Score file's terms (`containers.main.livenessProbe`). */
export function formatScoreIssue(issue: ScoreIssue, prefix = ''): string {
  const segments = issue.path === '/' || issue.path === '' ? [] : issue.path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const field = segments.length > 0 ? `${segments.map((s) => s.replace(/\./g, '\\.')).join('.')}: ` : '';
  return `${issue.file}:${issue.line}:${issue.column}: ${prefix}${field}${issue.message}`;
}

function printIssues(io: ScoreCommandIo, issues: readonly ScoreIssue[], prefix = ''): void {
  for (const issue of issues) io.stderr(`${formatScoreIssue(issue, prefix)}\n`);
}

/** Score problems (InvalidInput with `details.issues`) are printed one per line and end the command with exit code 1. */
function reportScoreProblems(io: ScoreCommandIo, error: unknown): void {
  const issues = error instanceof InvalidInput ? (error.details.issues as ScoreIssue[] | undefined) : undefined;
  if (!issues || issues.length === 0) throw error;
  printIssues(io, issues);
  io.stderr(`${issues.length} error${issues.length === 1 ? '' : 's'}\n`);
  io.setExitCode(1);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerScoreCommands(program: Command, io: ScoreCommandIo = defaultScoreIo): void {
  const score = program.command('score').description('validate Score files and convert them to deployment deltas (runs locally)');

  score
    .command('validate')
    .description('validate Score files; prints every problem as file:line:column: message')
    .argument('<files...>', 'Score files (each may hold several --- separated workloads)')
    .option('--extensions <file>', 'also check this Humanitec extensions file against the workloads')
    .option('--strict', 'warnings are errors (exit 1)')
    .action(async (files: string[], options: { extensions?: string; strict?: boolean }) => {
      const { validateScore } = await import('../../score/index.js');
      const { loadScoreInputs, prepareScoreDelta } = await import('./score-input.js');
      let documents;
      try {
        documents = await loadScoreInputs(files, io);
      } catch (error) {
        reportScoreProblems(io, error);
        return;
      }
      const { errors, warnings, workloads } = validateScore(documents);
      const strict = options.strict === true;
      printIssues(io, warnings, strict ? 'error (--strict): ' : 'warning: ');
      const failures = errors.length + (strict ? warnings.length : 0);
      if (failures > 0) {
        printIssues(io, errors);
        io.stderr(`${failures} error${failures === 1 ? '' : 's'}\n`);
        io.setExitCode(1);
        return;
      }
      if (options.extensions !== undefined) {
        // The extensions file is checked the way a deploy reads it: against the workloads it extends.
        try {
          await prepareScoreDelta({ files, extensions: options.extensions, image: 'validate.invalid/placeholder' }, io);
        } catch (error) {
          reportScoreProblems(io, error);
          return;
        }
      }
      io.stdout(`${workloads.length} workload${workloads.length === 1 ? '' : 's'} valid: ${workloads.map((w) => w.spec.metadata.name).join(', ')}${options.extensions !== undefined ? ` (with ${options.extensions})` : ''}\n`);
      io.setExitCode(0);
    });

  score
    .command('convert')
    .description('convert Score files to a deployment delta (modules.add + shared)')
    .argument('[files...]', 'Score files (none with a --deploy-config that lists them)')
    .option('--extensions <file>', 'Humanitec extensions file (apiVersion humanitec.org/v1b1)')
    .option('--image <image>', 'image for containers whose image is "."')
    .option('-p, --property <path=value>', 'property override, YAML value, empty deletes (repeatable)', collect, [] as string[])
    .option('--overrides-file <file>', 'YAML document deep-merged into the workload before validation')
    .option('--file-root <dir>', "directory files.*.source may read from (default: the Score file's directory)")
    .option('--workload-source-url <url>', 'sets the humanitec.io/workload-source annotation of the workloads')
    .option('--deploy-config <file>', 'humctl ScoreDeployConfig listing the workloads (name, specFile, extensionsFile, image)')
    .option('--app <app>', 'application id')
    .option('--env <env>', 'environment id (sets the delta env_id)')
    .option('--name <name>', 'delta name')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'yaml'] as const).default('json' as const))
    .action(async (files: string[], options) => {
      const { prepareScoreInput } = await import('./score-input.js');
      try {
        const { delta, warnings } = await prepareScoreInput(
          {
            files,
            image: options.image,
            extensions: options.extensions,
            overridesFile: options.overridesFile,
            properties: options.property,
            fileRoot: options.fileRoot,
            workloadSourceUrl: options.workloadSourceUrl,
            deployConfig: options.deployConfig,
            appId: options.app,
            envId: options.env,
            deltaName: options.name,
          },
          io,
        );
        printIssues(io, warnings, 'warning: ');
        io.stdout(options.output === 'yaml' ? yaml().stringify(delta) : JSON.stringify(delta, null, 2) + '\n');
        io.setExitCode(0);
      } catch (error) {
        reportScoreProblems(io, error);
      }
    });

  score
    .command('init')
    .description('write a starter score.yaml in the current directory')
    .option('--force', 'overwrite an existing score.yaml')
    .action(async (options) => {
      const path = join(io.cwd(), 'score.yaml');
      if (io.fileExists(path) && !options.force) {
        throw new UsageError(`${path} already exists (use --force to overwrite)`);
      }
      const { parseScoreDocuments, validateScore } = await import('../../score/index.js');
      // The starter must always be valid: fail loudly here rather than hand users a broken file.
      const check = validateScore(parseScoreDocuments(STARTER_SCORE, 'score.yaml'));
      if (check.errors.length > 0) throw new Error(`starter score.yaml is invalid: ${check.errors[0]!.message}`);
      io.writeTextFile(path, STARTER_SCORE);
      io.stdout(`wrote ${path}\n`);
      io.setExitCode(0);
    });
}
