import './helpers/pipeline-env';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from './helpers/browser';
import { boardRouter } from '../src/api/board';
import { OrderHistory } from '../src/models';
import type { RunningWorkers } from '../src/workers/start-workers';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { placeOrder } from './helpers/orders';
import { settled, startPipeline } from './helpers/pipeline';
import { startTestSmtpServer, type TestSmtpServer } from './helpers/smtp-test-server';
import { eventually, startTestApp, type TestApp } from './helpers/test-app';

const OPERATOR = { username: 'operator', password: 'board-password-for-tests' };
const QUEUES = ['emails', 'customer-stats', 'analytics', 'refunds', 'dead-letter'];

let t: TestApp;
let api: ApiProcess;
let browser: Browser;
let smtp: TestSmtpServer;
let workers: RunningWorkers;

beforeAll(async () => {
  t = await startTestApp();
  smtp = await startTestSmtpServer();
  workers = await startPipeline(t, ['emails'], { smtp });
  api = await startApiProcess({ BOARD_USER: OPERATOR.username, BOARD_PASSWORD: OPERATOR.password });
  browser = await launchChromium();
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await api?.kill();
  await workers?.close(2000);
  await smtp?.close();
  await t?.close();
});

/** An operator's browser context that never leaves the machine (the board's page asks for web fonts). */
async function context(credentials: { username: string; password: string }): Promise<BrowserContext> {
  const ctx = await browser.newContext({ httpCredentials: credentials });
  await ctx.route('**/*', (route) => (route.request().url().startsWith(api.url) ? route.continue() : route.abort()));
  return ctx;
}

describe('Bull Board at /admin/queues', () => {
  it('is not built at all without operator credentials, so it is never served open', () => {
    expect(boardRouter(t.queues, { user: '', password: '' })).toBeNull();
    expect(boardRouter(t.queues, { user: 'operator', password: '' })).toBeNull();
    expect(boardRouter(t.queues, { user: OPERATOR.username, password: OPERATOR.password })).not.toBeNull();
  });

  it('answers 401 with a Basic challenge to a browser without credentials or with a wrong password', async () => {
    for (const credentials of [undefined, { username: OPERATOR.username, password: 'wrong-password' }]) {
      const ctx = await browser.newContext(credentials ? { httpCredentials: credentials } : {});
      const page = await ctx.newPage();
      const answers: { url: string; status: number; challenge: string | undefined }[] = [];
      page.on('response', (r) => answers.push({ url: r.url(), status: r.status(), challenge: r.headers()['www-authenticate'] }));

      // Without credentials the browser gives up on the challenge (a navigation error);
      // with wrong ones it may show the 401 answer. Either way it gets nothing but 401s.
      const navigation = await page.goto(`${api.url}/admin/queues`).then(() => 'loaded', (err: Error) => err.message);

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

  it('retries a failed job from the board, and the retried job runs', async () => {
    smtp.gate(async () => ({ code: 554, message: 'Transaction failed' }));
    const orderId = await placeOrder(t.app, 'alice');
    const { eventId } = await eventually(() => OrderHistory.findOne({ orderIdString: orderId }).lean(), 3000, 'the history row');
    const failed = await settled(t.queues.emails, eventId);
    expect(await failed.getState()).toBe('failed');
    expect(await t.queues['dead-letter'].getJob(`emails-${eventId}`)).toBeTruthy();
    smtp.acceptAll();

    const ctx = await context(OPERATOR);
    const page = await ctx.newPage();
    await page.goto(`${api.url}/admin/queues/queue/emails?status=failed`);
    await page.getByText(eventId).first().waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Retry all' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();

    await eventually(async () => (await (await t.queues.emails.getJob(eventId))?.getState()) === 'completed', 10_000, 'the retried job to complete');
    expect(smtp.received.filter((m) => m.messageId === `<${eventId}@rman-ecommerce.com>`)).toHaveLength(1);
    // The job succeeded after all, so its dead letter is obsolete and goes.
    await eventually(async () => !(await t.queues['dead-letter'].getJob(`emails-${eventId}`)), 5000, 'the dead letter to be removed');
    await ctx.close();
  }, 30_000);
});
