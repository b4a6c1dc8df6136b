import { sleep } from 'n8n-workflow';

/**
 * Long loops (a million records) call `maybe()` often; it gives the event loop a turn once
 * about `budgetMs` of work has passed, so n8n's worker keeps renewing its lock, answering its
 * health checks and streaming to the editor while an import is prepared.
 */
export class YieldPoint {
	private last = Date.now();

	private calls = 0;

	constructor(private readonly budgetMs = 15) {}

	async maybe(): Promise<void> {
		// Reading the clock for every record would cost more than the records.
		if ((++this.calls & 255) !== 0) return;
		if (Date.now() - this.last < this.budgetMs) return;
		await eventLoopTurn();
		this.last = Date.now();
	}
}

/** A turn for the event loop now (between pieces of work that take a few milliseconds each). */
export async function eventLoopTurn(): Promise<void> {
	await sleep(0);
}
