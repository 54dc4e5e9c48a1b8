/**
 * `humanitec/echo`: registers something that already exists. Outputs are the driver inputs
 * (`driver.values` → values, `driver.secrets` → secrets); nothing is created and no manifests are produced.
 */
import type { Driver, ProvisionRequest, ProvisionResult } from './contract.js';

export const ECHO_DRIVER_ID = 'humanitec/echo';

export function createEchoDriver(): Driver {
  return {
    id: ECHO_DRIVER_ID,
    // `humanitec/static` is echo's deprecated predecessor with the same behaviour; old definitions still name it.
    aliases: ['baton/echo', 'humanitec/static'],
    inputsSchema: {
      type: 'object',
      properties: { values: { type: 'object' }, secrets: { type: 'object' } },
    },
    provision(request: ProvisionRequest): Promise<ProvisionResult> {
      // Copies, so a caller mutating the result cannot change the stored definition inputs.
      return Promise.resolve({
        values: structuredClone(request.driver.values),
        secrets: structuredClone(request.driver.secrets),
        manifests: [],
      });
    },
    deprovision(): Promise<void> {
      return Promise.resolve();
    },
  };
}
