 
import crypto from 'crypto';

import fc from 'fast-check';
import FormData from 'form-data';

import {
	buildMultipartBody,
	FRAME_ROOM,
	createBoundary,
	escapeHeaderParam,
	type MultipartField,
	type MultipartFile,
} from '../../nodes/MarketoBulkImport/multipart';

const NUM_RUNS = 2000;
const BOUNDARY_SHAPE = /^-{26}[0-9a-f]{24}$/;

function formDataBody(boundary: string, fields: MultipartField[], files: MultipartFile[]): Buffer {
	const form = new FormData();
	form.setBoundary(boundary);
	for (const field of fields) form.append(field.name, field.value);
	for (const file of files) {
		form.append(file.name, file.content, {
			filename: file.filename,
			contentType: file.contentType,
		});
	}
	return form.getBuffer();
}

const hex = fc.string({
	unit: fc.constantFrom(...'0123456789abcdef'),
	minLength: 24,
	maxLength: 24,
});
const boundaryArb = hex.map((h) => '-'.repeat(26) + h);

const textUnit = fc.oneof(
	{
		weight: 4,
		arbitrary: fc.constantFrom(
			'a',
			'Z',
			'0',
			' ',
			'=',
			'-',
			'--',
			'\r\n',
			'\r',
			'\n',
			'"',
			';',
			'é',
			'中',
			'😀',
			'%22',
			'\u0000',
		),
	},
	{ weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const text = fc.string({ unit: textUnit, maxLength: 16 });
// form-data takes the basename of a filename and drops an empty one; keep to names it leaves alone
const filename = fc
	.string({ unit: textUnit, minLength: 1, maxLength: 16 })
	.filter((f) => !f.includes('/'));
const contentType = fc.constantFrom(
	'text/csv',
	'text/tab-separated-values',
	'application/octet-stream',
	'text/csv; charset=utf-8',
);

/** Binary content salted with byte runs that look like CRLF and boundary delimiters. */
const content = (boundary: string) =>
	fc
		.array(
			fc.oneof(
				fc.uint8Array({ maxLength: 24 }),
				fc
					.constantFrom(
						'\r\n',
						'--',
						'\r\n--',
						'--\r\n',
						boundary.slice(0, -1),
						'\r\n--' + boundary.slice(2),
					)
					.map((s) => Buffer.from(s, 'latin1')),
			),
			{ maxLength: 8 },
		)
		.map((chunks) => Buffer.concat(chunks));

const parts = (boundary: string) =>
	fc.record({
		fields: fc.array(fc.record({ name: text, value: text }), { maxLength: 5 }),
		files: fc.array(fc.record({ name: text, filename, contentType, content: content(boundary) }), {
			maxLength: 3,
		}),
	});

/** form-data can't frame content holding its boundary; we refuse it (tested below). */
function holdsBoundary(
	boundary: string,
	fields: MultipartField[],
	files: MultipartFile[],
): boolean {
	return (
		fields.some((f) => f.value.includes(boundary)) ||
		files.some((f) => f.content.includes(boundary))
	);
}

const caseArb = boundaryArb.chain((boundary) => fc.tuple(fc.constant(boundary), parts(boundary)));

describe('buildMultipartBody vs form-data (property-based)', () => {
	test('byte-identical body and content type for a caller-supplied boundary', () => {
		fc.assert(
			fc.property(caseArb, ([boundary, { fields, files }]) => {
				fc.pre(!holdsBoundary(boundary, fields, files));
				const ours = buildMultipartBody({ fields, files }, boundary);
				expect(ours.boundary).toBe(boundary);
				expect(ours.contentType).toBe(`multipart/form-data; boundary=${boundary}`);
				expect(ours.body.equals(formDataBody(boundary, fields, files))).toBe(true);
			}),
			{ numRuns: NUM_RUNS },
		);
	});

	test('byte-identical body for a generated boundary', () => {
		fc.assert(
			fc.property(parts(createBoundary()), ({ fields, files }) => {
				const ours = buildMultipartBody({ fields, files });
				expect(ours.boundary).toMatch(BOUNDARY_SHAPE);
				expect(ours.body.equals(formDataBody(ours.boundary, fields, files))).toBe(true);
			}),
			{ numRuns: 500 },
		);
	});

	test('the boundary delimiter occurs only where parts start and end', () => {
		fc.assert(
			fc.property(caseArb, ([boundary, { fields, files }]) => {
				fc.pre(!holdsBoundary(boundary, fields, files));
				const { body } = buildMultipartBody({ fields, files }, boundary);
				let count = 0;
				for (let at = body.indexOf(boundary); at !== -1; at = body.indexOf(boundary, at + 1))
					count++;
				expect(count).toBe(fields.length + files.length + 1);
				expect(body.subarray(body.length - boundary.length - 6).toString('latin1')).toBe(
					`--${boundary}--\r\n`,
				);
			}),
			{ numRuns: NUM_RUNS },
		);
	});
});

describe('buildMultipartBody format', () => {
	const b = '--------------------------0123456789abcdef01234567';

	test('fields then files, in the order given', () => {
		const { body, contentType } = buildMultipartBody(
			{
				files: [
					{
						name: 'file',
						filename: 'leads.csv',
						contentType: 'text/csv',
						content: Buffer.from('email\r\na@b.c'),
					},
				],
				fields: [
					{ name: 'format', value: 'csv' },
					{ name: 'lookupField', value: 'email' },
				],
			},
			b,
		);
		expect(contentType).toBe(`multipart/form-data; boundary=${b}`);
		expect(body.toString('utf8')).toBe(
			`--${b}\r\nContent-Disposition: form-data; name="format"\r\n\r\ncsv\r\n` +
				`--${b}\r\nContent-Disposition: form-data; name="lookupField"\r\n\r\nemail\r\n` +
				`--${b}\r\nContent-Disposition: form-data; name="file"; filename="leads.csv"\r\nContent-Type: text/csv\r\n\r\nemail\r\na@b.c\r\n` +
				`--${b}--\r\n`,
		);
	});

	test('no parts gives just the closing delimiter, like form-data', () => {
		expect(buildMultipartBody({}, b).body.toString()).toBe(`--${b}--\r\n`);
		expect(buildMultipartBody({}, b).body.equals(formDataBody(b, [], []))).toBe(true);
	});

	test('file content is copied byte for byte, invalid UTF-8 included', () => {
		const content = Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0x80]);
		const { body } = buildMultipartBody(
			{
				files: [
					{ name: 'file', filename: 'x.bin', contentType: 'application/octet-stream', content },
				],
			},
			b,
		);
		expect(body.indexOf(content)).toBeGreaterThan(0);
		expect(
			body.equals(
				formDataBody(
					b,
					[],
					[{ name: 'file', filename: 'x.bin', contentType: 'application/octet-stream', content }],
				),
			),
		).toBe(true);
	});

	test('field values are UTF-8', () => {
		const { body } = buildMultipartBody({ fields: [{ name: 'név', value: 'Zoë 😀' }] }, b);
		expect(body.toString('utf8')).toContain('name="név"\r\n\r\nZoë 😀\r\n');
	});

	test('an empty file content type means application/octet-stream', () => {
		const { body } = buildMultipartBody(
			{ files: [{ name: 'file', filename: 'x', contentType: '', content: Buffer.alloc(0) }] },
			b,
		);
		expect(body.toString()).toContain('Content-Type: application/octet-stream\r\n\r\n\r\n');
	});

	test('a filename is sent as given, even empty or with a path', () => {
		const { body } = buildMultipartBody(
			{
				files: [
					{ name: 'a', filename: '', contentType: 'text/csv', content: Buffer.from('1') },
					{
						name: 'b',
						filename: 'dir/leads.csv',
						contentType: 'text/csv',
						content: Buffer.from('2'),
					},
				],
			},
			b,
		);
		expect(body.toString()).toContain('name="a"; filename=""\r\n');
		expect(body.toString()).toContain('name="b"; filename="dir/leads.csv"\r\n');
	});
});

describe('header parameter escaping', () => {
	test('quote, CR and LF are percent-encoded as WHATWG does', () => {
		expect(escapeHeaderParam('a"b\rc\nd\r\n')).toBe('a%22b%0Dc%0Ad%0D%0A');
		expect(escapeHeaderParam('plain ünïcode %22 ; =')).toBe('plain ünïcode %22 ; =');
	});

	test('names and filenames cannot break out of their header line', () => {
		const b = '--------------------------0123456789abcdef01234567';
		const { body } = buildMultipartBody(
			{
				fields: [{ name: 'x"\r\nContent-Type: evil', value: 'v' }],
				files: [
					{
						name: 'file',
						filename: 'a".csv\r\n\r\ninjected',
						contentType: 'text/csv',
						content: Buffer.from('c'),
					},
				],
			},
			b,
		);
		const textBody = body.toString();
		expect(textBody).toContain(
			'Content-Disposition: form-data; name="x%22%0D%0AContent-Type: evil"\r\n\r\nv\r\n',
		);
		expect(textBody).toContain(
			'name="file"; filename="a%22.csv%0D%0A%0D%0Ainjected"\r\nContent-Type: text/csv\r\n',
		);
		// form-data 4.0.6 escapes the same way
		expect(
			body.equals(
				formDataBody(
					b,
					[{ name: 'x"\r\nContent-Type: evil', value: 'v' }],
					[
						{
							name: 'file',
							filename: 'a".csv\r\n\r\ninjected',
							contentType: 'text/csv',
							content: Buffer.from('c'),
						},
					],
				),
			),
		).toBe(true);
	});

	test('a content type with a line break is refused', () => {
		expect(() =>
			buildMultipartBody({
				files: [
					{
						name: 'file',
						filename: 'x',
						contentType: 'text/csv\r\nX-Evil: 1',
						content: Buffer.alloc(0),
					},
				],
			}),
		).toThrow(/line breaks/);
	});
});

describe('boundaries', () => {
	afterEach(() => jest.restoreAllMocks());

	test('createBoundary is form-data style and random', () => {
		const seen = new Set<string>();
		for (let i = 0; i < 100; i++) {
			const boundary = createBoundary();
			expect(boundary).toMatch(BOUNDARY_SHAPE);
			seen.add(boundary);
		}
		expect(seen.size).toBe(100);
	});

	test('a caller-supplied boundary found in a file throws', () => {
		const b = 'boundary123';
		const content = Buffer.from(`a\r\n--${b}\r\nb`);
		expect(() =>
			buildMultipartBody(
				{ files: [{ name: 'file', filename: 'x.csv', contentType: 'text/csv', content }] },
				b,
			),
		).toThrow(/boundary occurs in the content/);
	});

	test('a caller-supplied boundary found in a field value throws', () => {
		expect(() =>
			buildMultipartBody({ fields: [{ name: 'f', value: 'xx-abc-yy' }] }, '-abc-'),
		).toThrow(/boundary occurs in the content/);
	});

	test('a caller-supplied boundary must be 1-70 safe characters', () => {
		for (const bad of ['', 'a'.repeat(71), 'with space', 'a\r\nb', 'quo"te', 'semi;colon', 'ü']) {
			expect(() => buildMultipartBody({}, bad)).toThrow(/Invalid multipart boundary/);
		}
		expect(buildMultipartBody({}, 'a'.repeat(70)).boundary).toBe('a'.repeat(70));
	});

	test('a generated boundary that collides with the content is drawn again', () => {
		const first = Buffer.alloc(12, 0xab);
		const second = Buffer.alloc(12, 0xcd);
		const spy = jest.spyOn(crypto, 'randomBytes') as unknown as jest.Mock;
		spy.mockImplementationOnce(() => first).mockImplementationOnce(() => second);
		const colliding = '-'.repeat(26) + first.toString('hex');
		const content = Buffer.from(`x\r\n--${colliding}\r\n`);

		const result = buildMultipartBody({
			files: [{ name: 'file', filename: 'x.csv', contentType: 'text/csv', content }],
		});

		expect(spy).toHaveBeenCalledTimes(2);
		expect(result.boundary).toBe('-'.repeat(26) + second.toString('hex'));
		expect(
			result.body.equals(
				formDataBody(
					result.boundary,
					[],
					[{ name: 'file', filename: 'x.csv', contentType: 'text/csv', content }],
				),
			),
		).toBe(true);
	});

	test('a generated boundary is drawn again when it is in a field value', () => {
		const first = Buffer.alloc(12, 0x11);
		const spy = jest.spyOn(crypto, 'randomBytes') as unknown as jest.Mock;
		spy.mockImplementationOnce(() => first);
		const value = '-'.repeat(26) + first.toString('hex');
		const result = buildMultipartBody({ fields: [{ name: 'f', value }] });
		expect(result.boundary).not.toBe(value);
		expect(result.boundary).toMatch(BOUNDARY_SHAPE);
	});
});

describe('buildMultipartBody framing a lone file in the room around it', () => {
	/** The content laid in a fresh buffer with `before` and `after` spare bytes (filled with junk). */
	function inRoom(content: Buffer, before: number, after: number): { content: Buffer; room: Buffer } {
		const room = Buffer.alloc(before + content.length + after, 0x5a);
		content.copy(room, before);
		return { content: room.subarray(before, before + content.length), room };
	}

	test('byte-identical to form-data, and no copy when the room is enough (property-based)', () => {
		const lone = boundaryArb.chain((boundary) =>
			fc.tuple(
				fc.constant(boundary),
				fc.array(fc.record({ name: text, value: text }), { maxLength: 5 }),
				fc.record({ name: text, filename, contentType, content: content(boundary) }),
				fc.integer({ min: 0, max: 1200 }),
				fc.integer({ min: 0, max: 120 }),
			),
		);
		let inPlace = 0;
		let copied = 0;
		fc.assert(
			fc.property(lone, ([boundary, fields, file, before, after]) => {
				fc.pre(!holdsBoundary(boundary, fields, [file]));
				const { content: placed, room } = inRoom(file.content, before, after);
				const ours = buildMultipartBody({ fields, files: [{ ...file, content: placed, room }] }, boundary);
				expect(ours.body.equals(formDataBody(boundary, fields, [file]))).toBe(true);
				// The content is still what it was, and the body is the room's memory when it fitted.
				expect(placed.equals(file.content)).toBe(true);
				if (ours.body.buffer === room.buffer) inPlace++;
				else copied++;
			}),
			{ numRuns: NUM_RUNS, seed: 20261202 },
		);
		// Both paths were taken: room enough, and too little (then copied).
		expect(inPlace).toBeGreaterThan(0);
		expect(copied).toBeGreaterThan(0);
	});

	test('FRAME_ROOM is enough for an import upload, which is then framed without a copy', () => {
		const csv = Buffer.from('email,firstName\r\nzoë@example.com,"Zoë, ""Z"""');
		const { content: placed, room } = inRoom(csv, FRAME_ROOM.before, FRAME_ROOM.after);
		const fields = [
			{ name: 'format', value: 'csv' },
			{ name: 'lookupField', value: 'email' },
			{ name: 'listId', value: '1234567' },
			{ name: 'partitionName', value: 'Ünïcode partition with a long name'.repeat(4) },
		];
		const file = { name: 'file', filename: 'leads-001.csv', contentType: 'text/csv', content: placed, room };
		const { body } = buildMultipartBody({ fields, files: [file] });
		expect(body.buffer).toBe(room.buffer);
		const boundary = body.subarray(2, 52).toString('latin1');
		expect(body.equals(formDataBody(boundary, fields, [{ ...file, content: csv }]))).toBe(true);
	});

	test('a room that does not hold the content, or two files, are copied as usual', () => {
		const b = '--------------------------0123456789abcdef01234567';
		const content = Buffer.from('email\r\na@b.c');
		const elsewhere = Buffer.alloc(4096);
		const file = { name: 'file', filename: 'f.csv', contentType: 'text/csv', content, room: elsewhere };
		const alone = buildMultipartBody({ files: [file] }, b);
		expect(alone.body.buffer).not.toBe(elsewhere.buffer);
		expect(alone.body.equals(formDataBody(b, [], [file]))).toBe(true);
		const placed = inRoom(content, 2000, 100);
		const two = [
			{ ...file, content: placed.content, room: placed.room },
			{ ...file, filename: 'g.csv' },
		];
		const both = buildMultipartBody({ files: two }, b);
		expect(both.body.buffer).not.toBe(placed.room.buffer);
		expect(both.body.equals(formDataBody(b, [], [{ ...file, content }, { ...file, filename: 'g.csv' }]))).toBe(true);
	});
});
