// A JSON import (not a file read relative to this module), so the CLI bundle (bin/cli-bundle.mjs) carries it too.
import packageJson from '../../package.json' with { type: 'json' };

/** Baton's version, from package.json. */
export const BATON_VERSION: string = packageJson.version;
