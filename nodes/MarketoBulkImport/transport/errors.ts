import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

/** Marketo's error envelope: HTTP 200 with `success: false`. */
export interface MarketoErrorEntry {
	code: string;
	message: string;
}

/** How to fix each error a bulk import can meet, in the words a Marketo admin would use. */
const HINTS: Record<string, string> = {
	'413': 'The request is larger than Marketo accepts (10 MB for a bulk import file). Lower "Max File Size" so the items are split into smaller files.',
	'414': 'The request URL is too long. Shorten the parameters.',
	'502': 'Marketo is temporarily unreachable (Bad Gateway). Run the workflow again in a few minutes.',
	'600': 'No access token was sent. Save the Marketo credential again.',
	'601': 'Marketo did not recognise the access token even after renewing it. Check that the credential points at the right instance.',
	'602': 'The access token expired and renewing it did not help. Run the workflow again.',
	'603': 'The API user may lack a permission: give its role "Read-Write Lead" (and "Read-Write Custom Object" or "Read-Only Assets" for those features), and check Admin → Web Services → IP restrictions.',
	'604': 'Marketo timed out. Run the workflow again; if it persists, import fewer rows per file.',
	'605': 'Marketo does not support this HTTP method here. This is a bug in the node: please report it.',
	'606': 'Marketo allows 100 calls per 20 seconds per instance, shared by every integration. Wait a minute, or raise the retry wait in the node options.',
	'607': 'The daily API quota of the instance is used up. It resets at midnight US Central time.',
	'608': 'The Marketo API is temporarily unavailable. Run the workflow again in a few minutes.',
	'609': 'Marketo could not read the JSON sent. This is a bug in the node: please report it.',
	'610': 'The requested resource does not exist. Check the REST API endpoint in the credential (bulk paths have no /rest).',
	'611': 'Marketo had an internal error. Run the workflow again in a few minutes.',
	'612': 'Marketo expected a different content type. This is a bug in the node: please report it.',
	'613': 'Marketo could not read the uploaded file. This is a bug in the node: please report it.',
	'614': 'The subscription in the credential is not valid. Check the REST API endpoint.',
	'615': 'Marketo allows 10 concurrent calls per instance, shared by every integration. Wait a moment, or raise the retry wait in the node options.',
	'713': 'Marketo is temporarily unavailable. Run the workflow again in a few minutes.',
	'1001': 'A parameter has a value Marketo does not accept. Check the batch ID (a number) and the file format (CSV, TSV or SSV).',
	'1002': 'A required parameter is missing.',
	'1003': 'Marketo found the data invalid: an empty file or an unknown partition. Check the input items and the Partition option.',
	'1004': 'No lead matched (with Lookup Field "id" the import only updates existing leads).',
	'1006': 'A column is not a Marketo field. Column names must be REST API names (such as firstName, not "First Name"): rename or remove it, for example with an Edit Fields node.',
	'1007': 'Several leads match the lookup value. Use a lookup field that is unique.',
	'1008': 'The API user has no access to this lead partition. Choose another partition or grant access to the API user\'s role.',
	'1009': 'The instance has several lead partitions: choose one in the Partition option.',
	'1010': 'The partition of an existing lead cannot be changed by an import.',
	'1011': 'This field cannot be a lookup field. Use email, id, cookies, one of the sfdc*/social ids, or a custom string, email or integer field.',
	'1013': 'Marketo could not find it: check the batch ID (batch IDs expire after 7 days), the static list ID, the custom object or the program.',
	'1016': 'Marketo already has 10 imports queued for this instance (shared by all integrations). Try again later, or raise the maximum wait for a free queue slot in the node options.',
	'1019': 'The target list is already being imported to. Try again when that import has finished.',
	'1025': 'The program member status does not exist in the program\'s channel. Pick a status from the list.',
	'1026': 'Custom objects are not enabled on this instance.',
};

export function hintFor(code: string): string {
	return HINTS[code] ?? 'See Marketo\'s error code reference: https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/error-codes';
}

/**
 * Builds the error a user sees for a Marketo refusal: Marketo's own code and message,
 * then how to fix it. The body kept for details is Marketo's response, which never
 * holds the token or the client secret.
 */
export function marketoApiError(
	node: INode,
	error: MarketoErrorEntry,
	options: { itemIndex?: number; response?: JsonObject; context?: string } = {},
): NodeApiError {
	const where = options.context ? `${options.context}: ` : '';
	return new NodeApiError(
		node,
		options.response ?? ({ code: error.code, message: error.message } as JsonObject),
		{
			message: `${where}Marketo error ${error.code}: ${error.message}`,
			description: hintFor(error.code),
			httpCode: error.code,
			itemIndex: options.itemIndex,
		},
	);
}
