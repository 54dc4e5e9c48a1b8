/**
 * Unset environment values in container variables are deferred (issue 19 theme 4): the variable gets an empty
 * string and a warning names it, as score-compose leaves `${X}` to the container runtime. Elsewhere an unset
 * value stays an error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deferUnsetVariableValues } from './workloads.js';

const values = { SET: { value: 'hello', secret: false } };

describe('deferUnsetVariableValues', () => {
  it('removes unset ${values.X} from variables only, with one warning per variable, and leaves the input alone', () => {
    const spec = {
      containers: {
        main: {
          variables: { GREETING: 'say ${values.SET} to ${values.NAME}', PLAIN: 'x', ONLY: '${values.MISSING}' },
          files: { '/etc/app.conf': { value: '${values.MISSING}' } },
        },
      },
    };
    const before = structuredClone(spec);
    const { spec: out, warnings } = deferUnsetVariableValues(spec, values, 'web');
    assert.deepEqual(spec, before);
    const main = (out as typeof spec).containers.main;
    assert.deepEqual(main.variables, { GREETING: 'say ${values.SET} to ', PLAIN: 'x', ONLY: '' });
    assert.deepEqual(main.files, before.containers.main.files, 'files keep the placeholder (and fail when rendered)');
    assert.deepEqual(warnings, [
      `workload "web": \${values.NAME} at /containers/main/variables/GREETING is not set in the environment's values; the variable gets an empty string (set the value to give it one)`,
      `workload "web": \${values.MISSING} at /containers/main/variables/ONLY is not set in the environment's values; the variable gets an empty string (set the value to give it one)`,
    ]);
  });

  it('changes nothing when every value is set', () => {
    const spec = { containers: { main: { variables: { A: '${values.SET}' } } } };
    const result = deferUnsetVariableValues(spec, values, 'web');
    assert.equal(result.spec, spec);
    assert.deepEqual(result.warnings, []);
  });
});
