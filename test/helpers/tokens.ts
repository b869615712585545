import jwt from 'jsonwebtoken';

export interface TokenClaims {
  sub?: string;
  userId?: string;
  role?: string;
  email?: string;
  name?: string;
  /** When it says it was issued (seconds); jsonwebtoken sets now when absent. */
  iat?: number;
}

const secret = () => process.env.JWT_SECRET as string;

/** A signed HS256 access token valid for an hour, as the Auth Service would issue it. */
export function tokenFor(claims: TokenClaims, opts: jwt.SignOptions = { expiresIn: '1h' }, key = secret()): string {
  return jwt.sign({ role: 'Customer', ...claims }, key, { algorithm: 'HS256', ...opts });
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Well-known users of the tests; the fake Auth Service knows them all. */
export const users = {
  alice: {
    _id: 'u-alice-000000000000001',
    email: 'Alice.Doe@Example.com',
    firstName: 'Alice',
    lastName: 'Doe',
    customerId: 'c-alice',
  },
  bob: {
    _id: 'u-bob-00000000000000002',
    email: 'bob.smith@example.com',
    firstName: 'Bob',
    lastName: 'Smith',
    customerId: 'c-bob',
  },
  admin: {
    _id: 'u-admin-000000000000003',
    email: 'desk@example.com',
    firstName: 'Order',
    lastName: 'Desk',
    customerId: null,
  },
};
export type TestUser = keyof typeof users;

export function tokenOf(user: TestUser): string {
  const u = users[user];
  return tokenFor({
    sub: u._id,
    email: u.email,
    name: `${u.firstName} ${u.lastName}`,
    role: user === 'admin' ? 'Administrator' : 'Customer',
  });
}

export const as = (user: TestUser) => bearer(tokenOf(user));
