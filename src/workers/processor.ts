import type { Job } from 'bullmq';

/** What works one queue's jobs. `token` identifies this run of the job: it changes each time a worker takes the job. */
export type Processor = (job: Job, token: string) => Promise<unknown>;
