import { createSecretKey } from 'node:crypto';
import type { RequestHandler } from 'express';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { z } from 'zod';
import { config } from '../../config';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors';
import type { Principal, Role } from '../../services/principal';
import { printable } from '../text-safety';
import { jwtSecretOrKey } from '../../shared/type-gaps';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // passport types req.user as Express.User; ours is always a Principal.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Principal {}
  }
}

/** A claim that becomes an owner id or a name on orders: printable text, of a sane length. */
const claimText = (max: number) =>
  z.string().max(max).refine(printable, 'must not contain control characters or broken Unicode');

const claims = z
  .object({
    sub: claimText(200).min(1).optional(),
    userId: claimText(200).min(1).optional(),
    role: z.enum(['Customer', 'Administrator']),
    email: claimText(320).optional(),
    name: claimText(200).optional(),
    exp: z.number(), // passport-jwt checks it is in the future; we require it to be there
    iat: z.number().optional(),
  })
  .refine((c) => c.sub ?? c.userId, { message: 'sub or userId is required' })
  // JWT_MAX_LIFETIME_SECONDS: a token must say when it was issued, and not live longer.
  .refine(
    (c) =>
      !config.JWT_MAX_LIFETIME_SECONDS || (c.iat !== undefined && c.exp - c.iat <= config.JWT_MAX_LIFETIME_SECONDS),
    { message: 'token lives too long' },
  )
  // Issued in the future beyond the clocks' tolerance: a lifetime measured from a made-up start.
  .refine((c) => c.iat === undefined || c.iat <= Date.now() / 1000 + config.JWT_CLOCK_TOLERANCE_SECONDS, {
    message: 'token issued in the future',
  });

passport.use(
  new JwtStrategy(
    {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, not the string: jsonwebtoken 9 first tries a string as a public key,
      // which throws for every HS256 request (measured: 6% of the API's CPU on get-order).
      secretOrKey: jwtSecretOrKey(createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8'))),
      algorithms: ['HS256'], // never 'none', never an asymmetric algorithm with our secret as key
      // Checked only when configured (JWT_ISSUER, JWT_AUDIENCE).
      ...(config.JWT_ISSUER && { issuer: config.JWT_ISSUER }),
      ...(config.JWT_AUDIENCE && { audience: config.JWT_AUDIENCE }),
      jsonWebTokenOptions: { clockTolerance: 5 },
    },
    (payload: unknown, done: (err: unknown, user?: Express.User | false) => void) => {
      const parsed = claims.safeParse(payload);
      if (!parsed.success) return done(null, false);
      const c = parsed.data;
      done(null, { userId: (c.sub ?? c.userId) as string, role: c.role, email: c.email, name: c.name });
    },
  ),
);

/** Requires a valid access token; answers 401 in the envelope otherwise. */
export const authenticate: RequestHandler = (req, res, next) => {
  passport.authenticate('jwt', { session: false }, (err: unknown, user: Express.User | false, info: unknown) => {
    if (err) return next(err);
    if (!user) {
      const reason =
        info instanceof Error && info.name === 'TokenExpiredError'
          ? 'Access token has expired'
          : 'A valid access token is required';
      return next(new UnauthenticatedError(reason));
    }
    req.user = user;
    next();
  })(req, res, next);
};

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.user) return next(new UnauthenticatedError());
    if (!roles.includes(req.user.role))
      return next(new ForbiddenError(`This action requires the ${roles.join(' or ')} role`));
    next();
  };
}

/** The order desk's guard: a signed-in administrator (401 without a token, 403 for another role). */
export const administratorsOnly: RequestHandler[] = [authenticate, requireRole('Administrator')];

/** The authenticated principal; routes behind `authenticate` always have one. */
export function principalOf(req: Express.Request): Principal {
  if (!req.user) throw new UnauthenticatedError();
  return req.user;
}
