export type { DelimitedFormat, Delimiter } from './formats';
export { CONTENT_TYPES, DELIMITERS, FILE_EXTENSIONS, detectDelimiter } from './formats';
export { LINE_END, encodeCell, encodeRow, writeDelimited } from './writer';
export type { DelimitedRecords, ParseOptions } from './reader';
export { parseDelimited, parseDelimitedRecords } from './reader';
export { parseDelimitedInPieces } from './inPieces';
