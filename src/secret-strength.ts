import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

/**
 * How many guesses a cracker would need for `value`, as a power of ten, by zxcvbn's
 * estimate: common passwords, words, names, keyboard runs, sequences, repeats and dates are
 * what it counts down (`password12345678` ≈ 10^4, a random 32-byte hex ≈ 10^63). The
 * matcher (tens of MB with its dictionaries) is built per call: configuration is checked
 * once per process, and nothing else needs it.
 */
export function secretGuessesLog10(value: string): number {
  const zxcvbn = new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  return zxcvbn.check(value).guessesLog10;
}
