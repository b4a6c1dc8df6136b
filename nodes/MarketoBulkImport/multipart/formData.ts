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
	const chunks: Buffer[] = [];
	// Consecutive text is gathered into one string so each run costs a single Buffer.from
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
	for (const file of parts.files ?? []) {
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
		chunks.push(Buffer.from(text, 'utf8'), file.content);
		text = CRLF;
	}
	text += '--' + chosen + '--' + CRLF;
	chunks.push(Buffer.from(text, 'utf8'));

	return {
		body: Buffer.concat(chunks),
		contentType: 'multipart/form-data; boundary=' + chosen,
		boundary: chosen,
	};
}
