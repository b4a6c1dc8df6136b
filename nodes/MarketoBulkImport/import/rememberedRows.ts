/**
 * Skip Unchanged Rows, without n8n: fingerprints of rows, and the plan of one run — which rows
 * are skipped, which history entries must be forgotten, which are remembered once Marketo
 * has confirmed them. The history itself (n8n's processed-data store) is a set of opaque
 * entries that can only be asked about, added to, removed from, or cleared; it cannot be read.
 *
 * The rule the plan keeps: for every key (lookup value, dedupe values, email), the history
 * holds at most one fingerprint, that of the content Marketo last confirmed for it. So a
 * row is skipped only when its content is what Marketo holds from this node, and a value
 * changed back (A → B → A) is sent again.
 */
import * as crypto from 'crypto';

/**
 * A fingerprint is the first 22 base64 characters of a SHA-256 (132 bits): enough to keep a
 * false match (a changed row taken for unchanged) out of reach even over billions of rows.
 */
const FINGERPRINT_CHARS = 22;
const SEPARATOR = '\u0000';

/** One-shot hashing (Node 20.12+) is about twice as fast as a Hash object per row. */
const sha256Base64: (text: string) => string =
	typeof (crypto as { hash?: unknown }).hash === 'function'
		? (text) => (crypto as unknown as { hash: (algorithm: string, data: string, encoding: string) => string }).hash('sha256', text, 'base64')
		: (text) => crypto.createHash('sha256').update(text, 'utf8').digest('base64');

export interface RowFingerprint {
	/** Of the target, the form fields, the columns and every cell of the row. */
	row: string;
	/** The row's key values (trimmed, lower-cased); undefined when a key cell is empty (such a row is always sent). */
	key: string | undefined;
}

/**
 * Fingerprints rows of one import. `context` holds what is sent with every row (the target,
 * lookup field, list, partition, program and status), so changing any of them sends every
 * row again. Keys are compared trimmed and lower-cased, as Marketo finds leads by email.
 */
export class RowFingerprinter {
	private readonly prefix: string;

	private readonly keyPositions: number[];

	constructor(context: string, columns: readonly string[], keyColumns: readonly string[]) {
		this.prefix = [context, ...columns].join(SEPARATOR) + SEPARATOR + SEPARATOR;
		this.keyPositions = keyColumns.map((name) => columns.indexOf(name));
	}

	of(cells: readonly string[]): RowFingerprint {
		const row = sha256Base64(this.prefix + cells.join(SEPARATOR)).slice(0, FINGERPRINT_CHARS);
		let keyText = '';
		for (const position of this.keyPositions) {
			const value = position < 0 ? '' : (cells[position] ?? '').trim().toLowerCase();
			if (value === '') return { row, key: undefined };
			keyText += value + SEPARATOR;
		}
		// Kept as text, only for this run (to find keys used twice): no hash needed.
		return { row, key: this.keyPositions.length === 0 ? undefined : keyText };
	}
}

const SEND_ONLY = 0;
const REMEMBER = 1;
const SKIP = 2;

/**
 * One run's plan. Rows are numbered in input order (as the input produces them), and again
 * in file order once sent (as the RowLedger numbers them).
 */
export class SkipPlan {
	private readonly fingerprints: string[] = [];

	private readonly keys: Array<string | undefined> = [];

	private decisions: Uint8Array | undefined;

	/** Input row of each row sent, in file order. */
	private readonly sentRows: number[] = [];

	private skipped = 0;

	/** Adds the next input row (first pass over the input). */
	add(fingerprint: RowFingerprint): void {
		this.fingerprints.push(fingerprint.row);
		this.keys.push(fingerprint.key);
	}

	get rowCount(): number {
		return this.fingerprints.length;
	}

	/** The distinct fingerprints of the run, to ask the history about. */
	distinctFingerprints(): string[] {
		return [...new Set(this.fingerprints)];
	}

	/**
	 * Decides every row once the history has answered which fingerprints it knows. A row is
	 * skipped when the history knows it and its key is used by no other row of this run (with
	 * two rows for one key, the order they reach Marketo decides, so both are sent, and neither
	 * is remembered). Rows with an empty key are always sent and never remembered.
	 */
	decide(known: ReadonlySet<string>): void {
		const keyCounts = new Map<string, number>();
		for (const key of this.keys) if (key !== undefined) keyCounts.set(key, (keyCounts.get(key) ?? 0) + 1);
		const decisions = new Uint8Array(this.fingerprints.length);
		for (let row = 0; row < decisions.length; row++) {
			const key = this.keys[row];
			if (key === undefined || keyCounts.get(key) !== 1) decisions[row] = SEND_ONLY;
			else decisions[row] = known.has(this.fingerprints[row]) ? SKIP : REMEMBER;
			if (decisions[row] === SKIP) this.skipped++;
		}
		this.decisions = decisions;
		// Keys are not needed any more: the decisions say everything.
		this.keys.length = 0;
	}

	isSkipped(inputRow: number): boolean {
		return this.decisions?.[inputRow] === SKIP;
	}

	get skippedCount(): number {
		return this.skipped;
	}

	/** Notes that an input row goes into the files, as the next row in file order. */
	sent(inputRow: number): void {
		this.sentRows.push(inputRow);
	}

	/** Fingerprints of the skipped rows: what the history must still hold once the others are forgotten. */
	skippedFingerprints(): string[] {
		return this.where((decision) => decision === SKIP);
	}

	/**
	 * Fingerprints the history must not hold during the run: those it did not know (the
	 * check recorded them; they are recorded again only once confirmed), and those of rows sent
	 * for a key used twice (Marketo will hold whichever arrives last).
	 */
	fingerprintsToForget(known: ReadonlySet<string>): string[] {
		const forget = new Set<string>();
		this.fingerprints.forEach((fingerprint, row) => {
			if (!known.has(fingerprint) || this.decisions?.[row] === SEND_ONLY) forget.add(fingerprint);
		});
		// A fingerprint shared with a skipped row stays (identical rows share a key, so none is skipped).
		return [...forget];
	}

	/** Fingerprints of sent rows that Marketo confirmed, given the file rows it confirmed. */
	confirmedFingerprints(confirmedFileRows: Iterable<number>): string[] {
		const confirmed: string[] = [];
		for (const fileRow of confirmedFileRows) {
			const inputRow = this.sentRows[fileRow];
			if (inputRow !== undefined && this.decisions?.[inputRow] === REMEMBER) confirmed.push(this.fingerprints[inputRow]);
		}
		return confirmed;
	}

	private where(test: (decision: number) => boolean): string[] {
		const result: string[] = [];
		this.fingerprints.forEach((fingerprint, row) => {
			if (test(this.decisions?.[row] ?? SEND_ONLY)) result.push(fingerprint);
		});
		return result;
	}
}

/** What Marketo confirmed of one batch, as the outcome accounting saw it. */
export interface BatchConfirmation {
	firstRow: number;
	rowCount: number;
	/** Every row of the batch has a known outcome: imported, warned, or failed and traced. */
	settled: boolean;
	/** File rows Marketo failed (traced). */
	failedRows: readonly number[];
}

/**
 * The file rows Marketo confirmed imported: rows of settled batches, except their failed ones.
 * Warned rows were imported. A batch that is pending, timed out, failed as a whole, or whose
 * outcome is partly unknown confirms nothing.
 */
export function confirmedFileRows(batches: readonly BatchConfirmation[]): number[] {
	const rows: number[] = [];
	for (const batch of batches) {
		if (!batch.settled) continue;
		const failed = new Set(batch.failedRows);
		for (let row = batch.firstRow; row < batch.firstRow + batch.rowCount; row++) if (!failed.has(row)) rows.push(row);
	}
	return rows;
}
