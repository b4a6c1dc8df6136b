import { StringDecoder } from 'string_decoder';

import { ChunkedDelimitedReader } from './chunkedReader';
import type { Delimiter } from './formats';

/** About 256 KiB of text at a time: a few milliseconds of reading between two turns of the event loop. */
const PIECE_BYTES = 256 * 1024;

/**
 * parseDelimited's records of a UTF-8 file, read in pieces with `between()` awaited after each:
 * a 10 MB file read in one go would hold the event loop for 100 ms or more. A multibyte
 * character cut between two pieces is decoded whole (the decoder keeps its first bytes).
 */
export async function parseDelimitedInPieces(
	file: Buffer,
	delimiter: Delimiter,
	between: () => Promise<void>,
	pieceBytes = PIECE_BYTES,
): Promise<string[][]> {
	const decoder = new StringDecoder('utf8');
	const reader = new ChunkedDelimitedReader(delimiter);
	const records: string[][] = [];
	for (let start = 0; start < file.length; start += pieceBytes) {
		const read = reader.read(decoder.write(file.subarray(start, start + pieceBytes)));
		for (const record of read.records) records.push(record);
		await between();
	}
	const rest = reader.read(decoder.end());
	for (const record of rest.records) records.push(record);
	for (const record of reader.end().records) records.push(record);
	return records;
}
