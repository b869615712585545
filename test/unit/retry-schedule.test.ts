import { retryDelayMs } from '../../src/services/webhooks/attempts';

/** The schedule README "Webhooks" states, with the shipped settings: a minute, doubling, a day at most. */
const MINUTE = 60_000;
const DAY = 86_400_000;
const delay = (attempt: number, random: number, retryAfterMs: number | null = null) =>
  retryDelayMs(attempt, retryAfterMs, { WEBHOOK_BACKOFF_MS: MINUTE, WEBHOOK_MAX_RETRY_DELAY_MS: DAY }, random);

describe('the webhook retry schedule', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 4],
    [4, 8],
    [5, 16],
    [6, 32],
    [7, 64],
    [8, 128],
    [9, 256],
    [10, 512],
    [11, 1024],
  ])('waits after attempt %i %i minutes, up to a fifth more at random', (attempt, minutes) => {
    expect([delay(attempt, 0), delay(attempt, 1)]).toEqual([minutes * MINUTE, minutes * MINUTE * 1.2]);
  });

  it('brings the twelfth attempt 34 to 41 hours after the first', () => {
    const hours = (random: number) =>
      Array.from({ length: 11 }, (_, i) => delay(i + 1, random)).reduce((a, b) => a + b, 0) / 3_600_000;
    expect([Math.floor(hours(0)), Math.floor(hours(1))]).toEqual([34, 40]);
  });

  it('never waits longer than a day, whatever the attempt or the Retry-After', () => {
    expect([delay(12, 0), delay(20, 1), delay(1, 0, 3 * DAY)]).toEqual([DAY, DAY, DAY]);
  });

  it("waits at least the receiver's Retry-After, and no less than the schedule's when it asks for less", () => {
    expect([delay(1, 0, 5 * 3_600_000), delay(3, 0, 1_000)]).toEqual([5 * 3_600_000, 4 * MINUTE]);
  });
});
