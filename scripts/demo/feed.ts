/** The event feed walked as a consumer would, from the start, page after page until empty. */
import { call } from './api';

export interface FeedEvent {
  eventId: string;
  cursor: string;
  type: string;
  orderId: string;
}

export async function walkFeed(): Promise<{ events: FeedEvent[]; pages: number }> {
  const events: FeedEvent[] = [];
  let after = '';
  for (let pages = 1; ; pages++) {
    const { data } = await call<{ events: FeedEvent[]; nextCursor: string }>(
      'admin',
      'GET',
      `/api/orders/events?limit=500${after ? `&after=${after}` : ''}`,
    );
    events.push(...data.events);
    if (!data.events.length) return { events, pages };
    after = data.nextCursor;
  }
}
