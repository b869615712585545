import { z } from 'zod';
import { UnauthenticatedError, UpstreamUnavailableError } from '../shared/errors';
import type { AuthUser } from '../shared/messages';
import { platformHttp, type PeerOptions } from './platform-http';

const answer = z.object({
  data: z
    .object({
      _id: z.string().optional(),
      id: z.string().optional(),
      email: z.string().min(1),
      // The name as two parts, or as one.
      ...{ firstName: z.string().optional(), lastName: z.string().optional(), name: z.string().optional() },
      customerId: z.string().nullish(),
    })
    .refine((d) => d._id ?? d.id, { message: '_id or id is required' }),
});

export function createAuthServiceClient(peer: PeerOptions): { getUser(userId: string): Promise<AuthUser> } {
  const http = platformHttp(peer);
  return {
    async getUser(userId) {
      let res;
      try {
        res = await http.get(`/api/auth/user/${encodeURIComponent(userId)}`);
      } catch {
        throw new UpstreamUnavailableError('Auth Service');
      }
      if (res.status === 404) throw new UnauthenticatedError('The user of this token is not known to the Auth Service');
      if (res.status !== 200) throw new UpstreamUnavailableError('Auth Service');
      const parsed = answer.safeParse(res.data);
      if (!parsed.success) throw new UpstreamUnavailableError('Auth Service');
      const d = parsed.data.data;
      const name = d.name ?? [d.firstName, d.lastName].filter(Boolean).join(' ');
      return {
        userId: (d._id ?? d.id) as string,
        email: d.email,
        name: name || d.email,
        customerId: d.customerId ?? null,
      };
    },
  };
}
