// Jest runs the biggest files first when it has no timings (a clean clone, as in CI), so the
// two heaviest suites, chaos and scale-out, started together and starved each other on two
// cores. Chaos goes first and scale-out last; the rest keep jest's own order between them.
const Sequencer = require('@jest/test-sequencer').default;

const rank = (path) => (path.endsWith('/chaos.test.ts') ? 0 : path.endsWith('/scale-out.test.ts') ? 2 : 1);

class HeavySuitesApart extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted].sort((a, b) => rank(a.path) - rank(b.path));
  }
}

module.exports = HeavySuitesApart;
