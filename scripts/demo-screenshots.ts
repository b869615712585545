/**
 * After `npm run demo`: looks at what an operator and a customer would see, in headless
 * Chromium, and saves the screenshots under var/: Bull Board's `emails` queue with its
 * completed jobs, the mailbox (Mailpit) listing an order confirmation, and the stand-ins'
 * page listing the webhook deliveries the receiver verified. Exits 1 if any is not there.
 * CI runs it after the demo.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { config } from '../src/config';
import { launchChromium } from './chromium';

const API = `http://127.0.0.1:${config.PORT}`;
const MAILBOX = `http://${process.env.MAILPIT_UI ?? '127.0.0.1:8025'}`;
const STAND_INS = config.CUSTOMER_SERVICE_URL.replace(/\/$/, '');
const OUT = path.resolve('var');

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const browser = await launchChromium();
  try {
    const board = await browser.newContext({
      httpCredentials: { username: config.BOARD_USER, password: config.BOARD_PASSWORD },
      viewport: { width: 1400, height: 900 },
    });
    // Nothing of ours calls out of the machine (the board's page asks for web fonts).
    await board.route('**/*', (route) => (route.request().url().startsWith(API) ? route.continue() : route.abort()));
    const page = await board.newPage();
    await page.goto(`${API}/admin/queues/queue/emails?status=completed`);
    // The newest completed jobs of the queue, each with when it finished and what it sent.
    await page.getByText('Finished at').first().waitFor({ timeout: 15_000 });
    await page
      .getByText(/"template":|template:/)
      .first()
      .waitFor({ timeout: 5_000 });
    await page.screenshot({ path: path.join(OUT, 'demo-board-emails.png'), fullPage: true });
    process.stdout.write(
      `screenshots: Bull Board lists completed jobs of the emails queue → var/demo-board-emails.png\n`,
    );

    const mail = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await mail.route('**/*', (route) => (route.request().url().startsWith(MAILBOX) ? route.continue() : route.abort()));
    const inbox = await mail.newPage();
    await inbox.goto(MAILBOX);
    await inbox
      .getByText(/Order ORD-\d{4}-\d{6,} confirmed/)
      .first()
      .waitFor({ timeout: 15_000 });
    await inbox.screenshot({ path: path.join(OUT, 'demo-mailbox.png'), fullPage: true });
    process.stdout.write(`screenshots: the mailbox lists an order confirmation → var/demo-mailbox.png\n`);

    const peers = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await peers.route('**/*', (route) =>
      route.request().url().startsWith(STAND_INS) ? route.continue() : route.abort(),
    );
    const standIns = await peers.newPage();
    await standIns.goto(`${STAND_INS}/`);
    await standIns.getByText('Webhook receivers').first().waitFor({ timeout: 15_000 });
    await standIns.getByTitle('signature verified').first().waitFor({ timeout: 5_000 });
    await standIns.screenshot({ path: path.join(OUT, 'demo-stand-ins.png'), fullPage: false });
    process.stdout.write(
      `screenshots: the stand-ins' page lists verified webhook deliveries → var/demo-stand-ins.png\n`,
    );
  } finally {
    await browser.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`screenshots failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
