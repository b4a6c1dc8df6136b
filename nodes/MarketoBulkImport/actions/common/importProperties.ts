/**
 * The parameters and options every import shares (leads, custom objects, program members).
 * Each resource's import.operation.ts adds what is its own.
 */
import type { INodeProperties } from 'n8n-workflow';

import { retryOptions } from './fields';
import { DEFAULT_REMEMBERED_ROWS_LIMIT } from './skipUnchanged';
import { waitOptions } from './wait';

/** Input, Input Binary Field, Input File Delimiter and File Format: shared by every import. */
export function inputProperties(noun: string, plural: string): INodeProperties[] {
	return [
		{
			displayName: 'Input',
			name: 'inputSource',
			type: 'options',
			default: 'items',
			description: `Where the ${plural} come from: the incoming items themselves, or files attached to them`,
			options: [
				{ name: 'Items', value: 'items', description: `Each incoming item is one ${noun}, its fields holding the values to import` },
				{
					name: 'Binary File',
					value: 'binaryFile',
					description: `Each incoming item holds a CSV, TSV or SSV file of ${plural} (for example a downloaded export)`,
				},
			],
		},
		{
			displayName: 'Input Binary Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			displayOptions: { show: { inputSource: ['binaryFile'] } },
			description:
				'The name of the binary field of each incoming item that holds the file: "data" unless an earlier node named it otherwise',
			hint: "Shown above the file on the incoming items' Binary tab",
		},
		{
			displayName: 'Input File Delimiter',
			name: 'inputDelimiter',
			type: 'options',
			default: 'auto',
			displayOptions: { show: { inputSource: ['binaryFile'] } },
			description: 'The character that separates the cells in the incoming files',
			options: [
				{
					name: 'Detect From Header',
					value: 'auto',
					description: 'Tell from the first line (the column names): comma, tab or semicolon, whichever it holds',
				},
				{ name: 'Comma', value: 'csv', description: 'Cells separated by commas, as in most CSV files' },
				{ name: 'Tab', value: 'tsv', description: 'Cells separated by tabs, as in Excel\'s "Text (Tab delimited)" files' },
				{
					name: 'Semicolon',
					value: 'ssv',
					description: 'Cells separated by semicolons, as in Excel\'s CSV files in countries that write decimals with a comma',
				},
			],
		},
		{
			displayName: 'Input File Encoding',
			name: 'inputEncoding',
			type: 'options',
			default: 'utf-8',
			displayOptions: { show: { inputSource: ['binaryFile'] } },
			options: [
				{ name: 'UTF-8', value: 'utf-8', description: 'What most systems export ("CSV UTF-8" in Excel)' },
				{ name: 'Windows-1252', value: 'windows-1252', description: 'Excel\'s plain "CSV" on Windows in Western Europe and the Americas' },
				{ name: 'ISO-8859-1 (Latin-1)', value: 'iso-8859-1', description: 'Older Western European files; nearly the same as Windows-1252' },
				{ name: 'UTF-16', value: 'utf-16le', description: 'Excel\'s "Unicode Text"' },
			],
			description:
				'How the characters of the file are written. A UTF-8 file with bytes that are not UTF-8 stops the import, naming the line, instead of importing "M�ller".',
		},
		{
			displayName: 'Rows With a Wrong Number of Cells',
			name: 'wrongCellCount',
			type: 'options',
			default: 'stop',
			displayOptions: { show: { inputSource: ['binaryFile'] } },
			options: [
				{
					name: 'Stop',
					value: 'stop',
					description: 'Upload nothing and name the rows, so the file can be corrected first',
				},
				{
					name: 'Skip and Report',
					value: 'skip',
					description: 'Import the other rows; output each skipped row with its line number',
				},
			],
			description:
				'A row with more or fewer cells than the header (often a value holding the delimiter without quotes) would be imported shifted. It is never imported.',
		},
		{
			displayName: 'File Format',
			name: 'format',
			type: 'options',
			default: 'csv',
			options: [
				{ name: 'CSV (Comma-Separated)', value: 'csv', description: 'Commas between cells: the usual choice' },
				{ name: 'TSV (Tab-Separated)', value: 'tsv', description: 'Tabs between cells, for values that hold many commas' },
				{ name: 'SSV (Semicolon-Separated)', value: 'ssv', description: 'Semicolons between cells, for values that hold commas and tabs' },
			],
			description:
				'How the rows are written in the files sent to Marketo. Any of the three gives the same result in Marketo; the node quotes values as needed.',
		},
	];
}

/** Import options shared by every import (the lead import adds Static List and Partition). */
export function importOptions(noun: string, defaultFileName: string): INodeProperties[] {
	return [
		{
			displayName: 'Wait for Completion',
			name: 'waitForCompletion',
			type: 'boolean',
			default: false,
			description:
				'Whether to wait until Marketo has finished every batch and output their final status and counters. Needed for Output Failed and Warned Rows; without it the node ends as soon as Marketo has accepted the files.',
		},
		// The poll interval also paces the submission (a full queue is checked for a free place),
		// so it is always shown; the timeout only limits waiting.
		...waitOptions.map((option) =>
			option.name === 'timeoutMinutes' ? { ...option, displayOptions: { show: { waitForCompletion: [true] } } } : option,
		),
		{
			displayName: 'Output Failed and Warned Rows',
			name: 'outputRows',
			type: 'boolean',
			default: false,
			displayOptions: { show: { waitForCompletion: [true] } },
			description:
				"Whether to send each row that failed or was imported with a warning, with Marketo's reason, to the second output (Rows to Fix), linked to the input item it came from. Marketo's reports have no row numbers, so rows are matched to items by their values.",
		},
		{
			displayName: 'Skip Unchanged Rows',
			name: 'skipUnchanged',
			type: 'boolean',
			default: false,
			displayOptions: { show: { waitForCompletion: [true] } },
			description: `Whether to send only rows that changed since Marketo last confirmed them from this node (by ${noun} key). Needs Wait for Completion: failed rows, and rows of batches not finished, are sent again next time. Remembered per workflow and node, in n8n's processed-data store.`,
		},
		{
			displayName: 'Remembered Rows Limit',
			name: 'rememberedRowsLimit',
			type: 'number',
			typeOptions: { minValue: 1, numberPrecision: 0 },
			default: DEFAULT_REMEMBERED_ROWS_LIMIT,
			displayOptions: { show: { skipUnchanged: [true] } },
			description:
				'How many rows Skip Unchanged Rows remembers (n8n drops the oldest beyond it; they are sent again). Set it above the rows of one run.',
		},
		{
			displayName: 'Remember Rows of Manual Executions',
			name: 'rememberManualExecutions',
			type: 'boolean',
			default: false,
			displayOptions: { show: { skipUnchanged: [true] } },
			description:
				'Whether executions started in the editor also record what they imported. Off: they skip what the schedule remembered, but record nothing.',
		},
		{
			displayName: 'Clear Remembered Rows',
			name: 'clearRememberedRows',
			type: 'boolean',
			default: false,
			displayOptions: { show: { skipUnchanged: [true] } },
			description:
				'Whether to forget every remembered row before this run, so that every row is sent (for example after records were changed by hand in Marketo). Turn it off again afterwards.',
		},
		{
			displayName: 'Dry Run (Validate Only)',
			name: 'dryRun',
			type: 'boolean',
			default: false,
			description:
				'Whether to do everything up to the upload (field list, mapping, type conversion, checks, splitting) and output the files that would be sent, as binary data, instead of uploading them. Nothing reaches Marketo.',
		},
		{
			displayName: 'Max File Size (MB)',
			name: 'maxFileSizeMb',
			type: 'number',
			typeOptions: { minValue: 0.001, maxValue: 10, numberPrecision: 3 },
			default: 9.5,
			description:
				'Items are split into as many files (batches) as needed, each under this size; a large import starts with a few smaller files so Marketo starts sooner. Marketo refuses files of 10 MB or more.',
		},
		{
			displayName: 'Max Batches in Queue',
			name: 'maxInQueue',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10, numberPrecision: 0 },
			default: 4,
			description:
				"How many of this node's batches may wait or run in Marketo's import queue at once. Marketo runs 2 at a time and queues at most 10 for the whole instance, shared with other integrations.",
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: defaultFileName,
			description:
				'The name Marketo shows for the uploaded files. When the items fill several files, "-001", "-002" and so on are added.',
		},
		...retryOptions,
		{
			displayName: 'Unknown Columns',
			name: 'unknownColumns',
			type: 'options',
			default: 'error',
			options: [
				{
					name: 'Stop With an Error',
					value: 'error',
					description: 'Check columns against Marketo\'s fields before uploading, and name the unknown ones',
				},
				{ name: 'Drop', value: 'drop', description: 'Leave columns that are not writable Marketo fields out of the file' },
				{
					name: 'Send As They Are',
					value: 'send',
					description: 'Skip the check and the type conversion (no field list is read); Marketo refuses files with unknown columns',
				},
			],
			description: `What to do with columns (item fields) that are not Marketo ${noun} fields the import can write`,
		},
		{
			displayName: 'Queue Full Wait (Seconds)',
			name: 'queueWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 1, numberPrecision: 2 },
			default: 30,
			description:
				"How long to wait before trying again when Marketo's import queue is full: 10 imports already wait on the instance (Marketo error 1016). Each further wait doubles, up to a minute.",
		},
		{
			displayName: 'Max Queue Wait (Minutes)',
			name: 'maxQueueWaitMinutes',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 30,
			description: "How long, in total, to keep trying again while Marketo's import queue is full, before stopping with an error",
		},
	];
}

