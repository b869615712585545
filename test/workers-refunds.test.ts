import { Refund, ReturnRequest } from '../src/models';
import { guideOrderBody } from './helpers/fixtures';
import { drained, settled } from './helpers/pipeline';
import { eventually, useTestApp } from './helpers/test-app';

const t = useTestApp({ workers: ['refunds'] });

/** A delivered guide order of alice with a return of both headphones (4975.00) requested. */
async function returnRequested(): Promise<{ orderId: string; returnId: string }> {
  const orderId = await t.as('alice').placeOrder(guideOrderBody());
  await t.as('admin').move(orderId, 'Processing', 'Shipped', 'Delivered');
  return { orderId, returnId: await t.as('alice').requestReturn(orderId, undefined, 2) };
}

const refundJobOf = async (returnId: string, type: string) =>
  eventually(
    async () =>
      (await t.queues.refunds.getJobs(['completed', 'failed', 'active', 'waiting'])).find(
        (j) => j.data.returnId === returnId && j.name === type,
      ),
    5000,
    `the ${type} refund job`,
  );

describe('the refunds worker', () => {
  it('records one ledger entry for the approved amount and moves refundStatus to Processed', async () => {
    const { orderId, returnId } = await returnRequested();

    await t.as('admin').review(returnId, 4975);

    const entry = await eventually(() => Refund.findOne({ returnId }).lean(), 5000, 'the ledger entry');
    expect(entry).toMatchObject({
      returnId,
      orderId,
      userId: 'u-alice-000000000000001',
      amount: 497500,
      status: 'Processed',
    });
    await eventually(
      async () => (await ReturnRequest.findOne({ returnId }).lean())?.refundStatus === 'Processed',
      5000,
      'refundStatus Processed',
    );
  });

  it('adds no second entry when the review job runs again', async () => {
    const { returnId } = await returnRequested();
    await t.as('admin').review(returnId, 100);
    const first = await refundJobOf(returnId, 'return.reviewed');
    await settled(t.queues.refunds, String(first.id));

    await t.queues.refunds.add(first.name, first.data, { jobId: `${String(first.id)}-again` });
    const again = await settled(t.queues.refunds, `${String(first.id)}-again`);

    expect(again.returnvalue).toEqual({ outcome: 'already-recorded' });
    expect(await Refund.countDocuments({ returnId })).toBe(1);
  });

  it('completes the entry and the return when the return is completed', async () => {
    const { orderId, returnId } = await returnRequested();
    await t.as('admin').review(returnId, 4975);
    await eventually(() => Refund.findOne({ returnId }).lean(), 5000, 'the ledger entry');

    await t.as('admin').move(orderId, 'Returned');

    await eventually(
      async () => (await Refund.findOne({ returnId }).lean())?.status === 'Completed',
      5000,
      'the entry to complete',
    );
    await eventually(
      async () => (await ReturnRequest.findOne({ returnId }).lean())?.refundStatus === 'Completed',
      5000,
      'refundStatus Completed',
    );
    expect((await Refund.findOne({ returnId }).lean())?.completedAt).toBeInstanceOf(Date);
  });

  it('records nothing for a rejected return', async () => {
    const { returnId } = await returnRequested();

    await t.as('admin').review(returnId, null);
    const job = await settled(t.queues.refunds, String((await refundJobOf(returnId, 'return.reviewed')).id));

    expect(job.returnvalue).toEqual({ outcome: 'not-approved' });
    expect(await Refund.countDocuments({ returnId })).toBe(0);
    expect((await ReturnRequest.findOne({ returnId }).lean())?.refundStatus).toBe('Pending');
  });

  it('keeps the ledger equal to the sum of the approved refunds', async () => {
    await drained(t.queues.refunds);

    const approved = await ReturnRequest.find({ status: { $in: ['Approved', 'Completed'] } }).lean();
    const ledger = await Refund.find().lean();

    expect(approved.length).toBeGreaterThanOrEqual(3);
    expect(ledger).toHaveLength(approved.length);
    expect(ledger.reduce((s, r) => s + r.amount, 0)).toBe(approved.reduce((s, r) => s + (r.refundAmount ?? 0), 0));
  });
});
