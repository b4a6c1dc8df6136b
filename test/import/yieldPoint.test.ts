/* eslint-disable @n8n/community-nodes/no-restricted-globals -- a test: a timer shows that turn() lets the event loop run */
import { YieldPoint } from '../../nodes/MarketoBulkImport/import/yieldPoint';

describe('YieldPoint', () => {
	let now = 0;
	beforeEach(() => {
		now = 1_000;
		jest.spyOn(Date, 'now').mockImplementation(() => now);
	});
	afterEach(() => jest.restoreAllMocks());

	/** The calls (1-based) on which due() said yes, over `calls` calls, the clock moving `msPerCall` each. */
	function dueCalls(pause: YieldPoint, calls: number, msPerCall: number): number[] {
		const due: number[] = [];
		for (let call = 1; call <= calls; call++) {
			now += msPerCall;
			if (pause.due()) {
				due.push(call);
				// What turn() records, without waiting for a real event-loop turn.
				(pause as unknown as { last: number }).last = now;
			}
		}
		return due;
	}

	it('reads the clock every `everyCalls` calls and says yes once the budget has passed', () => {
		// 0.1 ms a call: 15 ms after 150 calls, seen at the next multiple of 16.
		expect(dueCalls(new YieldPoint(15, 16), 400, 0.1)).toEqual([160, 320]);
		// Cheap records: only every 256th call reads the clock.
		expect(dueCalls(new YieldPoint(15, 256), 1_000, 0.1)).toEqual([256, 512, 768]);
		// No time passing, no turn, however many calls.
		expect(dueCalls(new YieldPoint(15, 16), 1_000, 0)).toEqual([]);
	});

	it('turn() gives the event loop a turn and starts the budget again', async () => {
		const pause = new YieldPoint(15, 1);
		now += 20;
		expect(pause.due()).toBe(true);
		let timerRan = false;
		setTimeout(() => (timerRan = true), 0);
		await pause.turn();
		expect(timerRan).toBe(true);
		expect(pause.due()).toBe(false);
	});

	it('refuses a stride that is not a power of two (the mask would never or irregularly match)', () => {
		for (const stride of [0, 10, -4, 1.5]) expect(() => new YieldPoint(15, stride)).toThrow(RangeError);
		expect(() => new YieldPoint(15, 1)).not.toThrow();
	});
});
