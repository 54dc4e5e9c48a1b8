import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Conflict, DriverFailed, Forbidden, InvalidInput, NotFound, Unauthenticated } from '../shared/errors.js';
import { toHttpError } from './errors.js';

it('maps each domain error to its status and a Humanitec body', () => {
  const cases: Array<[Error, number, string]> = [
    [new InvalidInput('bad', { field: 'id' }), 400, 'INVALID_INPUT'],
    [new Unauthenticated('who'), 401, 'UNAUTHENTICATED'],
    [new Forbidden('no'), 403, 'FORBIDDEN'],
    [new NotFound('application', 'shop'), 404, 'NOT_FOUND'],
    [new Conflict('dup'), 409, 'CONFLICT'],
    [new DriverFailed('down'), 502, 'DRIVER_FAILED'],
  ];
  for (const [error, status, code] of cases) {
    const mapped = toHttpError(error);
    assert.equal(mapped.statusCode, status);
    assert.equal(mapped.body.error, code);
    assert.equal(mapped.body.message, error.message);
  }
  assert.deepEqual(toHttpError(new NotFound('application', 'shop')).body.details, { kind: 'application', id: 'shop' });
});

it('hides unexpected errors behind a generic 500', () => {
  const mapped = toHttpError(new TypeError('secret internals at /src/x.ts:1'));
  assert.equal(mapped.statusCode, 500);
  assert.doesNotMatch(JSON.stringify(mapped.body), /secret|x\.ts/);
});
