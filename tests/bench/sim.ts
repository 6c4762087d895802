// Simulator throughput figures (the SIM engineer's bench lives beside the simulator).
export { run } from '../sim/bench';
