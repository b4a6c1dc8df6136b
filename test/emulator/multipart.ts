 
/**
 * A minimal, strict multipart/form-data parser (RFC 7578 / RFC 2046), independent of the
 * product's multipart writer. Anything malformed throws MultipartError, which the server
 * maps to Marketo error 613 "Invalid Multipart Request".
 */

export interface MultipartPart {
	name: string;
	filename?: string;
	contentType?: string;
	headers: Record<string, string>;
	data: Buffer;
}

export class MultipartError extends Error {}

/** `multipart/form-data; boundary=...` → boundary, or undefined when the type is not multipart/form-data. */
export function multipartBoundary(contentType: string | undefined): string | undefined | null {
	if (!contentType) return undefined;
	const [type, ...params] = splitParams(contentType);
	if (type.trim().toLowerCase() !== 'multipart/form-data') return undefined;
	for (const p of params) {
		const eq = p.indexOf('=');
		if (eq < 0) continue;
		if (p.slice(0, eq).trim().toLowerCase() === 'boundary') {
			const b = unquote(p.slice(eq + 1).trim());
			if (b.length === 0 || b.length > 70) return null;
			return b;
		}
	}
	// multipart/form-data without a boundary: it is the right type but unparseable.
	return null;
}

function splitParams(value: string): string[] {
	const out: string[] = [];
	let cur = '';
	let inQuotes = false;
	for (let i = 0; i < value.length; i++) {
		const ch = value[i];
		if (inQuotes && ch === '\\' && i + 1 < value.length) {
			cur += ch + value[++i];
			continue;
		}
		if (ch === '"') inQuotes = !inQuotes;
		if (ch === ';' && !inQuotes) {
			out.push(cur);
			cur = '';
			continue;
		}
		cur += ch;
	}
	out.push(cur);
	return out;
}

function unquote(v: string): string {
	if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
		return v.slice(1, -1).replace(/\\(.)/g, '$1');
	}
	return v;
}

function safeDecode(v: string): string | undefined {
	try {
		return decodeURIComponent(v);
	} catch {
		return undefined;
	}
}

function parseDisposition(value: string): { type: string; params: Record<string, string> } {
	const [type, ...rest] = splitParams(value);
	const params: Record<string, string> = {};
	for (const p of rest) {
		const eq = p.indexOf('=');
		if (eq < 0) continue;
		const key = p.slice(0, eq).trim().toLowerCase();
		let val = unquote(p.slice(eq + 1).trim());
		if (key.endsWith('*')) {
			// RFC 5987: charset'lang'percent-encoded
			const m = /^([^']*)'[^']*'(.*)$/.exec(val);
			if (m) {
				const decoded = safeDecode(m[2]);
				if (decoded === undefined) throw new MultipartError(`Bad extended parameter ${key}`);
				val = decoded;
			}
			params[key.slice(0, -1)] = val;
			continue;
		}
		if (!(key in params)) params[key] = val;
	}
	return { type: type.trim().toLowerCase(), params };
}

const CRLF = Buffer.from('\r\n');

export function parseMultipart(body: Buffer, boundary: string, strict = true): MultipartPart[] {
	const dash = Buffer.from(`--${boundary}`);
	const delimiter = Buffer.from(`\r\n--${boundary}`);
	let pos: number;
	if (body.subarray(0, dash.length).equals(dash)) {
		pos = dash.length;
	} else {
		const first = body.indexOf(delimiter);
		if (first < 0) throw new MultipartError('No opening boundary');
		pos = first + delimiter.length;
	}
	const parts: MultipartPart[] = [];
	for (;;) {
		// After a delimiter: "--" closes, otherwise optional whitespace then CRLF.
		if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts;
		while (body[pos] === 0x20 || body[pos] === 0x09) pos++;
		if (!(body[pos] === 0x0d && body[pos + 1] === 0x0a)) {
			if (pos >= body.length && !strict) return parts;
			throw new MultipartError('Boundary not followed by CRLF');
		}
		pos += 2;
		// Headers
		const headers: Record<string, string> = {};
		let dataStart: number;
		if (body[pos] === 0x0d && body[pos + 1] === 0x0a) {
			dataStart = pos + 2;
		} else {
			const headerEnd = body.indexOf('\r\n\r\n', pos, 'latin1');
			if (headerEnd < 0) throw new MultipartError('Unterminated part headers');
			const lines = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
			for (const line of lines) {
				const colon = line.indexOf(':');
				if (colon <= 0) throw new MultipartError(`Bad part header line: ${line}`);
				headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
			}
			dataStart = headerEnd + 4;
		}
		const disposition = headers['content-disposition'];
		if (!disposition) throw new MultipartError('Part without Content-Disposition');
		const { type, params } = parseDisposition(disposition);
		if (type !== 'form-data' || params.name === undefined) {
			throw new MultipartError('Content-Disposition is not form-data with a name');
		}
		const next = body.indexOf(delimiter, dataStart);
		let dataEnd: number;
		if (next < 0) {
			if (strict) throw new MultipartError('Missing closing boundary');
			dataEnd = body.length;
			if (body.subarray(dataEnd - 2, dataEnd).equals(CRLF)) dataEnd -= 2;
			pos = body.length;
		} else {
			dataEnd = next;
			pos = next + delimiter.length;
		}
		parts.push({
			name: params.name,
			filename: params.filename,
			contentType: headers['content-type'],
			headers,
			data: body.subarray(dataStart, dataEnd),
		});
		if (next < 0) return parts;
	}
}
