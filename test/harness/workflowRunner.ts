/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Runs our node inside n8n-core's real execution engine (WorkflowExecute), with a
 * credentials helper that behaves like n8n's own: it runs the credential's
 * `preAuthentication` when the expirable token is empty, persists what it returns, and
 * applies `authenticate`. So token fetching, renewal and persistence are really exercised.
 */
// n8n-core brings its own copies of these: the logger must be registered in its container.
import { Logger } from 'n8n-core/node_modules/@n8n/backend-common';
import { Container as CoreContainer } from 'n8n-core/node_modules/@n8n/di';
import { Container } from '@n8n/di';
import { BinaryDataService, ExecutionLifecycleHooks, LoadOptionsContext, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRun,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeConnectionTypes, Workflow } from 'n8n-workflow';

import { MarketoApi } from '../../credentials/MarketoApi.credentials';
import { MarketoBulkImport } from '../../nodes/MarketoBulkImport/MarketoBulkImport.node';
import { useMemoryProcessedData } from './processedDataStore';

export const NODE_TYPE = 'n8n-nodes-marketo-bulk.marketoBulkImport';
/** The type n8n gives the tool variant of a node that is usableAsTool (what an AI agent runs). */
export const TOOL_NODE_TYPE = `${NODE_TYPE}Tool`;
const SOURCE_TYPE = 'test.itemsSource';
const NO_OP_TYPE = 'test.noOp';
const TOOL_CALLER_TYPE = 'test.toolCaller';

/**
 * Items handed to the source node as they are (Luxon DateTime, Date…), by key: the `items`
 * parameter goes through JSON, which would turn such values into strings.
 */
const itemsAsIs = new Map<string, IDataObject[]>();
let itemsAsIsSeq = 0;

/** A start node that outputs the items it is given: stands in for a CRM or spreadsheet node. */
class ItemsSource implements INodeType {
	description = {
		displayName: 'Items Source',
		name: 'itemsSource',
		group: ['trigger'],
		version: 1,
		description: 'Outputs fixed items',
		defaults: { name: 'Items Source' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Items', name: 'items', type: 'json', default: '[]' } as INodeProperties,
			{ displayName: 'Files', name: 'files', type: 'json', default: '[]' } as INodeProperties,
			{ displayName: 'Items As Is Key', name: 'itemsAsIsKey', type: 'string', default: '' } as INodeProperties,
		],
	} as INodeType['description'];

	async execute(this: import('n8n-workflow').IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const parse = (name: string) => {
			const raw = this.getNodeParameter(name, 0) as unknown;
			return (typeof raw === 'string' ? JSON.parse(raw) : raw) as unknown[];
		};
		const asIsKey = this.getNodeParameter('itemsAsIsKey', 0, '') as string;
		const list = asIsKey ? (itemsAsIs.get(asIsKey) ?? []) : (parse('items') as IDataObject[]);
		const files = parse('files') as Array<Record<string, { text: string; fileName: string; mimeType?: string; encoding?: BufferEncoding }> | null>;
		const output: INodeExecutionData[] = [];
		for (let index = 0; index < list.length; index++) {
			const item: INodeExecutionData = { json: list[index], pairedItem: { item: index } };
			for (const [property, file] of Object.entries(files[index] ?? {})) {
				item.binary = item.binary ?? {};
				item.binary[property] = await this.helpers.prepareBinaryData(
					Buffer.from(file.text, file.encoding ?? 'utf8'),
					file.fileName,
					file.mimeType ?? 'text/csv',
				);
			}
			output.push(item);
		}
		return [output];
	}
}

/** Passes its input on, as n8n's No Op node: shows what arrives on a connection. */
class NoOp implements INodeType {
	description = {
		displayName: 'No Op',
		name: 'noOp',
		group: ['transform'],
		version: 1,
		description: 'Passes items on',
		defaults: { name: 'No Op' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	} as INodeType['description'];

	async execute(this: import('n8n-workflow').IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

/**
 * Calls the tool connected to it once with the given arguments, the way an AI agent (or n8n's
 * Tool Executor) does: through n8n-core's getInputConnectionData, which runs the tool node's
 * execute in a supply-data context and hands the agent only its first output.
 */
class ToolCaller implements INodeType {
	description = {
		displayName: 'Tool Caller',
		name: 'toolCaller',
		group: ['transform'],
		version: 1,
		description: 'Calls a tool like an AI agent',
		defaults: { name: 'Tool Caller' },
		inputs: [NodeConnectionTypes.Main, { type: NodeConnectionTypes.AiTool, required: true }],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Tool Arguments', name: 'toolArgs', type: 'json', default: '{}' } as INodeProperties],
	} as INodeType['description'];

	async execute(this: import('n8n-workflow').IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('toolArgs', 0) as unknown;
		const args = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject;
		const tools = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as Array<{
			invoke: (input: IDataObject) => Promise<string>;
		}>;
		const response = JSON.parse(await tools[0].invoke(args)) as IDataObject[];
		return [[{ json: { response } as unknown as IDataObject, pairedItem: { item: 0 } }]];
	}
}

/** The tool variant n8n derives from a usableAsTool node: same node, "Tool" type, an ai_tool output. */
function toolVariant(nodeType: INodeType): INodeType {
	const variant = Object.create(nodeType) as INodeType;
	variant.description = {
		...nodeType.description,
		name: `${nodeType.description.name}Tool`,
		inputs: [],
		outputs: [NodeConnectionTypes.AiTool],
	};
	return variant;
}

const marketoApi = new MarketoApi();
const marketoNode = new MarketoBulkImport();
const nodeTypeInstances: Record<string, INodeType> = {
	[NODE_TYPE]: marketoNode,
	[TOOL_NODE_TYPE]: toolVariant(marketoNode),
	[SOURCE_TYPE]: new ItemsSource(),
	[NO_OP_TYPE]: new NoOp(),
	[TOOL_CALLER_TYPE]: new ToolCaller(),
};

const nodeTypes: INodeTypes = {
	getByName: (type: string) => nodeTypeInstances[type],
	getByNameAndVersion: (type: string) => nodeTypeInstances[type],
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

/** In-memory credential store, playing n8n's database. */
export class TestCredentialsHelper extends ICredentialsHelper {
	readonly store = new Map<string, ICredentialDataDecryptedObject>();
	preAuthenticationCalls = 0;
	persisted = 0;

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(credentials: ICredentialDataDecryptedObject, _type: string, requestOptions: IHttpRequestOptions) {
		const authenticate = marketoApi.authenticate;
		if (typeof authenticate !== 'function') throw new Error('expected a function authenticate');
		return await authenticate(credentials, requestOptions);
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		node: INode,
		credentialsExpired: boolean,
	) {
		// Same rule as n8n's CredentialsHelper: only when the expirable field is empty, or expired.
		if (credentials.accessToken !== '' && credentials.accessToken !== undefined && !credentialsExpired) {
			return undefined;
		}
		this.preAuthenticationCalls++;
		const output = await marketoApi.preAuthentication.call(helpers, credentials);
		const reference = node.credentials?.marketoApi;
		if (reference?.id) {
			const merged = { ...(this.store.get(reference.id) ?? {}), ...output };
			this.store.set(reference.id, merged);
			this.persisted++;
		}
		return Object.assign(credentials, output);
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used');
	}

	async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, details: INodeCredentialsDetails) {
		const data = this.store.get(details.id ?? '');
		if (!data) throw new Error(`No credential with id ${details.id}`);
		return { ...data };
	}

	async updateCredentials(details: INodeCredentialsDetails, _type: string, data: ICredentialDataDecryptedObject) {
		this.store.set(details.id ?? '', { ...data });
	}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(): INodeProperties[] {
		return marketoApi.properties;
	}
}

export interface Step {
	name?: string;
	/** A No Op node (n8n's, played by the harness): shows what arrives on a connection. */
	noOp?: boolean;
	parameters?: IDataObject;
	continueOnFail?: boolean;
	executeOnce?: boolean;
	/** The node it hangs on; the step before by default. */
	after?: string;
	/** Which output of that node it hangs on (0 by default; 1 is Import's Rows to Fix). */
	fromOutput?: number;
	/**
	 * Run the Marketo node as an AI agent's tool: its tool variant hangs on a Tool Caller (in the
	 * chain in its place, named `${name} Caller`) that invokes it once with these arguments.
	 */
	asTool?: { args: IDataObject };
}

export interface RunOptions {
	items: IDataObject[];
	/** Binary files per item: `{ data: { text, fileName } }`. */
	files?: Array<Record<string, { text: string; fileName: string; mimeType?: string; encoding?: BufferEncoding }> | null>;
	/** The Marketo nodes (and No Op nodes), chained in order after the items source. */
	steps: Step[];
	credentials: TestCredentialsHelper;
	credentialId?: string;
	/** Hand `items` to the workflow as they are (Luxon DateTime, Date…) instead of through JSON. */
	itemsAsIs?: boolean;
	/** Called once the execution has started, with a function that stops it as n8n's Stop does. */
	onStarted?: (cancel: () => void) => void;
	/** The workflow's time zone setting (n8n's `getTimezone()`); n8n's default otherwise. */
	timezone?: string;
	/** How the execution was started ('manual' by default, as from the editor; 'trigger' as a schedule). */
	mode?: WorkflowExecuteMode;
	/** The workflow's ID: runs with the same ID share the processed-data history (Skip Unchanged Rows). */
	workflowId?: string;
}

export interface RunResult {
	run: IRun;
	/** Output items of a node, by node name, on its first output or the one given. */
	output: (nodeName: string, outputIndex?: number) => INodeExecutionData[];
	/** How many main outputs a node's last run produced. */
	outputCount: (nodeName: string) => number;
	/** The execution hints a node showed, as in n8n's output pane. */
	hints: (nodeName: string) => string[];
	error?: Error & { description?: string; context?: IDataObject };
}

let binaryDataReady = false;
function prepareContainer() {
	if (binaryDataReady) return;
	// Memory mode: prepareBinaryData keeps files base64 in the item, as n8n's default mode does.
	Container.set(
		BinaryDataService,
		new BinaryDataService(
			{ availableModes: ['default'], mode: 'default', signingSecret: 'test' } as never,
			{ error: () => undefined, warn: () => undefined } as never,
			{ debug: () => undefined, warn: () => undefined, error: () => undefined, info: () => undefined } as never,
		),
	);
	// n8n's logger, recording instead of printing: tests read what the node logged.
	const record = (level: string) => (message: string, meta?: object) => loggedMessages.push({ level, message, meta });
	CoreContainer.set(Logger, {
		error: record('error'),
		warn: record('warn'),
		info: record('info'),
		debug: record('debug'),
		scoped: function scoped() {
			return this;
		},
	} as unknown as Logger);
	binaryDataReady = true;
}

/** What nodes logged through n8n's logger, in order (tests may clear it). */
export const loggedMessages: Array<{ level: string; message: string; meta?: object }> = [];

export async function runWorkflow(options: RunOptions): Promise<RunResult> {
	prepareContainer();
	await useMemoryProcessedData();
	const credentialId = options.credentialId ?? 'marketo-cred-1';
	const asIsKey = options.itemsAsIs ? `items-${++itemsAsIsSeq}` : '';
	if (asIsKey) itemsAsIs.set(asIsKey, options.items);
	try {
		return await execute(options, credentialId, asIsKey);
	} finally {
		if (asIsKey) itemsAsIs.delete(asIsKey);
	}
}

async function execute(options: RunOptions, credentialId: string, asIsKey: string): Promise<RunResult> {
	const nodes: INode[] = [
		{
			id: 'source',
			name: 'Items Source',
			type: SOURCE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: {
				items: asIsKey ? '[]' : JSON.stringify(options.items),
				files: JSON.stringify(options.files ?? []),
				itemsAsIsKey: asIsKey,
			},
		},
	];
	const connections: IWorkflowBase['connections'] = {};
	const connect = (from: string, fromOutput: number, to: string, type: 'main' | 'ai_tool' = 'main') => {
		const outputs = ((connections[from] ??= {})[type] ??= []);
		while (outputs.length <= fromOutput) outputs.push([]);
		(outputs[fromOutput] ??= []).push({ node: to, type, index: 0 });
	};
	let previous = 'Items Source';
	options.steps.forEach((step, index) => {
		const name = step.name ?? (step.noOp ? `No Op ${index + 1}` : `Marketo ${index + 1}`);
		const position: [number, number] = [200 * (index + 1), 0];
		const common = { continueOnFail: step.continueOnFail ?? false, executeOnce: step.executeOnce ?? false };
		const from = step.after ?? previous;
		if (step.noOp) {
			nodes.push({ id: `noop-${index + 1}`, name, type: NO_OP_TYPE, typeVersion: 1, position, parameters: {}, ...common });
			connect(from, step.fromOutput ?? 0, name);
			previous = name;
			return;
		}
		const marketo: INode = {
			id: `marketo-${index + 1}`,
			name,
			type: step.asTool ? TOOL_NODE_TYPE : NODE_TYPE,
			typeVersion: 1,
			position,
			parameters: (step.parameters ?? {}) as INode['parameters'],
			credentials: { marketoApi: { id: credentialId, name: 'Marketo test' } },
			...common,
		};
		nodes.push(marketo);
		if (step.asTool) {
			const caller = `${name} Caller`;
			nodes.push({
				id: `caller-${index + 1}`,
				name: caller,
				type: TOOL_CALLER_TYPE,
				typeVersion: 1,
				position: [position[0], 200],
				parameters: { toolArgs: JSON.stringify(step.asTool.args) },
			});
			connect(from, step.fromOutput ?? 0, caller);
			connect(name, 0, caller, 'ai_tool');
			previous = caller;
			return;
		}
		connect(from, step.fromOutput ?? 0, name);
		previous = name;
	});

	const workflowData: IWorkflowBase = {
		id: options.workflowId ?? 'wf-test',
		name: 'Marketo test workflow',
		active: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1', ...(options.timezone ? { timezone: options.timezone } : {}) },
		createdAt: new Date(),
		updatedAt: new Date(),
	} as IWorkflowBase;
	const workflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes,
		connections,
		active: false,
		nodeTypes,
		settings: workflowData.settings,
	});

	const mode = options.mode ?? 'manual';
	const hooks = new ExecutionLifecycleHooks(mode, 'exec-1', workflowData);
	const additionalData = buildAdditionalData(options.credentials, hooks);

	const execution = new WorkflowExecute(additionalData, mode).run(workflow, nodes[0]);
	// What n8n does on Stop: cancel the execution, which aborts its cancel signal.
	options.onStarted?.(() => execution.cancel());
	const run = await execution;
	const error = run.data.resultData.error as RunResult['error'];
	const lastRun = (nodeName: string) => {
		const runs = run.data.resultData.runData[nodeName];
		return runs?.[runs.length - 1];
	};
	return {
		run,
		error,
		output: (nodeName: string, outputIndex = 0) => lastRun(nodeName)?.data?.main?.[outputIndex] ?? [],
		outputCount: (nodeName: string) => lastRun(nodeName)?.data?.main?.length ?? 0,
		hints: (nodeName: string) => (lastRun(nodeName)?.hints ?? []).map((hint) => hint.message),
	};
}

function buildAdditionalData(credentials: TestCredentialsHelper, hooks?: ExecutionLifecycleHooks) {
	return {
		credentialsHelper: credentials,
		hooks,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost/rest',
		instanceBaseUrl: 'http://localhost',
		formWaitingBaseUrl: '',
		webhookBaseUrl: '',
		webhookWaitingBaseUrl: '',
		webhookTestBaseUrl: '',
		variables: {},
		executionId: 'exec-1',
		logAiEvent: () => undefined,
		executeWorkflow: async () => {
			throw new Error('not supported');
		},
		getRunExecutionData: async () => undefined,
		startRunnerTask: async () => {
			throw new Error('not supported');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

/**
 * The context n8n gives a node's `methods` when the editor fills a dropdown: the same
 * credential handling as at run time.
 */
export function loadOptionsContext(credentials: TestCredentialsHelper, parameters: IDataObject = {}): ILoadOptionsFunctions {
	prepareContainer();
	const node: INode = {
		id: 'marketo-1',
		name: 'Marketo',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
		credentials: { marketoApi: { id: 'marketo-cred-1', name: 'Marketo test' } },
	};
	const workflow = new Workflow({ id: 'wf-test', nodes: [node], connections: {}, active: false, nodeTypes });
	return new LoadOptionsContext(workflow, node, buildAdditionalData(credentials), 'parameters');
}
