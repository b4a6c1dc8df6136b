import { randomBytes } from 'crypto';

export interface MultipartField {
	name: string;
	value: string;
}

export interface MultipartFile {
	name: string;
	filename: string;
	/** Media type of the part; empty means application/octet-stream. */
	contentType: string;
	content: Buffer;
	/**
	 * A larger buffer holding `content` (same memory) whose bytes around it are free to
	 * overwrite: a lone file is then framed in place, without copying it (see FRAME_ROOM).
	 */
	room?: Buffer;
}

export interface MultipartBody {
	body: Buffer;
	/** Value for the request's Content-Type header. */
	contentType: string;
	boundary: string;
}

export interface MultipartParts {
	fields?: MultipartField[];
	files?: MultipartFile[];
}

const CRLF = '\r\n';
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
// A subset of RFC 2046 bchars that never needs quoting in the Content-Type parameter
const VALID_BOUNDARY = /^[0-9A-Za-z'+_.-]{1,70}$/;
const LINE_BREAK = /[\r\n]/;
const HEADER_PARAM_SPECIALS = /["\r\n]/g;
/** The longest closing `CRLF --boundary-- CRLF` after a file (a boundary has at most 70 characters). */
const MAX_TRAILER_BYTES = 2 + 2 + 70 + 2 + 2;
/**
 * Room to leave around a file's content so that buildMultipartBody can frame it in place: after
 * it, the closing delimiter; before it, the fields and part headers (form fields of a few short
 * values, a file name). When the envelope needs more, the body is built by copying instead.
 */
export const FRAME_ROOM = { before: 2048 - MAX_TRAILER_BYTES, after: MAX_TRAILER_BYTES } as const;

// Random boundaries collide with the content only by astronomically bad luck; don't loop forever
const MAX_BOUNDARY_ATTEMPTS = 8;

/** Random boundary in the form-data package's style: 26 dashes and 24 hex digits. */
export function createBoundary(): string {
	return '--------------------------' + randomBytes(12).toString('hex');
}

/**
 * WHATWG HTML escaping for `name` and `filename` parameters: `"` → %22, CR → %0D, LF → %0A,
 * so a name can't end its quoted string or inject header lines. Everything else, non-ASCII
 * included, is sent as UTF-8. form-data 4.0.6 does the same.
 */
export function escapeHeaderParam(value: string): string {
	return value.replace(HEADER_PARAM_SPECIALS, (c) =>
		c === '"' ? '%22' : c === '\r' ? '%0D' : '%0A',
	);
}

function collides(boundary: string, parts: MultipartParts): boolean {
	for (const field of parts.fields ?? []) {
		if (field.value.indexOf(boundary) !== -1) return true;
	}
	for (const file of parts.files ?? []) {
		if (file.content.indexOf(boundary, 0, 'latin1') !== -1) return true;
	}
	return false;
}

/**
 * multipart/form-data body as one Buffer, byte-identical to the form-data package
 * (`setBoundary`, `append` of each field then each file, `getBuffer`): every part is
 * `--boundary CRLF headers CRLF CRLF content CRLF` and the body ends with `--boundary-- CRLF`.
 * Fields come first, then files, each in the order given. Unlike form-data, a file's filename is
 * used as given (no basename) and always sent, even when empty.
 *
 * The boundary never occurs in any field value or file content: a generated one is drawn
 * again, a caller-supplied one that occurs (or isn't 1-70 of `0-9A-Za-z'+_.-`) throws.
 */
export function buildMultipartBody(parts: MultipartParts, boundary?: string): MultipartBody {
	let chosen: string;
	if (boundary !== undefined) {
		if (!VALID_BOUNDARY.test(boundary)) {
			throw new Error(`Invalid multipart boundary: ${JSON.stringify(boundary)}`);
		}
		if (collides(boundary, parts)) {
			throw new Error('Multipart boundary occurs in the content');
		}
		chosen = boundary;
	} else {
		let attempts = 0;
		do {
			if (++attempts > MAX_BOUNDARY_ATTEMPTS) {
				throw new Error('Could not find a multipart boundary absent from the content');
			}
			chosen = createBoundary();
		} while (collides(chosen, parts));
	}

	const delimiter = '--' + chosen + CRLF;
	const files = parts.files ?? [];
	const chunks: Array<string | Buffer> = [];
	// Consecutive text is gathered into one string so each run costs a single encoding
	let text = '';
	for (const field of parts.fields ?? []) {
		text +=
			delimiter +
			'Content-Disposition: form-data; name="' +
			escapeHeaderParam(field.name) +
			'"' +
			CRLF +
			CRLF +
			field.value +
			CRLF;
	}
	for (const file of files) {
		const contentType = file.contentType === '' ? DEFAULT_CONTENT_TYPE : file.contentType;
		if (LINE_BREAK.test(contentType)) {
			throw new Error('Multipart content type must not contain line breaks');
		}
		text +=
			delimiter +
			'Content-Disposition: form-data; name="' +
			escapeHeaderParam(file.name) +
			'"; filename="' +
			escapeHeaderParam(file.filename) +
			'"' +
			CRLF +
			'Content-Type: ' +
			contentType +
			CRLF +
			CRLF;
		chunks.push(text, file.content);
		text = CRLF;
	}
	text += '--' + chosen + '--' + CRLF;
	chunks.push(text);

	const framed = files.length === 1 ? frameInPlace(chunks[0] as string, files[0], text) : undefined;
	return {
		body: framed ?? Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk))),
		contentType: 'multipart/form-data; boundary=' + chosen,
		boundary: chosen,
	};
}

/**
 * Writes the text before and after a lone file's content into the room around it and returns
 * the body as a view of that memory: a 10 MB file is sent without a 10 MB copy. Undefined when
 * the file has no room, or too little.
 */
function frameInPlace(head: string, file: MultipartFile, tail: string): Buffer | undefined {
	const { room, content } = file;
	if (room === undefined || room.buffer !== content.buffer) return undefined;
	const before = content.byteOffset - room.byteOffset;
	const contentEnd = before + content.length;
	const headBytes = Buffer.byteLength(head, 'utf8');
	const tailBytes = Buffer.byteLength(tail, 'utf8');
	// The content must lie inside the room, with enough of it on either side.
	if (before < headBytes || contentEnd + tailBytes > room.length) return undefined;
	room.write(head, before - headBytes, 'utf8');
	room.write(tail, contentEnd, 'utf8');
	return room.subarray(before - headBytes, contentEnd + tailBytes);
}
