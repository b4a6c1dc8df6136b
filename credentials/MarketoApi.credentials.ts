import type {
	IAuthenticate,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { fetchAccessToken } from '../nodes/MarketoBulkImport/transport/identity';

/**
 * Marketo's two-legged OAuth (client credentials). n8n calls `preAuthentication` when the
 * expirable `accessToken` is empty; the node's transport empties it on purpose when the
 * token is near expiry or when Marketo answers 601/602 (which arrive as HTTP 200, so n8n's
 * own 401-based refresh never fires).
 */
export class MarketoApi implements ICredentialType {
	name = 'marketoApi';

	displayName = 'Marketo API';

	icon: Icon = { light: 'file:../icons/marketo.svg', dark: 'file:../icons/marketo.dark.svg' };

	documentationUrl =
		'https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'REST API Endpoint',
			name: 'restEndpoint',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://123-ABC-456.mktorest.com/rest',
			description:
				'From Marketo: Admin → Integration → Web Services → REST API. With or without "/rest" at the end.',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			description: 'From Marketo: Admin → LaunchPoint → your API service → View Details',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'From Marketo: Admin → LaunchPoint → your API service → View Details',
		},
		{
			displayName: 'Identity Endpoint',
			name: 'identityEndpoint',
			type: 'string',
			default: '',
			placeholder: 'https://123-ABC-456.mktorest.com/identity',
			description:
				'Leave empty to derive it from the REST API endpoint. Set it only if Admin → Web Services shows a different identity host.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			// Epoch ms. Not a password field: n8n 1.x treats password fields as strings and
			// fails to list credentials when one holds a number.
			displayName: 'Token Valid Until',
			name: 'tokenValidUntil',
			type: 'hidden',
			default: 0,
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const token = await fetchAccessToken(
			async (options) => await this.helpers.httpRequest(options),
			credentials,
		);
		return { ...token };
	}

	// The token goes in the Authorization header only: Marketo removed query-string tokens.
	authenticate: IAuthenticate = async (credentials, requestOptions) => ({
		...requestOptions,
		headers: {
			...requestOptions.headers,
			Authorization: `Bearer ${String(credentials.accessToken ?? '')}`,
		},
	});

	// Marketo reports errors as HTTP 200 with success:false, so the body decides the verdict.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ String($credentials.restEndpoint).trim().replace(/\\/+$/, "").replace(/\\/(rest|identity)$/i, "") }}/rest',
			url: '/v1/leads/partitions.json',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errors[0].code',
					value: '603',
					message:
						'Marketo answered 603 "Access denied": give the API user\'s role the "Read-Write Lead" permission, and check Admin → Web Services → IP restrictions',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errors[0].code',
					value: '601',
					message: 'Marketo answered 601 "Access token invalid": save the credential again to get a new token',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errors[0].code',
					value: '610',
					message:
						'Marketo answered 610 "Requested resource not found": the REST API endpoint looks wrong. Copy it again from Admin → Web Services',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'success',
					value: false,
					message:
						'Marketo refused the test request (success: false). Check the REST API endpoint and the API user\'s permissions',
				},
			},
		],
	};
}
