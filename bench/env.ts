/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/**
 * Imported first by bench/index.ts: n8n-core reads its settings folder when it loads, so the
 * folder must point at a throw-away directory before anything imports n8n-core.
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'marketo-bulk-bench-'));
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
