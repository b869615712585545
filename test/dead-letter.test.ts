import request from 'supertest';
import { OrderHistory } from '../src/models';
import { settled } from './helpers/pipeline';
import { eventually, useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';

const t = useTestApp({ workers: ['emails'], smtp: true });

const createdEventOf = async (orderId: string): Promise<string> => {
  const row = await eventually(
    () => OrderHistory.findOne({ orderIdString: orderId, newStatus: 'Placed' }).lean(),
    3000,
    'the history row',
  );
  return row.eventId;
};
const listDeadLetters = (query = '') => request(t.app).get(`/api/orders/dead-letters${query}`).set(as('admin'));

describe('dead letters', () => {
  it('collects an email job that kept failing while SMTP was down; replaying it after SMTP is back delivers exactly one email', async () => {
    await t.smtp.stop();
    const orderId = await t.as('alice').placeOrder();
    const eventId = await createdEventOf(orderId);

    const failed = await settled(t.queues.emails, eventId);
    expect(await failed.getState()).toBe('failed');
    expect(failed.attemptsMade).toBe(3); // JOB_ATTEMPTS of this file

    const list = await eventually(
      async () => {
        const res = await listDeadLetters();
        return res.body.data?.deadLetters?.length ? res : null;
      },
      5000,
      'the dead letter to be listed',
    );
    expect(list.status).toBe(200);
    const [letter] = list.body.data.deadLetters;
    expect(letter).toMatchObject({
      id: `emails-${eventId}`,
      queue: 'emails',
      jobId: eventId,
      name: 'order.created',
      attemptsMade: 3,
      data: { eventId, orderId },
    });
    expect(letter.failedReason).toMatch(/ECONNREFUSED|connect/i);
    expect(list.body.data.pagination).toMatchObject({ totalItems: 1, currentPage: 1 });

    await t.smtp.start();
    const replay = await request(t.app).post(`/api/orders/dead-letters/${letter.id}/replay`).set(as('admin'));

    expect(replay.status).toBe(200);
    expect(replay.body.data).toMatchObject({ queue: 'emails' });
    expect(replay.body.data.jobId).not.toBe(eventId);
    const rerun = await settled(t.queues.emails, replay.body.data.jobId);
    expect(await rerun.getState()).toBe('completed');
    const mails = t.smtp.received.filter((m) => m.messageId === `<${eventId}@rman-ecommerce.com>`);
    expect(mails).toHaveLength(1);
    expect((await listDeadLetters()).body.data.deadLetters).toEqual([]);
    // The dead letter is gone, so replaying it again is refused rather than sent twice.
    expect((await request(t.app).post(`/api/orders/dead-letters/${letter.id}/replay`).set(as('admin'))).status).toBe(
      404,
    );
  });

  it('dead-letters a job with a malformed payload at once, and lists dead letters a page at a time', async () => {
    for (const n of [1, 2, 3])
      await t.queues.emails.add('order.created', { eventId: 'not-a-uuid', n }, { jobId: `bad-${n}` });
    for (const n of [1, 2, 3]) {
      const job = await settled(t.queues.emails, `bad-${n}`);
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(/invalid order.created payload/);
    }

    const page1 = await eventually(
      async () => {
        const res = await listDeadLetters('?limit=2&page=1');
        return res.body.data?.pagination?.totalItems === 3 ? res : null;
      },
      5000,
      'three dead letters',
    );
    const page2 = await listDeadLetters('?limit=2&page=2');

    expect(page1.body.data.deadLetters).toHaveLength(2);
    expect(page1.body.data.pagination).toMatchObject({
      currentPage: 1,
      totalPages: 2,
      itemsPerPage: 2,
      hasNextPage: true,
      hasPreviousPage: false,
    });
    expect(page2.body.data.deadLetters).toHaveLength(1);
    const ids = [...page1.body.data.deadLetters, ...page2.body.data.deadLetters]
      .map((d: { id: string }) => d.id)
      .sort();
    expect(ids).toEqual(['emails-bad-1', 'emails-bad-2', 'emails-bad-3']);
  });

  it('answers 404 for an unknown dead letter and keeps the endpoints for administrators', async () => {
    expect((await request(t.app).post('/api/orders/dead-letters/emails-nope/replay').set(as('admin'))).status).toBe(
      404,
    );
    expect((await request(t.app).get('/api/orders/dead-letters').set(as('alice'))).status).toBe(403);
    expect((await request(t.app).get('/api/orders/dead-letters')).status).toBe(401);
    expect((await request(t.app).post('/api/orders/dead-letters/emails-bad-1/replay').set(as('bob'))).status).toBe(403);
  });
});
