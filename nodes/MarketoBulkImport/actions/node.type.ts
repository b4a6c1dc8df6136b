import type { AllEntities } from 'n8n-workflow';

type NodeMap = {
	lead: 'import' | 'getStatus' | 'getFailures' | 'getWarnings';
	customObject: 'import' | 'getStatus' | 'getFailures' | 'getWarnings';
	programMember: 'import' | 'getStatus' | 'getFailures' | 'getWarnings';
};

export type MarketoBulkImportType = AllEntities<NodeMap>;
