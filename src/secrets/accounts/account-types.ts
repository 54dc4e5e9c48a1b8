/**
 * Resource account types and the pure checks on an account's input (no store, no HTTP).
 *
 * Baton lists the account types whose credentials it can hold and hand to a driver as they are: Humanitec's
 * static-credential types `aws` (access key), `gcp` (service account key) and `azure` (service principal). Baton
 * does not talk to any cloud itself: it checks the credentials' shape, seals them, and gives them to the driver of a
 * definition that names the account (`driver_account`) in `driver.secrets.account` (template and HTTP drivers) or
 * through `credentials_config` (terraform driver). Humanitec's temporary-credential types (`aws-role`,
 * `gcp-identity`, `azure-identity`) rely on Humanitec's own cloud identity and are refused with that reason.
 */
import { InvalidInput } from '../../shared/errors.js';
import { checkId } from '../../shared/ids.js';

export type JsonObject = Record<string, unknown>;

export interface AccountType {
  type: string;
  name: string;
  /** JSON Schema of `credentials`: a flat object of strings. */
  inputs_schema: JsonObject;
}

interface CredentialField {
  name: string;
  required: boolean;
  /** Not secret: may appear in the check's identity fields (`masked`: only its last 4 characters). */
  identity?: boolean | 'masked';
}

interface TypeSpec {
  type: string;
  name: string;
  fields: readonly CredentialField[];
}

const SPECS: readonly TypeSpec[] = [
  {
    type: 'aws',
    name: 'Amazon Web Services (access key)',
    fields: [
      { name: 'aws_access_key_id', required: true, identity: 'masked' },
      { name: 'aws_secret_access_key', required: true },
      { name: 'aws_session_token', required: false },
    ],
  },
  {
    type: 'azure',
    name: 'Microsoft Azure (service principal)',
    fields: [
      { name: 'appId', required: true, identity: true },
      { name: 'password', required: true },
      { name: 'tenant', required: true, identity: true },
      { name: 'displayName', required: false, identity: true },
    ],
  },
  {
    type: 'gcp',
    name: 'Google Cloud (service account key)',
    fields: [
      { name: 'type', required: true },
      { name: 'project_id', required: true, identity: true },
      { name: 'private_key_id', required: false },
      { name: 'private_key', required: true },
      { name: 'client_email', required: true, identity: true },
      { name: 'client_id', required: false, identity: true },
      { name: 'auth_uri', required: false },
      { name: 'token_uri', required: false },
      { name: 'auth_provider_x509_cert_url', required: false },
      { name: 'client_x509_cert_url', required: false },
      { name: 'universe_domain', required: false },
    ],
  },
];

/** Humanitec's temporary-credential types: they need Humanitec's cloud identity, which a self-hosted Baton lacks. */
const TEMPORARY_TYPES = new Set(['aws-role', 'gcp-identity', 'azure-identity']);

/** Longest credential string (a GCP private key is about 1,700 characters). */
export const MAX_CREDENTIAL_CHARS = 16_384;
export const MAX_ACCOUNT_NAME_CHARS = 256;

export const ACCOUNT_TYPES: readonly AccountType[] = SPECS.map((spec) => ({
  type: spec.type,
  name: spec.name,
  inputs_schema: {
    type: 'object',
    additionalProperties: false,
    required: spec.fields.filter((f) => f.required).map((f) => f.name),
    properties: Object.fromEntries(spec.fields.map((f) => [f.name, { type: 'string', maxLength: MAX_CREDENTIAL_CHARS }])),
  },
}));

function specOf(type: string): TypeSpec {
  const spec = SPECS.find((s) => s.type === type);
  if (spec) return spec;
  if (TEMPORARY_TYPES.has(type)) {
    throw new InvalidInput(`type: "${type}" accounts use temporary credentials issued through Humanitec's cloud identity, which a self-hosted Baton does not have; use a static-credential type (${SPECS.map((s) => s.type).join(', ')})`, { field: 'type' });
  }
  throw new InvalidInput(`type: unknown account type "${type.slice(0, 64)}" (Baton supports ${SPECS.map((s) => s.type).join(', ')})`, { field: 'type' });
}

/**
 * Checks credentials against the account type: a flat object of bounded strings, every required field present and
 * no unknown field. Messages name fields, never values.
 */
export function checkCredentials(type: string, credentials: unknown): Record<string, string> {
  const spec = specOf(type);
  if (typeof credentials !== 'object' || credentials === null || Array.isArray(credentials)) {
    throw new InvalidInput('credentials: must be an object', { field: 'credentials' });
  }
  const issues: string[] = [];
  const known = new Set(spec.fields.map((f) => f.name));
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(credentials)) {
    if (!known.has(key)) issues.push(`credentials.${key.slice(0, 64)}: not a field of "${type}" accounts`);
    else if (typeof value !== 'string') issues.push(`credentials.${key}: must be a string`);
    else if (value.length > MAX_CREDENTIAL_CHARS) issues.push(`credentials.${key}: longer than ${MAX_CREDENTIAL_CHARS} characters`);
    else out[key] = value;
  }
  for (const field of spec.fields) {
    if (field.required && (out[field.name] === undefined || out[field.name] === '')) issues.push(`credentials.${field.name}: required for "${type}" accounts`);
  }
  if (issues.length > 0) throw new InvalidInput(issues.join('; '), { field: 'credentials', issues });
  return out;
}

export interface AccountInput {
  id: string;
  name: string;
  type: string;
  credentials: unknown;
}

export function checkAccountName(name: string): string {
  if (name.trim() === '' || name.length > MAX_ACCOUNT_NAME_CHARS) throw new InvalidInput(`name: must be 1–${MAX_ACCOUNT_NAME_CHARS} characters`, { field: 'name' });
  return name;
}

/** The validated input of a new account. */
export function checkNewAccount(input: AccountInput): { id: string; name: string; type: string; credentials: Record<string, string> } {
  const id = checkId('id', input.id);
  const name = checkAccountName(input.name);
  return { id, name, type: input.type, credentials: checkCredentials(input.type, input.credentials) };
}

export interface CheckField {
  id: string;
  description: string;
  value: string;
}

/**
 * What `…/actions/check` answers: the identity the credentials claim (never a secret field) and the warning that
 * Baton checked their shape only — it does not call the cloud's API.
 */
export function identityOf(type: string, credentials: Record<string, string>): { identity_fields: CheckField[]; warnings: string[] } {
  const spec = specOf(type);
  const identity_fields = spec.fields
    .filter((f) => f.identity !== undefined && f.identity !== false && credentials[f.name] !== undefined)
    .map((f) => {
      const value = credentials[f.name]!;
      return { id: f.name, description: `credentials.${f.name}`, value: f.identity === 'masked' ? `****${value.slice(-4)}` : value };
    });
  return { identity_fields, warnings: [`Baton checked the shape of the "${type}" credentials only; it does not authenticate against the cloud provider (the driver does, when it runs).`] };
}
