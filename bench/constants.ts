/** Settings shared by the benchmark's parent process and its import workers. */

export const LEAD_COUNT = 1_000_000;
/** Marketo runs two imports at a time per instance (the emulator's default too). */
export const SLOTS = 2;
/**
 * Import speed of each emulated slot. The emulator runs in the node's process and parses and
 * upserts every row itself (80,000–110,000 rows/s on the reference 2-core machine), so 200,000 rows/s
 * per slot is out of its reach; at 10,000 the two slots ask for 20,000 rows/s, a quarter of it.
 */
export const ROWS_PER_SECOND = 10_000;
/** Short, so slot idling is seen at 0.2 s resolution (the node's default is 10 s). */
export const POLL_INTERVAL_SECONDS = 0.2;
/** Rows posted straight to the emulator to measure its own throughput. */
export const CALIBRATION_ROWS = 200_000;
