// Jest runs the biggest files first when it has no timings (a clean clone, as in CI), so the
// heaviest suites started together and starved each other on two cores: chaos and
// scale-out, and the event feed's 300 concurrent orders, which ran past its 240 s beside
// chaos's 2,000. Chaos goes first, then the rest in jest's own order, the event feed after
// them (by then chaos has ended on the other worker), and scale-out last.
const Sequencer = require('@jest/test-sequencer').default;

const LATE = ['/event-feed.test.ts', '/scale-out.test.ts'];
const rank = (path) => {
  if (path.endsWith('/chaos.test.ts')) return 0;
  const late = LATE.findIndex((name) => path.endsWith(name));
  return late === -1 ? 1 : 2 + late;
};

class HeavySuitesApart extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted].sort((a, b) => rank(a.path) - rank(b.path));
  }
}

module.exports = HeavySuitesApart;
