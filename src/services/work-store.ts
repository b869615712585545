import type { Model } from 'mongoose';
import type { WorkRecord, WorkStore } from './work-recovery';

const WAITING = ['queued', 'running'] as const;

/**
 * The records of one kind of work (bulk changes, exports: a `state` of queued, running,
 * completed or failed) as the recovery of lost jobs reads and writes them
 * (work-recovery.ts). `keep` leaves out records the recovery must not touch.
 */
export function workStoreOf<R extends WorkRecord>(
  model: Model<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- any model of work records
  keep: (record: R) => boolean = () => true,
): WorkStore<R> {
  return {
    // One query per state: FerretDB v1 hands PostgreSQL only equality, not $in.
    waiting: async (before) =>
      (await Promise.all(WAITING.map((state) => model.find({ state, createdAt: { $lte: before } }).lean<R[]>())))
        .flat()
        .filter(keep),
    stillWaiting: (id) => model.findOne({ _id: id, state: { $in: [...WAITING] } }).lean<R>(),
    countRequeues: async (id, requeues) => {
      await model.updateOne({ _id: id }, { $set: { requeues, jobId: null } });
    },
    fail: async (id, reason) => {
      await model.updateOne(
        { _id: id, state: { $in: [...WAITING] } },
        { $set: { state: 'failed', error: reason, finishedAt: new Date() } },
      );
    },
  };
}
