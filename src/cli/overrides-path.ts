/** Where the CLI keeps device overrides unless --overrides says otherwise. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const defaultOverridesPath = join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'bulwark', 'overrides.json');
