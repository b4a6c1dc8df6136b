/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
import { promises as fs } from 'fs';

export default async function globalTeardown(): Promise<void> {
	const dir = process.env.N8N_E2E_PACK_DIR;
	if (dir && process.env.N8N_E2E_KEEP !== '1') await fs.rm(dir, { recursive: true, force: true });
}
