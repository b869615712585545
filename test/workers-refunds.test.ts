import './helpers/pipeline-env';
import { Refund, ReturnRequest } from '../src/models';
import type { RunningWorkers } from '../src/workers/start-workers';
import { guideOrderBody } from './helpers/fixtures';
import { askReturn, moveTo, review } from './helpers/order-flows';
import { placeOrder } from './helpers/orders';
import { drained, settled, startPipeline } from './helpers/pipeline';
import { eventually, startTestApp, type TestApp } from './helpers/test-app';

let t: TestApp;
let workers: RunningWorkers;

beforeAll(async () => {
  t = await startTestApp();
  workers = await startPipeline(t, ['refunds']);
});
afterAll(async () => {
  await workers.close(2000);
  await t.close();
});

/** A delivered guide order of alice with a return of both headphones (4975.00) requested. */
async function returnRequested(): Promise<{ orderId: string; returnId: string }> {
  const orderId = await placeOrder(t.app, 'alice', guideOrderBody());
  await moveTo(t.app, orderId, 'Processing', 'Shipped', 'Delivered');
  return { orderId, returnId: await askReturn(t.app, 'alice', orderId, 2) };
}

const refundJobOf = async (returnId: string, type: string) =>
  eventually(async () => (await t.queues.refunds.getJobs(['completed', 'failed', 'active', 'waiting'])).find((j) => j.data.returnId === returnId && j.name === type), 5000, `the ${type} refund job`);

describe('the refunds worker', () => {
  it('records one ledger entry for the approved amount and moves refundStatus to Processed', async () => {
    const { orderId, returnId } = await returnRequested();

    await review(t.app, returnId, 4975);

    const entry = await eventually(() => Refund.findOne({ returnId }).lean(), 5000, 'the ledger entry');
    expect(entry).toMatchObject({ returnId, orderId, userId: 'u-alice-000000000000001', amount: 497500, status: 'Processed' });
    await eventually(async () => (await ReturnRequest.findOne({ returnId }).lean())?.refundStatus === 'Processed', 5000, 'refundStatus Processed');
  });

  it('adds no second entry when the review job runs again', async () => {
    const { returnId } = await returnRequested();
    await review(t.app, returnId, 100);
    const first = await refundJobOf(returnId, 'return.reviewed');
    await settled(t.queues.refunds, String(first.id));

    await t.queues.refunds.add(first.name, first.data, { jobId: `${String(first.id)}-again` });
    const again = await settled(t.queues.refunds, `${String(first.id)}-again`);

    expect(again.returnvalue).toEqual({ outcome: 'already-recorded' });
    expect(await Refund.countDocuments({ returnId })).toBe(1);
  });

  it('completes the entry and the return when the return is completed', async () => {
    const { orderId, returnId } = await returnRequested();
    await review(t.app, returnId, 4975);
    await eventually(() => Refund.findOne({ returnId }).lean(), 5000, 'the ledger entry');

    await moveTo(t.app, orderId, 'Returned');

    await eventually(async () => (await Refund.findOne({ returnId }).lean())?.status === 'Completed', 5000, 'the entry to complete');
    await eventually(async () => (await ReturnRequest.findOne({ returnId }).lean())?.refundStatus === 'Completed', 5000, 'refundStatus Completed');
    expect((await Refund.findOne({ returnId }).lean())?.completedAt).toBeInstanceOf(Date);
  });

  it('records nothing for a rejected return', async () => {
    const { returnId } = await returnRequested();

    await review(t.app, returnId, null);
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
