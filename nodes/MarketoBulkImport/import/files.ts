import type { Delimiter } from '../csv';
import { encodeRow, LINE_END } from '../csv';

/** Marketo refuses bulk bodies over 10 MiB (HTTP 413). */
export const MARKETO_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Default file cap: 95 % of the limit leaves room for the multipart envelope and any miscount. */
export const DEFAULT_MAX_FILE_BYTES = Math.floor(MARKETO_MAX_BODY_BYTES * 0.95);
/** Room the multipart envelope (boundaries, part headers, form fields) needs around the file. */
export const MULTIPART_ALLOWANCE_BYTES = 2048;

export interface ImportFile {
	content: Buffer;
	/** Index of each data row in the import table (not an item index: a file item holds many rows). */
	rowIndexes: number[];
}

/** Returned (not thrown) when one row alone exceeds the limit: the caller names its item. */
export class RowTooLargeError extends Error {
	constructor(
		readonly rowIndex: number,
		readonly rowBytes: number,
		readonly maxBytes: number,
	) {
		super(`a ${rowBytes}-byte row, more than the ${maxBytes}-byte file limit`);
	}
}

/**
 * Packs rows into as few files as possible, each at most `maxBytes` (UTF-8, header
 * included), each starting with the header. Rows are never split and keep their order.
 * A row that cannot fit in any file is returned as a RowTooLargeError.
 */
export function splitIntoFiles(
	columns: readonly string[],
	rows: ReadonlyArray<readonly string[]>,
	delimiter: Delimiter,
	maxBytes: number,
): ImportFile[] | RowTooLargeError {
	const header = encodeRow(columns, delimiter);
	const headerBytes = Buffer.byteLength(header, 'utf8');
	const separatorBytes = LINE_END.length;
	const files: ImportFile[] = [];

	let lines: string[] = [header];
	let indexes: number[] = [];
	let bytes = headerBytes;

	const flush = () => {
		if (indexes.length === 0) return;
		files.push({ content: Buffer.from(lines.join(LINE_END), 'utf8'), rowIndexes: indexes });
		lines = [header];
		indexes = [];
		bytes = headerBytes;
	};

	for (let r = 0; r < rows.length; r++) {
		const line = encodeRow(rows[r], delimiter);
		const lineBytes = separatorBytes + Buffer.byteLength(line, 'utf8');
		if (headerBytes + lineBytes > maxBytes) {
			return new RowTooLargeError(r, headerBytes + lineBytes, maxBytes);
		}
		if (bytes + lineBytes > maxBytes) flush();
		lines.push(line);
		indexes.push(r);
		bytes += lineBytes;
	}
	flush();
	return files;
}
