import path from 'node:path';
import request from 'supertest';
import { Order, OrderEvent, WebhookDelivery, WebhookMark } from '../src/models';
import type { OrderEventDoc } from '../src/models/order-event';
import { deliveryIdOf, webhookBodyOf } from '../src/services/webhooks/fan-out';
import { smallOrderBody } from './helpers/fixtures';
import { listen } from './helpers/orders';
import { eventually, useTestApp } from './helpers/test-app';
import { as, type TestUser } from './helpers/tokens';
import { WorkerFleet, nearAKill, queueDrainedWhileProgressing, stallsByJob } from './helpers/webhook-chaos';
import {
  startWebhookReceiver,
  verifyOrmsSignature,
  type ReceivedWebhook,
  type WebhookReceiver,
} from './helpers/webhook-receiver';
import { peersEnv } from './helpers/worker-process';
import { seededRandom, seconds, sleep } from './helpers/chaos-clock';

/**
 * Webhooks under fire: 300 orders (some cancelled, some moved along) are placed through
 * the API while the worker processes that deliver webhooks are SIGKILLed one at a time
 * and once all together, and restarted; for a few seconds in the middle the receiver
 * answers every delivery 500. Afterwards every recorded event reached the receiver with a
 * 2xx at least once, every repeat of a delivery carried the same event id, delivery id
 * and body, byte for byte, every request was signed, and the deliveries log agrees with
 * what the receiver saw. WEBHOOK_CHAOS_ORDERS and WEBHOOK_CHAOS_SEED vary or replay a run.
 */
// About a minute and a half on an idle two-core machine; CI runs other suites beside it.
jest.setTimeout(400_000);

const ORDERS = Number(process.env.WEBHOOK_CHAOS_ORDERS || 300);
const CONCURRENCY = 10;
const WORKER_PROCESSES = 3;
/** Enough attempts for the receiver's bad spell: 100 ms doubling reaches 6.4 s by the 7th. */
const MAX_ATTEMPTS = 12;
const BACKOFF_MS = 100;
/** Deliveries to one subscription at once per worker process: what one kill can catch in flight. */
const PER_SUBSCRIPTION = 4;
/** How long the receiver answers 500 to everything. */
const FAILING_MS = 5000;
/** Kills at the least, however fast the orders go in. */
const MIN_KILLS = 8;
/**
 * An answer the log lacks must have died with its worker. When the stall that follows is
 * not in the workers' logs, the answer came at most this long before a SIGKILL (the worker
 * records an attempt a few ms after the answer), or this long after it (the receiver
 * answering a sender already gone).
 */
const NEAR_KILL_BEFORE_MS = 2000;
const NEAR_KILL_AFTER_MS = 1000;
const SEED = Number(process.env.WEBHOOK_CHAOS_SEED || Date.now() % 1_000_000);

const rnd = seededRandom(SEED);

/**
 * Order i is placed by alice or bob, then: cancelled (plan 0), moved to Processing (1),
 * to Processing and Shipped (2), to Processing and cancelled (3), or left Placed (4, 5).
 */
const PLANS = 6;
const ownerOf = (i: number): TestUser => (i % 2 ? 'bob' : 'alice');
const eventsOfPlan = (i: number) => [2, 2, 3, 3, 1, 1][i % PLANS];

const t = useTestApp();
let receiver: WebhookReceiver;
let fleet: WorkerFleet;
let api: Awaited<ReturnType<typeof listen>>;
const LOG_DIR = path.resolve(__dirname, '..', 'var', 'webhooks-chaos', String(SEED));

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  api = await listen(t.app);
  fleet = new WorkerFleet(
    WORKER_PROCESSES,
    {
      ...peersEnv({ auth: t.auth }),
      WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      WEBHOOK_BACKOFF_MS: String(BACKOFF_MS),
      WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: String(PER_SUBSCRIPTION),
      // A killed process's jobs run again within seconds, not after the production 30 s.
      WORKER_LOCK_DURATION_MS: '4000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      // The API in this process relays its outboxes; the workers' sweep is the net under it.
      OUTBOX_SWEEP_INTERVAL_MS: '1000',
      OUTBOX_SWEEP_AGE_MS: '2000',
      EVENT_FEED_SEQUENCE_INTERVAL_MS: '1000',
    },
    ['webhooks', 'upkeep'],
    LOG_DIR,
  );
  t.onClose(() => receiver.close());
  t.onClose(() => api.close());
  // First to run: the workers stop before the receiver and the database go.
  t.onClose(() => fleet.stop());
  await fleet.start();
}, 120_000);

/** The whole deliveries log of a subscription, through the API, page by page. */
async function deliveriesLog(webhookId: string) {
  type Row = {
    deliveryId: string;
    eventId: string;
    eventType: string;
    status: string;
    attempts: number;
    lastStatusCode: number | null;
    deliveredAt: string | null;
  };
  const rows: Row[] = [];
  for (let page = 1; ; page++) {
    const res = await request(t.app)
      .get(`/api/orders/webhooks/${webhookId}/deliveries?page=${page}&limit=100`)
      .set(as('admin'));
    if (res.status !== 200) throw new Error(`the deliveries log answered ${res.status}: ${res.text}`);
    const got = res.body.data.deliveries as Row[];
    rows.push(...got);
    if (got.length < 100) return rows;
  }
}

describe(`webhooks chaos: ${ORDERS} orders while worker processes are SIGKILLed and the receiver fails for a while (seed ${SEED})`, () => {
  it('delivers every event at least once, repeats it unchanged, loses none, and logs what the receiver saw', async () => {
    const { webhookId, secret } = await t.as('admin').subscribe(receiver.url);
    const started = Date.now();
    const problems: string[] = [];
    let acknowledged = 0;
    let done = false;
    let failing: { from: number; to: number } | null = null;
    let killedAll = false;

    // The receiver's bad spell, a third of the way in: 500 to everything for FAILING_MS.
    const badSpell = (async () => {
      await eventually(async () => done || acknowledged >= ORDERS / 3, 300_000, 'a third of the orders');
      const from = Date.now();
      receiver.answerOtherwise({ status: 500 });
      await sleep(FAILING_MS);
      receiver.answerOtherwise({ status: 200 });
      failing = { from, to: Date.now() };
    })();

    // SIGKILL a worker process every 1.5-3 s and start a new one in its place; once, two
    // thirds of the way in, all of them at once.
    const chaos = (async () => {
      while (!done || fleet.kills.length < MIN_KILLS) {
        await sleep(1500 + rnd() * 1500);
        if (!killedAll && acknowledged >= (2 * ORDERS) / 3) {
          killedAll = true;
          await fleet.killAllAndRestart();
        } else await fleet.killAndRestart(Math.floor(rnd() * fleet.size));
      }
    })();

    // The orders, CONCURRENCY at a time, each with its changes right after it, sent as a
    // client would: again while the answer says "retry" (the order's lease is taken, 409:
    // its holder may be a worker just SIGKILLed, whose lease runs out by itself; the Auth
    // Service, in this busy process, did not answer in time, 502). Orders carry an
    // Idempotency-Key, so sending one again never makes a second.
    let retried = 0;
    const send = async (what: string, req: () => request.Test, expected = 200): Promise<request.Response | null> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const res = await req().timeout(30_000);
        const retry =
          (res.status === 409 && /being changed by another request|still being processed/.test(res.text)) ||
          res.status === 502 ||
          res.status === 503;
        if (retry && Date.now() < deadline) {
          retried += 1;
          await sleep(250);
          continue;
        }
        if (res.status === expected) return res;
        problems.push(`${what}: ${res.status} ${res.text}`);
        return null;
      }
    };
    let next = 0;
    const lane = async () => {
      while (next < ORDERS) {
        const i = next++;
        const owner = ownerOf(i);
        const body = smallOrderBody(100 + (i % 7) * 25, 1 + (i % 3));
        const res = await send(
          `placing order ${i}`,
          () =>
            request(api.url)
              .post('/api/orders')
              .set(as(owner))
              .set('Idempotency-Key', `webhooks-chaos-${SEED}-${i}`)
              .send(body),
          201,
        );
        if (!res) continue;
        const orderId = res.body.data.orderId as string;
        const move = (status: string) =>
          send(`moving order ${i} to ${status}`, () =>
            request(api.url).patch(`/api/orders/${orderId}/status`).set(as('admin')).send({ status }),
          );
        const cancel = () =>
          send(`cancelling order ${i}`, () =>
            request(api.url)
              .post(`/api/orders/${orderId}/cancel`)
              .set(as(owner))
              .send({ reason: 'Ordered the wrong size by mistake' }),
          );
        const plan = i % PLANS;
        if (plan === 0) await cancel();
        if (plan >= 1 && plan <= 3) await move('Processing');
        if (plan === 2) await move('Shipped');
        if (plan === 3) await cancel();
        acknowledged += 1;
        if (acknowledged % 100 === 0)
          process.stdout.write(
            `webhooks chaos: ${acknowledged}/${ORDERS} orders after ${seconds(started)} s, ${fleet.kills.length} kills\n`,
          );
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    } finally {
      done = true;
      await Promise.all([badSpell, chaos]);
    }
    const placedAt = Date.now();

    // Quiescence: every outbox relayed, every event fanned out, every delivery job done.
    await eventually(
      async () => (await Order.countDocuments({ outboxPending: true })) === 0,
      120_000,
      'every outbox to be relayed',
    );
    const expectedEvents = Array.from({ length: ORDERS }, (_, i) => eventsOfPlan(i)).reduce((a, b) => a + b, 0);
    await queueDrainedWhileProgressing(t.queues.webhooks, 60_000, 'webhooks chaos');
    await eventually(
      async () => (await WebhookDelivery.countDocuments({ status: { $in: ['pending', 'failed'] } })) === 0,
      30_000,
      'no delivery still on its way',
    ).catch(() => undefined);
    const drainedAt = Date.now();

    const events = await OrderEvent.find({}).lean<OrderEventDoc[]>();
    const eventById = new Map(events.map((e) => [e._id, e]));
    const log = await deliveriesLog(webhookId);
    const logById = new Map(log.map((d) => [d.deliveryId, d]));
    const fannedOut = await WebhookMark.countDocuments({ _id: { $regex: '^fanout:' } });

    // What the receiver saw, by delivery.
    const requests = new Map<string, ReceivedWebhook[]>();
    for (const r of receiver.received) {
      const id = String(r.headers['orms-delivery-id'] ?? '');
      requests.set(id, [...(requests.get(id) ?? []), r]);
    }
    const isAccepted = (r: ReceivedWebhook) => r.status >= 200 && r.status < 300;
    const acceptedEvents = new Set(receiver.accepted().map((r) => String(r.headers['orms-event-id'])));

    const unsigned = receiver.received.filter((r) => !verifyOrmsSignature(r.rawBody, r.signature, secret, r.at));
    const repeatsNotAlike: string[] = [];
    const bodiesNotTheEvent: string[] = [];
    const attemptsAboveRequests: string[] = [];
    const attemptsBelowFailures: string[] = [];
    const missingNotByAKill: string[] = [];
    const stalls = stallsByJob(fleet.outputs());
    let unrecorded = 0;
    let excused = 0;
    for (const [deliveryId, rs] of requests) {
      const [first] = rs;
      const eventId = String(first.headers['orms-event-id']);
      const alike = rs.every(
        (r) =>
          r.headers['orms-event-id'] === eventId &&
          r.headers['orms-event-type'] === first.headers['orms-event-type'] &&
          r.rawBody === first.rawBody &&
          r.body.id === eventId &&
          r.body.type === first.headers['orms-event-type'],
      );
      if (!alike || deliveryId !== deliveryIdOf(eventId, webhookId)) repeatsNotAlike.push(deliveryId);
      const event = eventById.get(eventId);
      if (event && first.rawBody !== JSON.stringify(webhookBodyOf(event)))
        bodiesNotTheEvent.push(`${deliveryId}: ${first.rawBody}`);
      const logged = logById.get(deliveryId);
      if (!logged) continue;
      // Every attempt the log counts is one the receiver answered. An answer is missing
      // from the log only when its worker died holding it (answered, not yet recorded): the
      // job then stalled and ran again, which the workers log; or, when the worker that
      // found the stall was killed before it logged it, the answer came just before a kill.
      const failures = rs.filter((r) => r.status >= 500).length;
      const stalled = stalls.get(deliveryId) ?? 0;
      const nearKills = rs.filter((r) => nearAKill(fleet.kills, r.at, NEAR_KILL_BEFORE_MS, NEAR_KILL_AFTER_MS)).length;
      const missing = rs.length - logged.attempts;
      const why = `${logged.attempts} attempts logged, ${rs.length} requests received (${failures} answered 500), job stalled ${stalled} times, ${nearKills} answered near a kill`;
      if (missing < 0) attemptsAboveRequests.push(`${deliveryId}: ${why}`);
      if (missing > stalled + nearKills) missingNotByAKill.push(`${deliveryId}: ${why}`);
      if (logged.attempts < failures + 1 - (stalled + nearKills)) attemptsBelowFailures.push(`${deliveryId}: ${why}`);
      if (missing > 0) unrecorded += missing;
      if (logged.attempts < failures + 1) excused += failures + 1 - logged.attempts;
    }
    const failedJobs = await t.queues.webhooks.getJobCountByTypes('failed');
    const deadLetters = await t.queues['dead-letter'].count();
    const acceptedPerDelivery = [...requests.values()].map((rs) => rs.filter(isAccepted).length);
    const spell = failing as { from: number; to: number } | null;

    const summary = {
      seed: SEED,
      clientProblems: problems.slice(0, 5),
      placementSeconds: seconds(started, placedAt),
      drainSeconds: seconds(placedAt, drainedAt),
      requestsRetried: retried,
      processKills: fleet.kills.length,
      wholeFleetKilled: killedAll,
      workerCrashes: fleet.crashed.length,
      events: events.length,
      expectedEvents,
      eventsFannedOut: fannedOut,
      deliveriesLogged: log.length,
      distinctEventsLogged: new Set(log.map((d) => d.eventId)).size,
      requestsReceived: receiver.received.length,
      answered500: receiver.received.filter((r) => r.status >= 500).length,
      deliveriesAnswered500: [...requests.values()].filter((rs) => rs.some((r) => r.status >= 500)).length,
      most500sForOneDelivery: Math.max(
        0,
        ...[...requests.values()].map((rs) => rs.filter((r) => r.status >= 500).length),
      ),
      badSpellSeconds: spell ? seconds(spell.from, spell.to) : null,
      repeats: receiver.received.length - requests.size,
      deliveriesAcceptedMoreThanOnce: acceptedPerDelivery.filter((n) => n > 1).length,
      deliveryJobsStalled: [...stalls.entries()].filter(([id]) => id.startsWith('dlv_')).reduce((n, [, c]) => n + c, 0),
      // Runs of a delivery whose lock lapsed while their (live, busy) process still ran them.
      deliveryLocksLostByLiveWorkers: (
        fleet
          .outputs()
          .join('\n')
          .match(/could not renew lock for job dlv_/g) ?? []
      ).length,
      requestsMissingFromTheLog: unrecorded,
      failedAttemptsLostWithTheirWorker: excused,
      eventsNeverAccepted: events
        .filter((e) => !acceptedEvents.has(e._id))
        .map((e) => e._id)
        .slice(0, 10),
      requestsForUnknownEvents: receiver.received.filter((r) => !eventById.has(String(r.headers['orms-event-id'])))
        .length,
      logForUnknownEvents: log
        .filter((d) => !eventById.has(d.eventId))
        .map((d) => d.deliveryId)
        .slice(0, 10),
      logNotDelivered: log
        .filter(
          (d) =>
            d.status !== 'delivered' ||
            d.lastStatusCode === null ||
            d.lastStatusCode < 200 ||
            d.lastStatusCode >= 300 ||
            !d.deliveredAt,
        )
        .map((d) => `${d.deliveryId} ${d.status} ${d.lastStatusCode}`)
        .slice(0, 10),
      loggedDeliveredNeverAccepted: log
        .filter((d) => !(requests.get(d.deliveryId) ?? []).some(isAccepted))
        .map((d) => d.deliveryId)
        .slice(0, 10),
      receivedNotInLog: [...requests.keys()].filter((id) => !logById.has(id)).slice(0, 10),
      unsignedRequests: unsigned.length,
      repeatsNotAlike: repeatsNotAlike.slice(0, 10),
      bodiesNotTheEvent: bodiesNotTheEvent.slice(0, 5),
      attemptsAboveRequests: attemptsAboveRequests.slice(0, 5),
      attemptsBelowFailures: attemptsBelowFailures.slice(0, 5),
      missingNotByAKill: missingNotByAKill.slice(0, 5),
      failedJobs,
      deadLetters,
    };
    process.stdout.write(
      `\nwebhooks chaos summary: ${JSON.stringify(summary, null, 2)}\nwebhooks chaos: worker logs in ${LOG_DIR}\n`,
    );
    for (const c of fleet.crashed)
      process.stdout.write(`webhooks chaos: worker ${c.pid} exited by itself (${c.code ?? c.signal}):\n${c.output}\n`);

    expect(summary).toMatchObject({
      clientProblems: [],
      workerCrashes: 0,
      events: expectedEvents,
      eventsFannedOut: expectedEvents,
      deliveriesLogged: expectedEvents,
      distinctEventsLogged: expectedEvents,
      eventsNeverAccepted: [],
      requestsForUnknownEvents: 0,
      logForUnknownEvents: [],
      logNotDelivered: [],
      loggedDeliveredNeverAccepted: [],
      receivedNotInLog: [],
      unsignedRequests: 0,
      repeatsNotAlike: [],
      bodiesNotTheEvent: [],
      attemptsAboveRequests: [],
      attemptsBelowFailures: [],
      missingNotByAKill: [],
      failedJobs: 0,
      deadLetters: 0,
    });
    // The chaos happened: kills (one of the whole fleet), a bad spell with retries.
    expect(summary.processKills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(summary.wholeFleetKilled).toBe(true);
    expect(summary.deliveriesAnswered500).toBeGreaterThan(0);
    expect(summary.most500sForOneDelivery).toBeGreaterThan(1);
    // A kill catches at most the deliveries its process had in flight.
    expect(summary.requestsMissingFromTheLog).toBeLessThanOrEqual(summary.processKills * PER_SUBSCRIPTION);
  });
});
