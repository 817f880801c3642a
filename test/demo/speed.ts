/**
 * The speed of the demo tests: the fastest at which the demo plays exactly the run `--fast`
 * (speed 25) plays. The simulation moves in fixed steps (src/demo/simulation.ts): a tick every
 * max(20, 1000 / speed) real ms, each `speed` times as long in simulated time; up to speed 50
 * every tick is one simulated second, so the same run takes half the real time of --fast.
 * parts.test.ts checks that both speeds step by one simulated second.
 */
export const TEST_SPEED = 50;
