 
import { MarketoApi } from '../../credentials/MarketoApi.credentials';
import { marketoEndpoints } from '../../nodes/MarketoBulkImport/transport/endpoints';

describe('Marketo API credential', () => {
	const credential = new MarketoApi();

	it('keeps password fields for strings only (n8n 1.x cannot list credentials whose password field holds a number)', () => {
		for (const property of credential.properties) {
			if (property.typeOptions?.password) expect(typeof property.default).toBe('string');
		}
	});

	it('has an expirable hidden token, so n8n runs preAuthentication when it is empty', () => {
		const token = credential.properties.find((p) => p.name === 'accessToken');
		expect(token).toMatchObject({ type: 'hidden', typeOptions: { expirable: true, password: true } });
	});

	it('sends the token in the Authorization header only', async () => {
		const authenticate = credential.authenticate as (c: object, o: object) => Promise<{ headers: object; qs?: object }>;
		const options = await authenticate({ accessToken: 'tok' }, { url: 'x', headers: { Accept: 'application/json' } });
		expect(options.headers).toEqual({ Accept: 'application/json', Authorization: 'Bearer tok' });
		expect(options.qs).toBeUndefined();
	});

	it.each([
		'https://123-ABC-456.mktorest.com/rest',
		'https://123-ABC-456.mktorest.com/rest/',
		' https://123-ABC-456.mktorest.com ',
		'https://123-ABC-456.mktorest.com/REST//',
		'https://123-ABC-456.mktorest.com/identity',
	])('derives every base from the REST endpoint %p', (restEndpoint) => {
		expect(marketoEndpoints({ restEndpoint })).toEqual({
			instanceBase: 'https://123-ABC-456.mktorest.com',
			restBase: 'https://123-ABC-456.mktorest.com/rest',
			bulkBase: 'https://123-ABC-456.mktorest.com',
			identityBase: 'https://123-ABC-456.mktorest.com/identity',
		});
	});

	it('accepts an identity override, with or without /oauth/token', () => {
		expect(
			marketoEndpoints({ restEndpoint: 'https://a.mktorest.com/rest', identityEndpoint: 'https://id.example.com/identity/oauth/token/' })
				.identityBase,
		).toBe('https://id.example.com/identity');
	});

	it('says how to fix a missing or malformed endpoint', () => {
		expect(() => marketoEndpoints({ restEndpoint: '' })).toThrow(/Admin → Integration → Web Services/);
		expect(() => marketoEndpoints({ restEndpoint: '123-ABC-456.mktorest.com' })).toThrow(/is not a URL/);
	});
});
