/** Who is calling, as established from a verified access token (DESIGN.md 8). */
export type Role = 'Customer' | 'Administrator';

export interface Principal {
  userId: string;
  role: Role;
  email?: string;
  name?: string;
}

export const isAdmin = (p: Principal): boolean => p.role === 'Administrator';
