import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { MailError, classifyMailError, type Mailer } from '../clients/mailer';
import { composeEmail } from '../services/notifications/compose-email';
import { claimDelivery, markSent, releaseClaim } from '../services/notifications/delivery-claims';
import { eventWithReads } from './job-input';
import type { WorkerSettings } from './settings';

/** SMTP replies often quote the recipient (`550 <a@b.c>: no such user`). */
export const withoutAddresses = (text: string): string => text.replace(/[^\s<>()"',;:]+@[^\s<>()"',;:]+/g, '[address]');

export interface EmailsDeps {
  mailer: Mailer;
  settings: WorkerSettings;
}

/**
 * emails: one email per event (order confirmation, status update, cancellation, return
 * received / reviewed / completed), composed from the database, sent at most once per
 * event short of a crash right after the server's 250 (see delivery-claims.ts).
 * SMTP 5xx fails at once; 4xx and connection trouble are retried.
 */
export function emailsProcessor(deps: EmailsDeps) {
  return async (job: Job, token: string): Promise<{ messageId: string; template: string; skipped?: string }> => {
    // The order and its items are read while the event is checked.
    const [ev, email] = await eventWithReads(job, composeEmail);
    const messageId = `<${ev.eventId}@${deps.settings.messageIdDomain}>`;
    const accepted = acceptedBefore(job);
    if (accepted !== null) {
      // An earlier run of this job got the server's 250 and died before recording it below.
      await markSent(ev.eventId, accepted);
      return { messageId, template: email.template, skipped: 'already sent' };
    }
    // This run, not just this job: BullMQ also reruns a job whose run is alive but lost its
    // lock (Redis away for longer than the lock), and that rerun must not send it again.
    const holder = `${job.queueName}/${String(job.id)}/${token}`;
    const claim = await claimDelivery({
      eventId: ev.eventId,
      eventType: ev.type,
      orderId: email.orderId,
      template: email.template,
      messageId,
      holder,
      lockMs: deps.settings.emailClaimLockMs,
    });
    if (claim.kind === 'already-sent') return { messageId, template: email.template, skipped: 'already sent' };
    if (claim.kind === 'busy') {
      // Another run is sending it, or died doing so: look again once its claim has lapsed,
      // without spending an attempt (a crash must not use up the retries of a good email).
      await job.moveToDelayed(claim.until.getTime() + 100, token);
      throw new DelayedError();
    }

    let response: string;
    try {
      ({ response } = await deps.mailer.send({
        to: email.to,
        subject: email.subject,
        html: email.html,
        text: email.text,
        messageId,
      }));
    } catch (raw) {
      const err = raw instanceof MailError ? raw : classifyMailError(raw);
      await releaseClaim(ev.eventId, holder, err.delivered, err.message);
      // The reason is kept in Redis and shown on the board: no addresses there.
      const reason = withoutAddresses(err.message);
      if (err.permanent) throw new UnrecoverableError(`mail refused: ${reason}`);
      throw new Error(`mail not sent, will retry: ${reason}`);
    }
    // Noted on the job (one fast Redis round trip) and recorded in the database at once:
    // once either is stored a rerun does not send the email again, so only a crash before
    // the faster of the two lands can (see delivery-claims.ts); waiting for the note before
    // starting the record would add its round trip to every email and narrow nothing.
    const progress: EmailProgress = { smtp: 'accepted', response: withoutAddresses(response) };
    await Promise.all([job.updateProgress(progress).catch(() => undefined), markSent(ev.eventId, response)]);
    return { messageId, template: email.template };
  };
}

/** What a run records on its job once the SMTP server has accepted the message. */
interface EmailProgress {
  smtp: 'accepted';
  response: string;
}

function acceptedBefore(job: Job): string | null {
  const p = job.progress as Partial<EmailProgress> | number | undefined;
  return typeof p === 'object' && p.smtp === 'accepted' ? String(p.response ?? '') : null;
}
