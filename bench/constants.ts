/** Settings shared by the benchmark's parent process and its import workers. */

export const LEAD_COUNT = 1_000_000;
/** The growth row: the same import at these sizes (1,000,000 is the main run, reused). */
export const GROWTH_COUNTS = [250_000, 1_000_000, 2_000_000];
/** Marketo runs two imports at a time per instance (the emulator's default too). */
export const SLOTS = 2;
/**
 * Import speed of each emulated slot. The emulator parses and upserts every row itself (see the
 * "emulator alone" row), so 200,000 rows/s per slot is out of its reach; at 10,000 the two slots
 * ask for 20,000 rows/s. The theoretical minimum is rows ÷ (SLOTS × ROWS_PER_SECOND).
 */
export const ROWS_PER_SECOND = 10_000;
/** Short, so slot idling is seen at 0.2 s resolution (the node's default is 10 s); the adaptive poll's floor. */
export const POLL_INTERVAL_SECONDS = 0.2;
/** Max Batches in Queue of the pipelined runs (the node's default). */
export const MAX_IN_QUEUE = 4;
/** Rows posted straight to the emulator to measure its own throughput. */
export const CALIBRATION_ROWS = 200_000;
/** The Binary File row: a CSV export of this many bytes (1 GiB, a little over 1 GB). */
export const FILE_BYTES = 1024 ** 3;
/** How often the node's process samples its resident memory (in a thread of its own). */
export const RSS_SAMPLE_MS = 5;
/** monitorEventLoopDelay's resolution. */
export const LOOP_DELAY_RESOLUTION_MS = 10;

export const TARGETS = {
	/** Node wall time ÷ theoretical minimum, 1,000,000 leads. */
	wallRatio: 1.03,
	/** Sequential (submit, wait, submit) ÷ pipelined. */
	speedup: 1.9,
	/** The node's own added peak RSS, 1,000,000 leads. */
	nodeMemoryMiB: 400,
	/** Longest event-loop delay while importing 1,000,000 leads. */
	loopDelayMaxMs: 100,
	/** (create + status + report downloads) ÷ batches, 1,000,000 leads, adaptive poll. */
	callsPerBatch: 5,
	/** The node's own added peak RSS, 1 GB Binary File input. */
	fileMemoryMiB: 500,
};
