import type http from 'node:http';
import type { Express } from 'express';
import request from 'supertest';

type App = Express | http.Server;

const pause = () => new Promise((r) => setTimeout(r, 50));

/** An event as GET /api/orders/events returns it. */
export interface FeedEventBody {
  eventId: string;
  type: string;
  occurredAt: string;
  orderId: string;
  returnId: string | null;
  data: Record<string, unknown>;
  cursor: string;
}

/** How another service reads the feed: with the service key. */
export const serviceKey = () => ({ 'x-service-api-key': process.env.SERVICE_API_KEY as string });

/** One page of the feed after `after` (none: from the oldest kept event). */
export function feedPage(
  app: App,
  after: string | null,
  limit: number,
  headers: Record<string, string> = serviceKey(),
): request.Test {
  const query = new URLSearchParams({ limit: String(limit), ...(after !== null && { after }) });
  return request(app).get(`/api/orders/events?${query}`).set(headers);
}

/** Every event after `after` (none: from the oldest kept one) up to the newest placed, read page by page, and the cursor it ends on. */
export async function readFeedAfter(
  app: App,
  after: string | null,
  limit = 500,
): Promise<{ events: FeedEventBody[]; cursor: string }> {
  const events: FeedEventBody[] = [];
  for (;;) {
    const res = await feedPage(app, after, limit);
    if (res.status !== 200)
      throw new Error(`reading the feed after ${after} answered ${res.status}: ${JSON.stringify(res.body)}`);
    events.push(...res.body.data.events);
    after = res.body.data.nextCursor as string;
    if (!res.body.data.events.length) return { events, cursor: after };
  }
}

/** Every event from the oldest kept one to the newest placed. */
export const readWholeFeed = async (app: App): Promise<FeedEventBody[]> => (await readFeedAfter(app, null)).events;

/**
 * A consumer of the feed as the contract describes it: it starts at the oldest kept event,
 * asks for the page after the last cursor it was handed (a page size taken in turn from
 * `limits`), and asks again shortly when a page is empty. It keeps everything it was given
 * and notes each breach of the contract it saw (a failed read; an event at or behind a
 * cursor it had already been handed; a nextCursor that went back), for the test to assert.
 */
export class FeedConsumer {
  readonly events: FeedEventBody[] = [];
  readonly breaches: string[] = [];
  pages = 0;
  private highest = -1;
  private after: string | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly app: App,
    private readonly limits: readonly number[] = [7, 23, 50, 13],
  ) {}

  start(): void {
    this.running = this.run();
  }

  /** Stops after the page being read; throws what made the walk itself fail. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** The ids of the events it was given, each once. */
  eventIds(): Set<string> {
    return new Set(this.events.map((e) => e.eventId));
  }

  /** The last cursor it was handed. */
  get cursor(): string | null {
    return this.after;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const limit = this.limits[this.pages % this.limits.length];
      const res = await feedPage(this.app, this.after, limit);
      this.pages++;
      if (res.status !== 200) {
        this.breaches.push(
          `page ${this.pages} (after ${this.after}) answered ${res.status}: ${JSON.stringify(res.body)}`,
        );
        await pause();
        continue;
      }
      const { events, nextCursor } = res.body.data as { events: FeedEventBody[]; nextCursor: string };
      if (events.length > limit)
        this.breaches.push(`page ${this.pages} held ${events.length} events, more than its limit ${limit}`);
      for (const e of events) {
        const at = Number(e.cursor);
        if (!(at > this.highest))
          this.breaches.push(
            `page ${this.pages} (after ${this.after}) held ${e.eventId} at cursor ${e.cursor}, not after ${this.highest}, a cursor already handed out`,
          );
        this.highest = Math.max(this.highest, at);
        this.events.push(e);
      }
      if (Number(nextCursor) < this.highest)
        this.breaches.push(`page ${this.pages} handed out nextCursor ${nextCursor}, behind ${this.highest}`);
      if (events.length && nextCursor !== events.at(-1)!.cursor)
        this.breaches.push(
          `page ${this.pages} handed out nextCursor ${nextCursor}, not its last event's cursor ${events.at(-1)!.cursor}`,
        );
      this.highest = Math.max(this.highest, Number(nextCursor));
      this.after = nextCursor;
      // Caught up: ask again shortly, as a consumer that polls would.
      if (!events.length) await pause();
    }
  }
}
