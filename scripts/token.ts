/**
 * `npm run token -- --user alice [--role Customer|Administrator]`: prints an access token
 * valid for 12 hours, signed with the configured JWT_SECRET (from .env). Refused when
 * ENVIRONMENT is production or staging.
 */
import { parseArgs } from 'node:util';
import { DIRECTORY } from './dev-peers/directory';
import { devToken } from './dev-token';

const ROLES = ['Customer', 'Administrator'] as const;

try {
  const { values } = parseArgs({ options: { user: { type: 'string', default: 'alice' }, role: { type: 'string' } } });
  const role = values.role;
  if (role !== undefined && !ROLES.some((r) => r === role)) throw new Error(`--role must be ${ROLES.join(' or ')}`);
  const token = devToken(
    values.user,
    ROLES.find((r) => r === role),
  );
  process.stdout.write(`${token}\n`);
  if (process.stderr.isTTY)
    process.stderr.write(`token: ${values.user} (known users: ${Object.keys(DIRECTORY).join(', ')}); valid 12 h\n`);
} catch (err) {
  process.stderr.write(`token: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
