/** A seeded random source (an LCG), so a chaos run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

export { setTimeout as sleep } from 'node:timers/promises';
/** Seconds between two instants, to a tenth. */
export const seconds = (from: number, to = Date.now()) => Math.round((to - from) / 100) / 10;
