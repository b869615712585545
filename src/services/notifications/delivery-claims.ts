import { EmailDelivery } from '../../models';
import { insertOnce } from '../../models/insert-once';

/**
 * Exactly one email per event, with SMTP that can only be told "send" (DESIGN.md 10):
 *
 * 1. Before sending, a run claims the event: a row keyed by the event id in state
 *    `sending`, naming the run (`holder` = queue/jobId) and locked until `lockedUntil`.
 * 2. After the SMTP server accepts (250), the row becomes `sent`; every later run skips.
 * 3. If the server refused (4xx/5xx, or we never got connected), nothing was delivered:
 *    the row becomes `failed` and the next run sends.
 * 4. If the run dies or the connection breaks between claim and confirmation, the row stays
 *    `sending`. The next run takes the claim over once the lock has passed (a run gives up
 *    well within it: EMAIL_CLAIM_LOCK_MS ≥ 4 × EMAIL_TIMEOUT_MS), and sends again with the
 *    same Message-ID. `holder` names one run, not the job: BullMQ also reruns a job whose
 *    first run is alive but lost its lock (Redis was away), and that rerun must wait.
 *
 * So an email is never lost, and it is sent twice only if a process dies in the instant
 * between the server's 250 and step 2 (the server took it, we never learnt): a repeat that
 * carries the same Message-ID, which mail stores drop, and whose row says `maybeSent`. The
 * emails worker narrows that instant: it notes the 250 on its BullMQ job (one Redis round
 * trip) while it writes this row, and a rerun of the job that finds the note only records it.
 * Dying before the 250 (the usual case: the whole SMTP dialogue) cannot duplicate,
 * because a server delivers only a message it acknowledged.
 */

export type Claim = { kind: 'claimed'; attempt: number } | { kind: 'already-sent' } | { kind: 'busy'; until: Date };

export interface ClaimRequest {
  eventId: string;
  eventType: string;
  orderId: string;
  template: string;
  messageId: string;
  holder: string;
  lockMs: number;
}

export async function claimDelivery(req: ClaimRequest, now: Date = new Date()): Promise<Claim> {
  const lockedUntil = new Date(now.getTime() + req.lockMs);
  for (let round = 0; round < 5; round++) {
    const first = await insertOnce(EmailDelivery, {
      _id: req.eventId,
      eventType: req.eventType,
      orderId: req.orderId,
      template: req.template,
      state: 'sending',
      holder: req.holder,
      lockedUntil,
      attempts: 1,
      messageId: req.messageId,
    });
    if (first) return { kind: 'claimed', attempt: 1 };
    const row = await EmailDelivery.findById(req.eventId).lean();
    if (!row) continue; // removed in between: claim afresh
    if (row.state === 'sent') return { kind: 'already-sent' };
    const free = row.state === 'failed' || row.lockedUntil.getTime() <= now.getTime();
    if (!free) return { kind: 'busy', until: row.lockedUntil };
    // Compare-and-set on what we read: of two runs taking over, one wins.
    const taken = await EmailDelivery.findOneAndUpdate(
      { _id: req.eventId, state: row.state, holder: row.holder, lockedUntil: row.lockedUntil, attempts: row.attempts },
      // Taking over from a run that vanished mid-send: it may have got the server's 250.
      {
        $set: {
          state: 'sending',
          holder: req.holder,
          lockedUntil,
          lastError: row.lastError,
          maybeSent: row.maybeSent || row.state === 'sending',
        },
        $inc: { attempts: 1 },
      },
      { new: true },
    ).lean();
    if (taken) return { kind: 'claimed', attempt: taken.attempts };
  }
  throw new Error(`could not claim the email of event ${req.eventId}: contended`);
}

/** The server accepted the message: final, whoever holds the claim by now. */
export async function markSent(eventId: string, smtpResponse: string): Promise<void> {
  await EmailDelivery.updateOne(
    { _id: eventId },
    { $set: { state: 'sent', sentAt: new Date(), smtpResponse: smtpResponse.slice(0, 500), lastError: null } },
  );
}

/**
 * The send failed. `delivered: 'no'` frees the event for the next run; 'unknown' leaves it
 * `sending` but unlocked, so the next run sends again and the row remembers it may repeat.
 */
export async function releaseClaim(
  eventId: string,
  holder: string,
  delivered: 'no' | 'unknown',
  error: string,
): Promise<void> {
  const set =
    delivered === 'no'
      ? { state: 'failed', lockedUntil: new Date(), lastError: error.slice(0, 500) }
      : { lockedUntil: new Date(), maybeSent: true, lastError: error.slice(0, 500) };
  await EmailDelivery.updateOne({ _id: eventId, state: 'sending', holder }, { $set: set });
}
