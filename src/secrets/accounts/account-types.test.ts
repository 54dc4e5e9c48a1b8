import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInput } from '../../shared/errors.js';
import { ACCOUNT_TYPES, checkCredentials, checkNewAccount, identityOf } from './account-types.js';

const AWS = { aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE', aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

describe('resource account types', () => {
  it('lists the static-credential types with a JSON Schema of their credentials', () => {
    assert.deepEqual(ACCOUNT_TYPES.map((t) => t.type), ['aws', 'azure', 'gcp']);
    const aws = ACCOUNT_TYPES.find((t) => t.type === 'aws')!;
    assert.deepEqual(aws.inputs_schema.required, ['aws_access_key_id', 'aws_secret_access_key']);
  });

  it('accepts credentials of the type and refuses missing, unknown and non-string fields, naming fields but never values', () => {
    assert.deepEqual(checkCredentials('aws', AWS), AWS);
    assert.throws(() => checkCredentials('aws', { aws_access_key_id: 'AKIA' }), /aws_secret_access_key: required/);
    assert.throws(() => checkCredentials('aws', { ...AWS, extra: 'x' }), /credentials.extra: not a field/);
    assert.throws(() => checkCredentials('aws', { ...AWS, aws_session_token: 5 }), /aws_session_token: must be a string/);
    assert.throws(() => checkCredentials('aws', [AWS]), /must be an object/);
    assert.throws(() => checkCredentials('aws', { ...AWS, aws_session_token: 'x'.repeat(20_000) }), /longer than/);
    try {
      checkCredentials('aws', { aws_access_key_id: 'AKIA', aws_secret_access_key: 42 });
      assert.fail('expected a refusal');
    } catch (error) {
      assert.ok(error instanceof InvalidInput);
      assert.ok(!error.message.includes('AKIA'), error.message);
    }
  });

  it("refuses Humanitec's temporary-credential types with the reason, and unknown types", () => {
    assert.throws(() => checkCredentials('aws-role', {}), /temporary credentials/);
    assert.throws(() => checkCredentials('gcp-identity', {}), /temporary credentials/);
    assert.throws(() => checkCredentials('ftp', {}), /unknown account type "ftp"/);
  });

  it('checks the id and name of a new account', () => {
    assert.equal(checkNewAccount({ id: 'aws-dev', name: 'AWS dev', type: 'aws', credentials: AWS }).id, 'aws-dev');
    assert.throws(() => checkNewAccount({ id: 'Bad_Id', name: 'x', type: 'aws', credentials: AWS }), /not a valid id/);
    assert.throws(() => checkNewAccount({ id: 'ok', name: ' ', type: 'aws', credentials: AWS }), /name: must be/);
  });

  it('the check answers identity fields only: never a secret field, the AWS key id masked to its last 4 characters', () => {
    const checked = identityOf('aws', AWS);
    assert.deepEqual(checked.identity_fields, [{ id: 'aws_access_key_id', description: 'credentials.aws_access_key_id', value: '****MPLE' }]);
    assert.match(checked.warnings[0]!, /shape/);
    const gcp = identityOf('gcp', { type: 'service_account', project_id: 'p1', private_key: '-----BEGIN PRIVATE KEY-----x', client_email: 'sa@p1.iam.gserviceaccount.com' });
    assert.deepEqual(gcp.identity_fields.map((f) => [f.id, f.value]), [['project_id', 'p1'], ['client_email', 'sa@p1.iam.gserviceaccount.com']]);
    assert.ok(!JSON.stringify(gcp).includes('PRIVATE KEY'));
  });
});
