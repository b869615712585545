import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import * as packet from 'dns-packet';

/** How the server answers for one name: its addresses, or never. */
export type FakeName = { a?: string[]; aaaa?: string[] } | 'hang';

export interface FakeDns {
  /** `127.0.0.1:port`, for WEBHOOK_DNS_SERVERS. */
  server: string;
  /** Queries received, by name. */
  queries: string[];
  set(name: string, answer: FakeName): void;
  close(): Promise<void>;
}

/**
 * A DNS server on a free loopback UDP port that answers A and AAAA queries from a table:
 * a name set to 'hang' gets no answer at all (as a server that is down or slow); a name not
 * in the table is NXDOMAIN.
 */
export async function startFakeDns(names: Record<string, FakeName> = {}): Promise<FakeDns> {
  const table = new Map(Object.entries(names).map(([k, v]) => [k.toLowerCase(), v]));
  const queries: string[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, from) => {
    const query = packet.decode(msg);
    const question = query.questions?.[0];
    if (!question) return;
    queries.push(question.name);
    const entry = table.get(question.name.toLowerCase());
    if (entry === 'hang') return;
    const addresses = question.type === 'A' ? entry?.a : question.type === 'AAAA' ? entry?.aaaa : undefined;
    const answer = packet.encode({
      id: query.id,
      type: 'response',
      flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | (entry ? 0 : 3), // rcode 3: NXDOMAIN
      questions: [question],
      answers: (addresses ?? []).map((data) => ({
        type: question.type as 'A' | 'AAAA',
        name: question.name,
        ttl: 1,
        class: 'IN' as const,
        data,
      })),
    });
    socket.send(answer, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${(socket.address() as AddressInfo).port}`,
    queries,
    set: (name, answer) => void table.set(name.toLowerCase(), answer),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
