import { metricsPortOf } from '../../src/workers/metrics';

describe('the metrics port of a worker process', () => {
  it('is the configured port when pm2 does not number the process', () => {
    expect(metricsPortOf(9464, undefined)).toBe(9464);
    expect(metricsPortOf(9464, '0')).toBe(9464);
  });

  it('adds the process’s number under pm2, so several worker processes on one host each get their own', () => {
    expect([0, 1, 2].map((n) => metricsPortOf(9464, String(n)))).toEqual([9464, 9465, 9466]);
  });

  it('ignores a NODE_APP_INSTANCE that is not a process number', () => {
    expect(metricsPortOf(9464, 'abc')).toBe(9464);
    expect(metricsPortOf(9464, '-1')).toBe(9464);
  });
});
