import type { INode } from 'n8n-workflow';

/**
 * n8n runs a node used by an AI agent as its tool variant, whose type is the node's type with
 * "Tool" appended (the same test n8n's display options use for "@tool").
 */
export function runsAsTool(node: INode): boolean {
	return node.type.endsWith('Tool');
}
