/**
 * The people of the local stand-in Auth Service: a few named customers and an
 * administrator, and a profile made up on the spot for any other user id, so a token for
 * anyone works on a developer's machine. Never used outside development.
 */
export interface DirectoryUser {
  _id: string;
  email: string;
  firstName: string;
  lastName: string;
  customerId: string | null;
  role: 'Customer' | 'Administrator';
}

const person = (
  handle: string,
  firstName: string,
  lastName: string,
  role: DirectoryUser['role'] = 'Customer',
): DirectoryUser => ({
  _id: `user-${handle}`,
  email: `${handle}@example.com`,
  firstName,
  lastName,
  customerId: role === 'Customer' ? `cust-${handle}` : null,
  role,
});

/** By handle: `npm run token -- --user alice`. */
export const DIRECTORY: Record<string, DirectoryUser> = {
  alice: person('alice', 'Alice', 'Fernandes'),
  bob: person('bob', 'Bob', 'Mehta'),
  carol: person('carol', 'Carol', 'Iyer'),
  dave: person('dave', 'Dave', 'Khan'),
  erin: person('erin', 'Erin', 'Rao'),
  admin: person('admin', 'Order', 'Desk', 'Administrator'),
};

/** A handle of the directory, a user id of it, or any other id (a profile is made up for it). */
export function lookUp(userOrHandle: string): DirectoryUser {
  const known = DIRECTORY[userOrHandle] ?? Object.values(DIRECTORY).find((u) => u._id === userOrHandle);
  if (known) return known;
  const handle =
    userOrHandle
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'someone';
  return {
    _id: userOrHandle,
    email: `${handle}@example.com`,
    firstName: 'Guest',
    lastName: handle,
    customerId: `cust-${handle}`,
    role: 'Customer',
  };
}
