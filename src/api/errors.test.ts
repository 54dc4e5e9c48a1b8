import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Conflict, DriverFailed, Forbidden, InvalidInput, NotFound, TooManyAttempts, Unauthenticated } from '../shared/errors.js';
import { toHttpError } from './errors.js';

it('maps each domain error to its status and a Humanitec body', () => {
  const cases: Array<[Error, number, string]> = [
    [new InvalidInput('bad', { field: 'id' }), 400, 'INVALID_INPUT'],
    [new Unauthenticated('who'), 401, 'UNAUTHENTICATED'],
    [new Forbidden('no'), 403, 'FORBIDDEN'],
    [new NotFound('application', 'shop'), 404, 'NOT_FOUND'],
    [new Conflict('dup'), 409, 'CONFLICT'],
    [new TooManyAttempts('slow down', 42), 429, 'TOO_MANY_ATTEMPTS'],
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

it('gives 429 a Retry-After header in seconds; other errors carry no extra header', () => {
  assert.deepEqual(toHttpError(new TooManyAttempts('slow down', 42)).headers, { 'retry-after': '42' });
  assert.equal(toHttpError(new Unauthenticated('who')).headers, undefined);
});

it('hides unexpected errors behind a generic 500', () => {
  const mapped = toHttpError(new TypeError('secret internals at /src/x.ts:1'));
  assert.equal(mapped.statusCode, 500);
  assert.doesNotMatch(JSON.stringify(mapped.body), /secret|x\.ts/);
});
