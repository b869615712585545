import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createMailer } from '../src/clients/mailer';
import { EmailDelivery, OrderHistory } from '../src/models';
import { guideOrderBody } from './helpers/fixtures';
import { settled } from './helpers/pipeline';
import { type ReceivedMail } from './helpers/smtp-test-server';
import { eventually, useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';
import { mailerOptions } from '../src/workers/settings';

const t = useTestApp({ workers: ['emails'], smtp: true });
beforeEach(() => t.smtp.acceptAll());

const eventIdOf = async (orderId: string, type: string): Promise<string> => {
  const row = await OrderHistory.findOne({ orderIdString: orderId }).sort({ timestamp: -1 }).lean();
  const job = row && (await t.queues.emails.getJob(row.eventId));
  if (!job || job.name !== type) throw new Error(`no ${type} email job for ${orderId}`);
  return row.eventId;
};
const mailFor = (eventId: string): ReceivedMail[] =>
  t.smtp.received.filter((m) => m.messageId === `<${eventId}@rman-ecommerce.com>`);
const oneMailFor = (eventId: string) =>
  eventually(async () => mailFor(eventId)[0], 8000, `the email of event ${eventId}`);

describe('the emails worker', () => {
  it('sends one order confirmation naming the order id and total, with an items table, as HTML and text', async () => {
    const orderId = await t.as('alice').placeOrder(guideOrderBody());
    const eventId = await eventIdOf(orderId, 'order.created');

    const mail = await oneMailFor(eventId);

    expect(mail.to.map((a) => a.toLowerCase())).toEqual(['alice.doe@example.com']);
    expect(mail.subject).toBe(`Order ${orderId} confirmed: ₹5,520.00`);
    expect(mail.html).toMatch(/<table/);
    for (const text of [
      'Wireless Headphones',
      'USB-C Cable',
      '₹4,975.00',
      '₹545.00',
      '₹5,520.00',
      orderId,
      'Hello Alice Doe',
    ]) {
      expect(mail.html).toContain(text);
      expect(mail.text).toContain(text);
    }
    expect(mail.text).not.toMatch(/<[a-z]/i);
    expect(mailFor(eventId)).toHaveLength(1);
    const job = await settled(t.queues.emails, eventId); // 'sent' is recorded after the server's 250
    expect(await EmailDelivery.findById(eventId).lean()).toMatchObject({
      state: 'sent',
      template: 'order-confirmation',
      orderId,
      attempts: 1,
    });
    // Noted on the job as well as in the database: a rerun that finds either does not send it again.
    expect(job.progress).toMatchObject({ smtp: 'accepted', response: expect.stringMatching(/^250/) });
  });

  it('sends the email of an event once even when its job runs a second time', async () => {
    const orderId = await t.as('bob').placeOrder();
    const eventId = await eventIdOf(orderId, 'order.created');
    await oneMailFor(eventId);
    const original = await t.queues.emails.getJob(eventId);

    await t.queues.emails.add(original!.name, original!.data, { jobId: `${eventId}-again` });
    const again = await settled(t.queues.emails, `${eventId}-again`);

    expect(again.returnvalue).toMatchObject({ skipped: 'already sent' });
    expect(mailFor(eventId)).toHaveLength(1);
  });

  it('mails status updates and cancellations with their own templates', async () => {
    const orderId = await t.as('alice').placeOrder();
    await request(t.app)
      .patch(`/api/orders/${orderId}/status`)
      .set(as('admin'))
      .send({ status: 'Processing' })
      .expect(200);
    const processing = await oneMailFor(await eventIdOf(orderId, 'order.status_changed'));
    await request(t.app)
      .post(`/api/orders/${orderId}/cancel`)
      .set(as('alice'))
      .send({ reason: 'Found a better price elsewhere' })
      .expect(200);
    const cancelled = await oneMailFor(await eventIdOf(orderId, 'order.cancelled'));

    expect(processing.subject).toBe(`Order ${orderId} is now Processing`);
    expect(processing.text).toContain('changed from Placed to Processing');
    expect(cancelled.subject).toBe(`Order ${orderId} cancelled`);
    expect(cancelled.text).toContain('Reason: Found a better price elsewhere');
  });

  it('mails the return received, its approval with the refund, and its completion', async () => {
    const orderId = await t.as('alice').placeOrder(guideOrderBody());
    await t.as('admin').move(orderId, 'Processing', 'Shipped', 'Delivered');
    const returnId = await t.as('alice').requestReturn(orderId, undefined, 2);
    const received = await oneMailFor(await eventIdOf(orderId, 'return.requested'));
    await t.as('admin').review(returnId, 4975);
    const reviewed = await oneMailFor(
      (await t.queues.emails.getJobs(['completed', 'active', 'waiting'])).find(
        (j) => j.name === 'return.reviewed' && j.data.returnId === returnId,
      )!.data.eventId,
    );
    await t.as('admin').move(orderId, 'Returned');
    const completed = await oneMailFor(await eventIdOf(orderId, 'return.completed'));

    expect(received.subject).toBe(`Return ${returnId} received for order ${orderId}`);
    expect(received.text).toContain('Wireless Headphones');
    expect(reviewed.subject).toBe(`Return ${returnId} approved`);
    expect(reviewed.text).toContain('Refund amount: ₹4,975.00');
    expect(completed.subject).toBe(`Return ${returnId} completed`);
    expect(completed.text).toContain('A refund of ₹4,975.00 has been issued');
  });

  it('fails at once on an SMTP 5xx, sends nothing, and dead-letters the job', async () => {
    t.smtp.gate(async () => ({ code: 550, message: 'Mailbox <bob.smith@example.com> unavailable' }));
    const orderId = await t.as('bob').placeOrder();
    const eventId = await eventIdOf(orderId, 'order.created');

    const job = await settled(t.queues.emails, eventId);

    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/550/);
    expect(job.failedReason).not.toMatch(/bob\.smith|example\.com/);
    const letter = await eventually(() => t.queues['dead-letter'].getJob(`emails-${eventId}`), 5000, 'the dead letter');
    expect(letter.data).toMatchObject({
      queue: 'emails',
      jobId: eventId,
      name: 'order.created',
      attemptsMade: 1,
      data: { eventId, orderId },
    });
    expect(mailFor(eventId)).toHaveLength(0);
    expect(await EmailDelivery.findById(eventId).lean()).toMatchObject({ state: 'failed' });
  });

  it('retries an SMTP 4xx and then delivers exactly one email', async () => {
    let refusals = 0;
    t.smtp.gate(async () => (refusals++ === 0 ? { code: 451, message: 'Try again later' } : null));
    const orderId = await t.as('alice').placeOrder();
    const eventId = await eventIdOf(orderId, 'order.created');

    const job = await settled(t.queues.emails, eventId);

    expect(await job.getState()).toBe('completed');
    expect(job.attemptsMade).toBe(2); // the refused attempt and the one that succeeded
    expect(mailFor(eventId)).toHaveLength(1);
    expect(await EmailDelivery.findById(eventId).lean()).toMatchObject({ state: 'sent', attempts: 2 });
  });
});

describe('the mailer without EMAIL_HOST', () => {
  it('writes each message as an .eml file named by its Message-ID', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'orms-mail-'));
    const mailer = createMailer(mailerOptions({ host: '', dir }));
    try {
      await mailer.send({
        to: 'someone@example.com',
        subject: 'Order ORD-2026-000001 confirmed',
        html: '<p>Total ₹5,520.00</p>',
        text: 'Total ₹5,520.00',
        messageId: '<e-1@rman-ecommerce.com>',
      });

      expect(mailer.kind).toBe('file');
      expect(await readdir(dir)).toEqual(['e-1@rman-ecommerce.com.eml']);
      const eml = await readFile(path.join(dir, 'e-1@rman-ecommerce.com.eml'), 'utf8');
      expect(eml).toMatch(/^Message-ID: <e-1@rman-ecommerce.com>$/m);
      expect(eml).toMatch(/^Subject: Order ORD-2026-000001 confirmed$/m);
      expect(eml).toMatch(/text\/plain/);
      expect(eml).toMatch(/text\/html/);
    } finally {
      mailer.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
