import type { Browser, BrowserContext } from 'playwright-core';
import request from 'supertest';
import { launchChromium } from './helpers/browser';
import { boardRouter } from '../src/api/board';
import { OrderHistory } from '../src/models';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { settled } from './helpers/pipeline';
import { eventually, useTestApp } from './helpers/test-app';

const OPERATOR = { username: 'operator', password: 'board-password-for-tests' };
const QUEUES = ['emails', 'customer-stats', 'analytics', 'refunds', 'dead-letter'];

const t = useTestApp({ workers: ['emails'], smtp: true });
/** The board as shipped (BOARD_READ_ONLY defaults to true), and one an operator opened for changes. */
let api: ApiProcess;
let writable: ApiProcess;
let browser: Browser;
beforeAll(async () => {
  const board = { BOARD_USER: OPERATOR.username, BOARD_PASSWORD: OPERATOR.password };
  [api, writable] = await Promise.all([
    startApiProcess(board),
    startApiProcess({ ...board, BOARD_READ_ONLY: 'false' }),
  ]);
  browser = await launchChromium();
  t.onClose(() => Promise.all([browser.close(), api.kill(), writable.kill()]));
}, 40_000);

/** An operator's browser context that never leaves the machine (the board's page asks for web fonts). */
async function context(
  credentials: { username: string; password: string },
  of: ApiProcess = api,
): Promise<BrowserContext> {
  const ctx = await browser.newContext({ httpCredentials: credentials });
  await ctx.route('**/*', (route) => (route.request().url().startsWith(of.url) ? route.continue() : route.abort()));
  return ctx;
}

const operator = `Basic ${Buffer.from(`${OPERATOR.username}:${OPERATOR.password}`).toString('base64')}`;

/** A job that failed for good, dead-lettered: what an operator would retry. */
async function failedEmailJob(): Promise<string> {
  t.smtp.gate(async () => ({ code: 554, message: 'Transaction failed' }));
  const orderId = await t.as('alice').placeOrder();
  const { eventId } = await eventually(
    () => OrderHistory.findOne({ orderIdString: orderId }).lean(),
    3000,
    'the history row',
  );
  const failed = await settled(t.queues.emails, eventId);
  expect(await failed.getState()).toBe('failed');
  t.smtp.acceptAll();
  return eventId;
}

describe('Bull Board at /admin/queues', () => {
  it('is not built at all without operator credentials, so it is never served open', () => {
    const board = (user: string, password: string) =>
      boardRouter(t.queues, t.redis, { user, password, readOnly: true, loginMaxFailures: 10 });

    expect(board('', '')).toBeNull();
    expect(board('operator', '')).toBeNull();
    expect(board(OPERATOR.username, OPERATOR.password)).not.toBeNull();
  });

  it('answers 401 with a Basic challenge to a browser without credentials or with a wrong password', async () => {
    for (const credentials of [undefined, { username: OPERATOR.username, password: 'wrong-password' }]) {
      const ctx = await browser.newContext(credentials ? { httpCredentials: credentials } : {});
      const page = await ctx.newPage();
      const answers: { url: string; status: number; challenge: string | undefined }[] = [];
      page.on('response', (r) =>
        answers.push({ url: r.url(), status: r.status(), challenge: r.headers()['www-authenticate'] }),
      );

      // Without credentials the browser gives up on the challenge (a navigation error);
      // with wrong ones it may show the 401 answer. Either way it gets nothing but 401s.
      const navigation = await page.goto(`${api.url}/admin/queues`).then(
        () => 'loaded',
        (err: Error) => err.message,
      );

      if (navigation === 'loaded') expect(await page.textContent('body')).not.toMatch(/customer-stats|dead-letter/);
      else expect(navigation).toMatch(/ERR_INVALID_AUTH_CREDENTIALS/);
      expect(answers.length).toBeGreaterThan(0);
      for (const answer of answers) {
        expect(answer.status).toBe(401);
        expect(answer.challenge).toMatch(/^Basic realm="ORMS queues"/);
        expect(answer.url).toBe(`${api.url}/admin/queues`);
      }
      await ctx.close();
    }
  });

  it('shows every queue to an operator with the credentials', async () => {
    const ctx = await context(OPERATOR);
    const page = await ctx.newPage();

    const res = await page.goto(`${api.url}/admin/queues`);

    expect(res?.status()).toBe(200);
    for (const name of QUEUES) await page.getByText(name, { exact: true }).first().waitFor({ timeout: 10_000 });
    await ctx.close();
  }, 30_000);

  it('as shipped is read-only: it shows a failed job, offers no retry, and refuses every change with 405', async () => {
    const eventId = await failedEmailJob();
    const ctx = await context(OPERATOR);
    const page = await ctx.newPage();

    await page.goto(`${api.url}/admin/queues/queue/emails?status=failed`);
    await page.getByText(eventId).first().waitFor({ timeout: 10_000 });
    const retryButtons = await page.getByRole('button', { name: 'Retry all' }).count();
    const changes = await Promise.all([
      request(api.url).put(`/admin/queues/api/queues/emails/retry/failed`).set('authorization', operator),
      request(api.url).put(`/admin/queues/api/queues/emails/${eventId}/retry`).set('authorization', operator),
      request(api.url)
        .post('/admin/queues/api/queues/emails/add')
        .set('authorization', operator)
        .send({ name: 'order.created', data: {} }),
    ]);

    expect(retryButtons).toBe(0);
    for (const res of changes) expect(res.status).toBe(405);
    expect(changes[0].body).toEqual({
      success: false,
      message: 'The board is read-only',
      errors: [{ field: 'board', message: expect.stringContaining('BOARD_READ_ONLY') }],
    });
    expect(await (await t.queues.emails.getJob(eventId))?.getState()).toBe('failed');
    await ctx.close();
  }, 30_000);

  it('opened for changes (BOARD_READ_ONLY=false) still never adds, edits or pauses a job by hand: 403', async () => {
    const eventId = await failedEmailJob();
    const as = (r: request.Test) => r.set('authorization', operator);

    const answers = await Promise.all([
      as(request(writable.url).post('/admin/queues/api/queues/emails/add')).send({
        name: 'order.status_changed',
        data: { eventId },
      }),
      as(request(writable.url).patch(`/admin/queues/api/queues/emails/${eventId}/update-data`)).send({
        data: { newStatus: 'Delivered' },
      }),
      as(request(writable.url).put('/admin/queues/api/queues/emails/pause')),
      as(request(writable.url).put('/admin/queues/api/queues/emails/empty')),
      as(request(writable.url).put('/admin/queues/api/queues/emails/obliterate')).send({}),
    ]);

    for (const res of answers)
      expect({ status: res.status, body: res.body }).toEqual({
        status: 403,
        body: { success: false, message: 'Not allowed from the board', errors: [expect.any(Object)] },
      });
    expect((await t.queues.emails.getJob(eventId))?.data).toHaveProperty('newStatus', 'Placed');
    expect(await t.queues.emails.isPaused()).toBe(false);
  });

  it('opened for changes, refuses a change sent cross-site or as a form: 403 and 415', async () => {
    const eventId = await failedEmailJob();
    const retry = () =>
      request(writable.url).put(`/admin/queues/api/queues/emails/${eventId}/retry`).set('authorization', operator);

    const fromElsewhere = await retry().set('sec-fetch-site', 'cross-site');
    const fromOrigin = await retry().set('origin', 'https://evil.example');
    const asForm = await retry().set('content-type', 'application/x-www-form-urlencoded').send('a=1');
    const asText = await retry().set('content-type', 'text/plain').send('{}');

    expect([fromElsewhere.status, fromOrigin.status, asForm.status, asText.status]).toEqual([403, 403, 415, 415]);
    expect(asForm.body).toEqual({
      success: false,
      message: 'Unsupported media type',
      errors: [{ field: 'content-type', message: 'Board changes accept only application/json' }],
    });
    expect(await (await t.queues.emails.getJob(eventId))?.getState()).toBe('failed');
  });

  it('opened for changes, retries a failed job from the board, and the retried job runs', async () => {
    const eventId = await failedEmailJob();
    expect(await t.queues['dead-letter'].getJob(`emails-${eventId}`)).toBeTruthy();

    const ctx = await context(OPERATOR, writable);
    const page = await ctx.newPage();
    await page.goto(`${writable.url}/admin/queues/queue/emails?status=failed`);
    await page.getByText(eventId).first().waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Retry all' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();

    await eventually(
      async () => (await (await t.queues.emails.getJob(eventId))?.getState()) === 'completed',
      10_000,
      'the retried job to complete',
    );
    expect(t.smtp.received.filter((m) => m.messageId === `<${eventId}@rman-ecommerce.com>`)).toHaveLength(1);
    // The job succeeded after all, so its dead letter is obsolete and goes.
    await eventually(
      async () => !(await t.queues['dead-letter'].getJob(`emails-${eventId}`)),
      5000,
      'the dead letter to be removed',
    );
    await ctx.close();
  }, 30_000);
});
