import type * as Core from '@zxcvbn-ts/core';
import type * as Common from '@zxcvbn-ts/language-common';

/**
 * How many guesses a cracker would need for `value`, as a power of ten, by zxcvbn's
 * estimate: common passwords, words, names, keyboard runs, sequences, repeats and dates are
 * what it counts down (`password12345678` ≈ 10^4, a random 32-byte hex ≈ 10^63).
 *
 * The library and its dictionaries (100 ms and 15 MB to load) are required here, on the
 * first call, not when this module is imported: only a production-like start checks its
 * secrets, and every process and test file imports the config.
 */
export function secretGuessesLog10(value: string): number {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see above */
  const { ZxcvbnFactory } = require('@zxcvbn-ts/core') as typeof Core;
  const common = require('@zxcvbn-ts/language-common') as typeof Common;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const zxcvbn = new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  return zxcvbn.check(value).guessesLog10;
}
