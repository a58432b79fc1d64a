/**
 * @miro-token/scenarios: Private: end-to-end lifecycle scenarios across packages against the emulator (refresh races, faults, clock jumps).
 */
export {};
