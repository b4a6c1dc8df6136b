/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/**
 * What the node's source says about features landing while the bench is kept: read from the
 * files themselves, so the report says which engine it measured.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

const source = (...path: string[]) => readFileSync(join(__dirname, '..', 'nodes', 'MarketoBulkImport', ...path), 'utf8');

/** Whether the pipeline polls through PollSchedule (the adaptive poll). */
export function adaptivePollWired(): boolean {
	return /new PollSchedule\(/.test(source('import', 'pipeline.ts'));
}

/** Whether Binary File input stored on disk (n8n's filesystem mode) is read as a stream rather than whole. */
export function streamingFileInputWired(): boolean {
	return /getBinaryStream\(/.test(source('actions', 'common', 'importInput.ts'));
}
