 
/**
 * Marketo emulator (test double) for the bulk import API. See
 * /work/shared/reference/marketo-bulk-api.md §7 for the behaviour it reproduces.
 *
 *   const emu = await startMarketoEmulator({ queuedMinMs: 20, importMinMs: 50 });
 *   // point the node at emu.url (identity: `${emu.url}/identity`, REST: `${emu.url}/rest`)
 *   await emu.close();
 */
import type { EmulatedJob } from './imports';
import type { FaultSpec } from './limits';
import type { CustomObjectRecord, Lead, ProgramMembership } from './model';
import type { EmulatorOptions, ResolvedOptions } from './options';
import { EmulatorServer, type CreateCall, type RequestLogEntry } from './server';

export type { EmulatedJob, ImportKind, JobStatus, ReportRow } from './imports';
export type { FaultSpec, FaultTiming } from './limits';
export type {
	Channel,
	CustomObjectField,
	CustomObjectType,
	Folder,
	Lead,
	LeadField,
	Partition,
	Program,
	ProgramMemberField,
	ProgramMembership,
	ProgressionStatus,
	StaticList,
	CustomObjectRecord,
} from './model';
export { defaultLeadFields, defaultChannels, defaultPartitions, defaultProgramMemberFields } from './model';
export type { EmulatorClient, EmulatorOptions, ResolvedOptions } from './options';
export { defaultOptions, sandboxOptions } from './options';
export type { RequestLogEntry, AuthorizationKind, CreateCall } from './server';
export { parseUpload } from './server';

export interface MarketoEmulator {
	/** `http://127.0.0.1:<port>` */
	url: string;
	/** Live options; mutating them (or calling configure) changes behaviour immediately. */
	options: ResolvedOptions;
	configure(partial: Partial<EmulatorOptions>): void;
	expireTokens(): void;
	injectFault(f: FaultSpec): void;
	clearFaults(): void;
	/** The next submitted job goes Queued → Failed with `Import failed: <message>`. */
	failNextJob(message?: string): void;
	jobs(): EmulatedJob[];
	job(batchId: number): EmulatedJob | undefined;
	/** The header and data rows a batch was created with (parsed from its uploaded file). */
	jobRows(batchId: number): { header: string[]; rows: string[][] } | undefined;
	/**
	 * Every call to a bulk create endpoint in arrival order: refused ones, created ones (with
	 * their batch id), and created ones whose answer a fault replaced (`answerLost`), each with
	 * the rows it carried.
	 */
	creates(): CreateCall[];
	leads(): Lead[];
	listMembers(listId: number): number[];
	customObjectRecords(apiName: string): CustomObjectRecord[];
	programMembers(programId: number): ProgramMembership[];
	requests(): RequestLogEntry[];
	/** How many times Identity minted a new token. */
	tokenIssues(): number;
	/** How many Identity calls were made. */
	identityCalls(): number;
	/** Counters: in-flight calls, calls in the current rate window, quota used, active imports. */
	stats(): { inFlight: number; rateWindowCount: number; quotaUsed: number; activeImports: number; now: number };
	/** Moves the emulator clock forward (tokens, rate window, job timing). */
	advanceClock(ms: number): void;
	/** Stops the wall clock's share: from now on only advanceClock moves the emulator's time. */
	freezeClock(): void;
	resetQuota(): void;
	/** Back to the start options and seed data: no jobs, tokens, faults or request log. */
	reset(): void;
	close(): Promise<void>;
}

export async function startMarketoEmulator(options: EmulatorOptions = {}): Promise<MarketoEmulator> {
	const s = new EmulatorServer(options);
	const url = await s.listen();
	return {
		url,
		get options() {
			return s.options;
		},
		configure: (partial) => s.configure(partial),
		expireTokens: () => s.identity.expireAll(),
		injectFault: (f) => s.injectFault(f),
		clearFaults: () => s.faults.clear(),
		failNextJob: (message) => s.imports.failNextJob(message),
		jobs: () => s.jobs(),
		job: (batchId) => s.jobs().find((j) => j.batchId === batchId),
		jobRows: (batchId) => s.jobRows(batchId),
		creates: () => s.creates(),
		leads: () => s.leads(),
		listMembers: (listId) => s.listMembers(listId),
		customObjectRecords: (apiName) => {
			s.imports.pump();
			return s.model.customObjectRecords.list(apiName);
		},
		programMembers: (programId) => {
			s.imports.pump();
			return s.model.programMembers.list(programId);
		},
		requests: () => s.requests(),
		tokenIssues: () => s.identity.issues,
		identityCalls: () => s.identity.calls,
		stats: () => ({
			inFlight: s.limits.inFlight,
			rateWindowCount: s.limits.windowCount(),
			quotaUsed: s.limits.quotaUsed,
			activeImports: s.imports.activeCount(),
			now: s.clock.now(),
		}),
		advanceClock: (ms) => s.advanceClock(ms),
		freezeClock: () => s.clock.freeze(),
		resetQuota: () => s.limits.resetQuota(),
		reset: () => s.reset(),
		close: () => s.close(),
	};
}
