import type http from 'node:http';
import request from 'supertest';
import { Counter, FeedEntry, Order, OrderEvent } from '../src/models';
import { feedBucketOf } from '../src/models/feed-entry';
import { purgeFeedBefore } from '../src/services/events/event-feed';
import { sequenceEvents } from '../src/services/events/sequence-events';
import { Driver } from './helpers/driver';
import {
  FeedConsumer,
  feedPage,
  readFeedAfter,
  readWholeFeed,
  serviceKey,
  type FeedEventBody,
} from './helpers/feed-consumer';
import { guideOrderBody, smallOrderBody } from './helpers/fixtures';
import { listen } from './helpers/orders';
import { eventually, useTestApp } from './helpers/test-app';
import { as, users, type TestUser } from './helpers/tokens';

const t = useTestApp({ workers: ['upkeep'] });

const recordedEventIds = async (): Promise<string[]> =>
  (await OrderEvent.find({}, { _id: 1 }).lean<{ _id: string }[]>()).map((e) => e._id);
const allSequenced = async () =>
  (await OrderEvent.countDocuments({ sequenced: false })) === 0 &&
  (await Order.countDocuments({ outboxPending: true })) === 0;
const countBy = <T>(xs: T[], key: (x: T) => string) =>
  xs.reduce<Record<string, number>>((n, x) => ({ ...n, [key(x)]: (n[key(x)] ?? 0) + 1 }), {});

/** What the writers made, counted by event type as they made it. */
type Made = Record<string, number>;

/**
 * `orders` orders placed by alice and bob in turn, `concurrency` at a time, each then changed
 * by its number: moved to Processing and Shipped by the desk, cancelled by its owner, moved
 * to Processing only, or left Placed. Counts the events the changes made.
 */
async function placeAndChangeOrders(server: http.Server, orders: number, concurrency: number): Promise<Made> {
  const made: Made = {};
  const add = (type: string, n = 1) => (made[type] = (made[type] ?? 0) + n);
  const lifeOf = async (i: number) => {
    const owner: TestUser = i % 2 ? 'bob' : 'alice';
    const orderId = await new Driver(server, owner).placeOrder(smallOrderBody(100 + i));
    add('order.created');
    const desk = new Driver(server, 'admin');
    if (i % 4 === 0) {
      await desk.move(orderId, 'Processing', 'Shipped');
      add('order.status_changed', 2);
    } else if (i % 4 === 1) {
      await new Driver(server, owner).cancel(orderId);
      add('order.cancelled');
    } else if (i % 4 === 2) {
      await desk.move(orderId, 'Processing');
      add('order.status_changed');
    }
  };
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      for (let i = lane; i < orders; i += concurrency) await lifeOf(i);
    }),
  );
  return made;
}

/**
 * Runs `fn` with the scheduled upkeep held: the queue paused and a sequencer run it had
 * started ended, so only the test's own sequencer runs place events. Other upkeep jobs may
 * go on (a reconciliation of every event this file left unsettled runs for minutes on a
 * busy machine) and place nothing. The queue runs again however `fn` or the wait ended.
 */
async function withScheduledUpkeepHeld<T>(fn: () => Promise<T>): Promise<T> {
  await t.queues.upkeep.pause();
  try {
    const sequencing = async () => (await t.queues.upkeep.getActive()).some((job) => job.name === 'sequence-events');
    await eventually(async () => !(await sequencing()), 30_000, 'the running sequencer job to end');
    return await fn();
  } finally {
    await t.queues.upkeep.resume();
  }
}

describe('GET /api/orders/events: the event feed', () => {
  it('hands a consumer walking the cursor, while 300 orders are placed and changed concurrently, every event exactly once and none behind a cursor it was already handed', async () => {
    const server = await listen(t.app);
    const consumer = new FeedConsumer(server.server, [7, 23, 50, 13]);
    let made: Made;
    let givenWhileWriting: number;
    try {
      consumer.start();
      made = await placeAndChangeOrders(server.server, 300, 10);
      givenWhileWriting = consumer.events.length;
      const total = Object.values(made).reduce((a, b) => a + b, 0);
      // Caught up: every recorded event placed, and the consumer holding as many as were made.
      // On a timeout the assertions below tell what is missing.
      await eventually(
        async () => (await allSequenced()) && consumer.eventIds().size >= total,
        90_000,
        'the consumer to catch up',
      ).catch(() => undefined);
    } finally {
      await consumer.stop();
      await server.close();
    }

    const recorded = await recordedEventIds();
    const given = consumer.events.map((e) => e.eventId);
    expect(consumer.breaches).toEqual([]);
    expect(given.length).toBe(new Set(given).size); // none twice
    expect([...given].sort()).toEqual([...recorded].sort()); // none missing, none made up
    expect(countBy(consumer.events, (e) => e.type)).toEqual(made);
    const cursors = consumer.events.map((e) => Number(e.cursor));
    expect(cursors.every((c, i) => i === 0 || c > cursors[i - 1])).toBe(true);
    // It read while the writers wrote: most events reached it before the last one was made.
    expect(givenWhileWriting).toBeGreaterThan(given.length / 2);
    // Nothing turns up after the cursor it ended on.
    const after = await feedPage(t.app, consumer.cursor, 500);
    expect(after.status).toBe(200);
    expect(after.body.data).toEqual({ events: [], nextCursor: consumer.cursor });
  }, 240_000);

  it('gives each event one place and leaves no gap while two sequencers run at once, round after round, as events are recorded', async () => {
    // Only the two sequencers of this test place events: the scheduled one waits.
    const placedBy = { first: 0, second: 0 };
    let made: Made = {};
    let before = 0;
    await withScheduledUpkeepHeld(async () => {
      const server = await listen(t.app);
      before = await FeedEntry.countDocuments();
      try {
        let writing = true;
        const writers = placeAndChangeOrders(server.server, 40, 4)
          .then((m) => (made = m))
          .finally(() => (writing = false));
        // Each loop runs the sequencer again as soon as its run ends; small batches, so runs overlap often.
        const loop = async (who: keyof typeof placedBy, batch: number) => {
          while (writing || (await OrderEvent.exists({ sequenced: false })))
            placedBy[who] += await sequenceEvents(batch);
        };
        await Promise.all([writers, loop('first', 3), loop('second', 7)]);
      } finally {
        await server.close();
      }
    });

    const entries = await FeedEntry.find({}, { _id: 1, eventId: 1 })
      .sort({ _id: 1 })
      .lean<{ _id: number; eventId: string }[]>();
    const places = entries.map((e) => e._id);
    const eventIds = entries.map((e) => e.eventId);
    expect(places).toEqual(Array.from({ length: places.length }, (_, i) => places[0] + i)); // no gap
    expect(eventIds.length).toBe(new Set(eventIds).size); // no event twice
    expect([...eventIds].sort()).toEqual((await recordedEventIds()).sort()); // every event
    expect(entries.length - before).toBe(Object.values(made).reduce((a, b) => a + b, 0));
    expect(placedBy.first + placedBy.second).toBe(entries.length - before); // by these two alone, each place counted once
  }, 180_000);

  it("tells of an order's and a return's events their ids, statuses, totals and the return's decision, and no name, email or address", async () => {
    const { cursor: before } = await readFeedAfter(t.app, null);
    const placed = await t.as('alice').placeOrder(guideOrderBody());
    await t.as('admin').move(placed, 'Processing');
    await t.as('alice').cancel(placed);
    const returned = await t.as('alice').openReturn();
    await t.as('admin').review(returned.returnId, null);

    const feed = await eventually(
      async () => {
        const { events } = await readFeedAfter(t.app, before);
        return events.some((e) => e.type === 'return.reviewed') ? events : null;
      },
      15_000,
      'the events of both orders in the feed',
    );

    const totals = { totalAmount: 5520, itemCount: 3 }; // the guide's order: 4975.00 + 545.00, 2 + 1 units
    const ofAlice = { customerId: users.alice.customerId, totals };
    expect(new Set(feed.map((e) => e.orderId))).toEqual(new Set([placed, returned.orderId]));
    const ofPlaced = feed
      .filter((e) => e.orderId === placed)
      .map(({ type, returnId, data }) => ({ type, returnId, data }));
    expect(ofPlaced).toEqual([
      {
        type: 'order.created',
        returnId: null,
        data: { orderId: placed, ...ofAlice, status: 'Placed', previousStatus: null, return: null },
      },
      {
        type: 'order.status_changed',
        returnId: null,
        data: { orderId: placed, ...ofAlice, status: 'Processing', previousStatus: 'Placed', return: null },
      },
      {
        type: 'order.cancelled',
        returnId: null,
        data: { orderId: placed, ...ofAlice, status: 'Cancelled', previousStatus: 'Processing', return: null },
      },
    ]);
    const { returnId, orderId } = returned;
    const ofReturn = feed
      .filter((e) => e.returnId !== null)
      .map(({ type, orderId, returnId, data }) => ({ type, orderId, returnId, data }));
    expect(ofReturn).toEqual([
      {
        type: 'return.requested',
        orderId,
        returnId,
        data: {
          orderId,
          ...ofAlice,
          status: 'Return Requested',
          previousStatus: 'Delivered',
          return: { returnId, decision: null, reasonCategory: 'Damaged' },
        },
      },
      {
        type: 'return.reviewed',
        orderId,
        returnId,
        data: {
          orderId,
          ...ofAlice,
          status: 'Delivered',
          previousStatus: 'Return Requested',
          return: { returnId, decision: 'rejected', reasonCategory: 'Damaged' },
        },
      },
    ]);
    for (const e of feed) {
      expect(Object.keys(e).sort()).toEqual(['cursor', 'data', 'eventId', 'occurredAt', 'orderId', 'returnId', 'type']);
      expect(e.occurredAt).toBe(new Date(e.occurredAt).toISOString());
    }
    const text = JSON.stringify(feed);
    for (const personal of [
      users.alice.email,
      users.alice.firstName,
      users.alice.lastName,
      'John Doe',
      'Main Street',
      'Bangalore',
      '560001',
      '+919876543210',
    ]) {
      expect(text).not.toContain(personal);
    }
    expect(text).not.toMatch(/email|name|address|street|phone/i);
  }, 60_000);

  it('answers the service key and administrators, refuses customers (403) and the anonymous (401), and 400s a bad cursor or limit in the envelope', async () => {
    const get = (query: string) => request(t.app).get(`/api/orders/events${query}`);

    const withKey = await get('?limit=1').set(serviceKey());
    const asAdmin = await get('?limit=1').set(as('admin'));
    const asCustomer = await get('?limit=1').set(as('alice'));
    const anonymous = await get('?limit=1');
    const wrongKey = await get('?limit=1').set({ 'x-service-api-key': 'not-the-key' });

    expect(withKey.status).toBe(200);
    expect(withKey.body).toMatchObject({
      success: true,
      data: {
        events: [expect.objectContaining({ eventId: expect.any(String), cursor: expect.any(String) })],
        nextCursor: expect.any(String),
      },
    });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.data).toEqual(withKey.body.data);
    expect(asCustomer.status).toBe(403);
    expect(asCustomer.body.success).toBe(false);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.success).toBe(false);
    expect(wrongKey.status).toBe(401);
    for (const [query, field] of [
      ['?after=abc', 'after'],
      ['?after=-1', 'after'],
      ['?after=1e3', 'after'],
      ['?limit=0', 'limit'],
      ['?limit=501', 'limit'],
      ['?limit=ten', 'limit'],
    ] as const) {
      const res = await get(query).set(serviceKey());
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body).toMatchObject({
        success: false,
        message: expect.any(String),
        errors: [expect.objectContaining({ field, message: expect.any(String) })],
      });
    }
  });

  it('serves only the unbroken run after a cursor: events placed after a place still being written wait for it', async () => {
    await withScheduledUpkeepHeld(async () => {
      const { cursor: end } = await readFeedAfter(t.app, null);
      const at = Number(end);
      // Entries as the sequencer writes them, for events no order made (removed afterwards).
      const entryAt = (place: number) => ({
        _id: place,
        bucket: feedBucketOf(place),
        eventId: `in-flight-${place}`,
        type: 'order.created',
        occurredAt: new Date(),
        orderId: 'ORD-IN-FLIGHT',
        data: {},
      });
      try {
        await FeedEntry.create([entryAt(at + 2), entryAt(at + 3)]);

        const whileWritten = await feedPage(t.app, end, 10);
        await FeedEntry.create(entryAt(at + 1));
        const once = await feedPage(t.app, end, 10);

        expect(whileWritten.status).toBe(200);
        expect(whileWritten.body.data).toEqual({ events: [], nextCursor: end });
        expect(once.body.data.events.map((e: FeedEventBody) => e.cursor)).toEqual([at + 1, at + 2, at + 3].map(String));
        expect(once.body.data.nextCursor).toBe(String(at + 3));
      } finally {
        await FeedEntry.deleteMany({ orderId: 'ORD-IN-FLIGHT' });
      }
    });
  }, 90_000);

  it('after retention removed the oldest events, starts an empty cursor at the oldest kept one and answers 410 to a cursor older than that', async () => {
    await t.as('bob').placeOrder();
    await eventually(allSequenced, 10_000, 'the first events in the feed');
    const cutoff = new Date();
    const kept = await t.as('bob').placeOrder();
    const whole = await eventually(
      async () => {
        const events = await readWholeFeed(t.app);
        return events.some((e) => e.orderId === kept) && (await allSequenced()) ? events : null;
      },
      10_000,
      'the kept order in the feed',
    );
    const oldestKept = whole.find((e) => e.orderId === kept)!;
    const olderThanCutoff = await FeedEntry.countDocuments({ sequencedAt: { $lt: cutoff } });

    const removed = await purgeFeedBefore(cutoff);

    expect(removed).toBe(olderThanCutoff);
    expect(removed).toBe(whole.indexOf(oldestKept));
    const fromStart = await feedPage(t.app, null, 5);
    const fromEmpty = await feedPage(t.app, '', 5);
    const fromLastRemoved = await feedPage(t.app, String(Number(oldestKept.cursor) - 1), 5);
    expect(fromStart.status).toBe(200);
    expect(fromStart.body.data.events.map((e: FeedEventBody) => e.eventId)).toEqual(
      whole.slice(removed, removed + 5).map((e) => e.eventId),
    );
    expect(fromStart.body.data.events[0]).toEqual(oldestKept);
    expect(fromEmpty.body.data).toEqual(fromStart.body.data);
    expect(fromLastRemoved.body.data).toEqual(fromStart.body.data);
    for (const after of [String(Number(oldestKept.cursor) - 2), '0', whole[0].cursor]) {
      const res = await feedPage(t.app, after, 5);
      expect({ after, status: res.status }).toEqual({ after, status: 410 });
      expect(res.body).toMatchObject({
        success: false,
        message: expect.any(String),
        errors: [expect.objectContaining({ field: 'after' })],
      });
    }
  }, 60_000);

  it('refuses a cursor it never handed out (past its newest event) instead of silently skipping what comes next', async () => {
    const { cursor: newest } = await readFeedAfter(t.app, null);

    const res = await feedPage(t.app, String(Number(newest) + 1000), 5);

    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('after');
  });

  it('mends in at most two runs what a run that died after placing 50 events left: every event in the feed once, in order, none left waiting', async () => {
    // Only this test's runs sequence: the scheduled one waits.
    await withScheduledUpkeepHeld(async () => {
      const server = await listen(t.app);
      try {
        while (await OrderEvent.exists({ sequenced: false })) await sequenceEvents();
        const { cursor: end } = await readFeedAfter(t.app, null);
        const made = Object.values(await placeAndChangeOrders(server.server, 30, 6)).reduce((a, b) => a + b, 0);
        const waiting = await eventually(
          async () => {
            const ids = (await OrderEvent.find({ sequenced: false }, { _id: 1 }).lean<{ _id: string }[]>()).map(
              (e) => e._id,
            );
            return ids.length === made && (await Order.countDocuments({ outboxPending: true })) === 0 ? ids : null;
          },
          10_000,
          'every event recorded',
        );
        // The dead run: a real run that placed 50 events (one batch of 50), less the two writes
        // a run that died right after placing them never made: marking them, saving its hint.
        const hint = (await Counter.findById('event-feed').lean<{ seq: number }>())?.seq ?? 0;
        expect(await sequenceEvents(50, 50)).toBe(50);
        const leftBehind = (
          await FeedEntry.find({ _id: { $gt: Number(end) } })
            .sort({ _id: 1 })
            .lean<{ eventId: string }[]>()
        ).map((e) => e.eventId);
        expect(leftBehind).toHaveLength(50);
        await OrderEvent.updateMany({ _id: { $in: leftBehind } }, { $set: { sequenced: false } });
        await Counter.updateOne({ _id: 'event-feed' }, { $set: { seq: hint } });

        const placedByRuns = [await sequenceEvents(), await sequenceEvents()];

        expect(await OrderEvent.countDocuments({ sequenced: false })).toBe(0);
        expect(placedByRuns[0] + placedByRuns[1]).toBe(made - 50);
        const { events } = await readFeedAfter(t.app, end);
        const given = events.map((e) => e.eventId);
        expect(events.map((e) => Number(e.cursor))).toEqual(
          Array.from({ length: made }, (_, i) => Number(end) + 1 + i),
        ); // no gap
        expect(given.slice(0, 50)).toEqual(leftBehind); // the dead run's places kept
        expect([...given].sort()).toEqual([...waiting].sort()); // every event, each once
        const after = events.slice(50).map((e) => Date.parse(e.occurredAt));
        expect(after.every((at, i) => i === 0 || at >= after[i - 1])).toBe(true); // the rest as they occurred
      } finally {
        await server.close();
      }
    });
  }, 120_000);

  it('never places an event below what retention kept, even when the last run died before saving how far it got', async () => {
    await t.as('bob').placeOrder();
    await eventually(allSequenced, 10_000, 'the events in the feed');
    // A run that placed events and died before saving its high-water mark.
    await Counter.updateOne({ _id: 'event-feed' }, { $set: { seq: 0 } });
    await purgeFeedBefore(new Date(Date.now() + 1000));

    const later = await t.as('bob').placeOrder();

    const served = await eventually(
      async () => (await readWholeFeed(t.app)).find((e) => e.orderId === later),
      10_000,
      'the later order in the feed',
    );
    expect(served.type).toBe('order.created');
  });
});
