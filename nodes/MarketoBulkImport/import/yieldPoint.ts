import { sleep } from 'n8n-workflow';

/**
 * Long loops (a million records) ask `due()` for every record and, when it says so, await
 * `turn()`: the event loop then gets a turn about every `budgetMs` of work, so n8n's worker
 * keeps renewing its lock, answering its health checks and streaming to the editor while an
 * import is prepared. `due()` is synchronous on purpose: awaiting anything, even a value that
 * is ready, suspends the loop once per record, which costs more than most records.
 */
export class YieldPoint {
	private last = Date.now();

	private calls = 0;

	/**
	 * @param everyCalls how often the clock is read (a power of two): reading it for every cheap
	 * record would cost more than the records; steps that take long each want a smaller stride.
	 */
	constructor(
		private readonly budgetMs = 15,
		private readonly everyCalls = 256,
	) {
		if (!(Number.isInteger(everyCalls) && everyCalls >= 1 && (everyCalls & (everyCalls - 1)) === 0)) throw new RangeError(`everyCalls must be a power of two, not ${everyCalls}`);
	}

	due(): boolean {
		if ((++this.calls & (this.everyCalls - 1)) !== 0) return false;
		return Date.now() - this.last >= this.budgetMs;
	}

	async turn(): Promise<void> {
		await eventLoopTurn();
		this.last = Date.now();
	}
}

/** A turn for the event loop now (between pieces of work that take a few milliseconds each). */
export async function eventLoopTurn(): Promise<void> {
	await sleep(0);
}
