import request from 'supertest';
import { eventually, useTestApp } from './helpers/test-app';
import { peersEnv, startWorkerProcess, type WorkerProcess } from './helpers/worker-process';
import { WORK_QUEUE_NAMES } from '../src/shared/names';

/**
 * A queue no process works never fails; its jobs only wait. The API's /metrics counts the
 * workers connected to every work queue, and a worker process started with a subset says,
 * once, which queues it leaves to others.
 */
const t = useTestApp();
let subset: WorkerProcess;
beforeAll(async () => {
  subset = await startWorkerProcess({ ...peersEnv(t), WORKERS: 'emails,refunds' });
  t.onClose(() => subset.kill());
}, 30_000);

const workersOf = (metrics: string, queue: string): number | undefined => {
  const m = new RegExp(`^orms_queue_workers\\{queue="${queue}"\\} (\\d+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) : undefined;
};

describe('queues nobody works', () => {
  it('/metrics counts the workers of every work queue: 0 for the ones no process works', async () => {
    const metrics = await eventually(
      async () => {
        const text = (await request(t.app).get('/metrics')).text;
        return workersOf(text, 'emails') === 1 ? text : null;
      },
      10_000,
      'the emails worker to be counted',
    );

    for (const queue of WORK_QUEUE_NAMES)
      expect({ queue, workers: workersOf(metrics, queue) }).toEqual({
        queue,
        workers: queue === 'emails' || queue === 'refunds' ? 1 : 0,
      });
    expect(workersOf(metrics, 'dead-letter')).toBeUndefined();
  });

  it('a worker process started with a subset logs once which queues it leaves to other processes', () => {
    const warnings = subset
      .output()
      .split('\n')
      .filter((l) => l.includes('leftToOtherProcesses'));

    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]).leftToOtherProcesses).toEqual(
      WORK_QUEUE_NAMES.filter((q) => q !== 'emails' && q !== 'refunds'),
    );
    expect(warnings[0]).toContain('another process must work');
  });
});
