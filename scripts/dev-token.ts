import jwt from 'jsonwebtoken';
import { config, isProductionLike } from '../src/config';
import { lookUp, type DirectoryUser } from './dev-peers/directory';

export const TOKEN_LIFETIME_SECONDS = 12 * 3600;

/**
 * An access token as the Auth Service would issue it, signed with the configured secret,
 * for a user of the stand-in directory (or any id). Development only: it is exactly what
 * an attacker would do with a leaked secret, so production and staging refuse.
 */
export function devToken(userOrHandle: string, role?: DirectoryUser['role']): string {
  if (isProductionLike(config.ENVIRONMENT))
    throw new Error(`refusing to sign a token with ENVIRONMENT=${config.ENVIRONMENT}`);
  const user = lookUp(userOrHandle);
  const lifetime = Math.min(TOKEN_LIFETIME_SECONDS, config.JWT_MAX_LIFETIME_SECONDS ?? Infinity);
  return jwt.sign(
    { sub: user._id, role: role ?? user.role, email: user.email, name: `${user.firstName} ${user.lastName}` },
    config.JWT_SECRET,
    {
      algorithm: 'HS256',
      expiresIn: lifetime,
      ...(config.JWT_ISSUER && { issuer: config.JWT_ISSUER }),
      ...(config.JWT_AUDIENCE && { audience: config.JWT_AUDIENCE }),
    },
  );
}
