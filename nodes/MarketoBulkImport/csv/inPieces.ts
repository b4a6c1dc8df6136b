import { ChunkedDelimitedReader } from './chunkedReader';
import type { Delimiter } from './formats';

/** About 256 KiB of text at a time: a few milliseconds of reading between two turns of the event loop. */
const PIECE_BYTES = 256 * 1024;

/**
 * parseDelimited's records of a UTF-8 file, read in pieces with `between()` awaited after each:
 * a 10 MB file read in one go would hold the event loop for 100 ms or more. Pieces end before
 * a byte that starts a character, so none is cut in two: the text is what decoding the whole
 * file gives, invalid bytes included.
 */
export async function parseDelimitedInPieces(
	file: Buffer,
	delimiter: Delimiter,
	between: () => Promise<void>,
	pieceBytes = PIECE_BYTES,
): Promise<string[][]> {
	const reader = new ChunkedDelimitedReader(delimiter);
	const records: string[][] = [];
	let start = 0;
	while (start < file.length) {
		const end = characterStart(file, Math.min(file.length, start + Math.max(4, pieceBytes)));
		const read = reader.read(file.toString('utf8', start, end));
		for (const record of read.records) records.push(record);
		start = end;
		await between();
	}
	for (const record of reader.end().records) records.push(record);
	return records;
}

/**
 * Where to end a piece near `at` without cutting a character: before the last lead byte (not
 * 10xxxxxx) of the 3 bytes before `at` when its character runs past `at`, else at `at`.
 * Decoding resynchronises at every non-continuation byte, so a cut before one never changes
 * the text, invalid bytes included.
 */
function characterStart(file: Buffer, at: number): number {
	for (let back = 1; back <= 3 && at - back >= 0; back++) {
		const byte = file[at - back];
		if ((byte & 0xc0) === 0x80) continue;
		const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
		return length > back && at < file.length ? at - back : at;
	}
	return at;
}
