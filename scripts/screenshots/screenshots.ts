/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error, no-console */
/// <reference lib="dom" />
/**
 * `npm run screenshots` — screenshots of the node in a real n8n editor, taken with Debian's
 * Chromium (headless, through playwright-core; no browser download).
 *
 *   npm run screenshots                          starts the demo (n8n 2.41.1), shoots, stops it
 *   npm run screenshots -- --n8n 1               same with n8n 1.123.81
 *   npm run screenshots -- --url http://localhost:5678   use a demo that is already running
 *   options: --out <dir> (default docs/screenshots), --skip-build, --chromium <path>, --keep-browser-profile
 *
 * Needs /usr/bin/chromium (Debian: apt-get install -y chromium).
 *
 * Writes (1440×900): workflow.png, node-parameters.png, node-options.png, credential-test.png,
 * run-output.png, import-rows.png (the Rows to Fix output), failures-output.png, and from the
 * second demo workflow mapper-lead.png, mapper-custom-object.png, mapper-program-member.png
 * (Fields to Send → Map Each Field Below) and import-options-schedules.png (Skip Unchanged Rows,
 * Dry Run).
 */
import { existsSync, promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Locator, type Page } from 'playwright-core';

import { REPO_DIR } from '../../test/e2e/harness';
import { Demo, StoppedError, type RunningDemo } from '../demo/lib';
import {
	CREDENTIAL_NAME,
	DEMO_OWNER,
	MAPPED_NODES,
	MAPPED_WORKFLOW_ID,
	MAPPED_WORKFLOW_NAME,
	NODES,
	WORKFLOW_ID,
	WORKFLOW_NAME,
	mappedFieldsWorkflow,
} from '../demo/fixtures';

interface Args {
	n8n?: string;
	url?: string;
	email: string;
	password: string;
	out: string;
	skipBuild: boolean;
	chromium: string;
	keepProfile: boolean;
}

function parseArgs(argv: string[]): Args {
	const out: Args = {
		email: DEMO_OWNER.email,
		password: DEMO_OWNER.password,
		out: path.join(REPO_DIR, 'docs', 'screenshots'),
		skipBuild: false,
		chromium: '/usr/bin/chromium',
		keepProfile: false,
	};
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = (): string => {
			if (inline !== undefined) return inline;
			const v = argv[++i];
			if (v === undefined) throw new Error(`${flag} needs a value`);
			return v;
		};
		switch (flag) {
			case '--n8n':
				out.n8n = value();
				break;
			case '--url':
				out.url = value().replace(/\/+$/, '');
				break;
			case '--email':
				out.email = value();
				break;
			case '--password':
				out.password = value();
				break;
			case '--out':
				out.out = path.resolve(value());
				break;
			case '--skip-build':
				out.skipBuild = true;
				break;
			case '--chromium':
				out.chromium = value();
				break;
			case '--keep-browser-profile':
				out.keepProfile = true;
				break;
			default:
				throw new Error(`Unknown argument ${argv[i]}`);
		}
	}
	return out;
}

const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

const log = (msg: string) => console.log(`[screenshots] ${msg}`);

/** The first of several selectors (n8n 1.x and 2.x differ a little) that is visible. */
async function firstVisible(page: Page, selectors: string[], timeoutMs = 15_000): Promise<Locator> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		for (const s of selectors) {
			const l = page.locator(s).first();
			if (await l.isVisible().catch(() => false)) return l;
		}
		await page.waitForTimeout(200);
	}
	throw new Error(`None of these is visible: ${selectors.join(' , ')}`);
}

const canvasNode = (page: Page, name: string) =>
	page
		.locator('[data-test-id="canvas-node"]')
		.filter({ has: page.getByText(name, { exact: true }) });

/** "Editing in another tab" (2.x collaboration lock left by an earlier browser session). */
async function takeEditLock(page: Page): Promise<void> {
	const editHere = page.getByRole('button', { name: 'Edit here' });
	if (await editHere.isVisible().catch(() => false)) await editHere.click();
}

async function dismissToasts(page: Page): Promise<void> {
	for (const close of await page.locator('.el-notification .el-notification__closeBtn').all()) {
		await close.click().catch(() => undefined);
	}
	await page.waitForTimeout(400);
}

async function openNode(page: Page, name: string): Promise<void> {
	await canvasNode(page, name).dblclick();
	await firstVisible(page, ['[data-test-id="ndv"]', '.ndv-wrapper']);
	await page.locator('[data-test-id="node-parameters"]').first().waitFor();
	await page.waitForTimeout(800);
}

async function closeNode(page: Page): Promise<void> {
	const close = page.locator('[data-test-id="ndv-close-button"]').first();
	if (await close.isVisible().catch(() => false)) await close.click();
	else await page.keyboard.press('Escape');
	await page
		.locator('[data-test-id="ndv"]')
		.first()
		.waitFor({ state: 'hidden' })
		.catch(() => undefined);
	await page.waitForTimeout(300);
}

/**
 * Drags the parameters panel to the left so the output panel gets most of the width (2.x).
 * In 1.x the drop closes the panel: then it is opened again, at its default width.
 */
async function widenOutput(page: Page, nodeName: string): Promise<void> {
	const drag = page.locator('[data-test-id="panel-drag-button"]').first();
	const box = await drag.boundingBox().catch(() => null);
	if (!box) return;
	await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
	await page.mouse.down();
	await page.mouse.move(300, box.y + box.height / 2, { steps: 12 });
	await page.mouse.up();
	await page.waitForTimeout(500);
	if (
		!(await page
			.locator('[data-test-id="ndv"]')
			.first()
			.isVisible()
			.catch(() => false))
	) {
		await openNode(page, nodeName);
	}
}

/** Drags the parameters panel so its centre is at x (2.x), leaving the input more room. */
async function moveMainPanel(page: Page, x: number): Promise<void> {
	const drag = page.locator('[data-test-id="panel-drag-button"]').first();
	const box = await drag.boundingBox().catch(() => null);
	if (!box) return;
	await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
	await page.mouse.down();
	await page.mouse.move(x, box.y + box.height / 2, { steps: 12 });
	await page.mouse.up();
	await page.waitForTimeout(500);
}

/** Drags the parameters panel's right edge by dx, so long field labels are not cut (2.x). */
async function widenMainPanel(page: Page, dx: number): Promise<void> {
	const panel = page.locator('[data-test-id="node-parameters"]').first();
	const box = await panel.boundingBox().catch(() => null);
	if (!box) return;
	const x = box.x + box.width + 1;
	const y = box.y + 200;
	await page.mouse.move(x, y);
	await page.mouse.down();
	await page.mouse.move(x + dx, y, { steps: 12 });
	await page.mouse.up();
	await page.waitForTimeout(500);
}

async function outputMode(page: Page, mode: 'json' | 'table'): Promise<void> {
	const button = await firstVisible(page, [
		`[data-test-id="output-panel"] [data-test-id="radio-button-${mode}"]`,
		`[data-test-id="ndv-output-panel"] [data-test-id="radio-button-${mode}"]`,
	]);
	await button.click();
	await page.waitForTimeout(800);
}

async function shoot(page: Page, outDir: string, name: string): Promise<string> {
	const file = path.join(outDir, name);
	await page.screenshot({ path: file });
	log(`saved ${path.relative(REPO_DIR, file)}`);
	return file;
}

/** Opens a workflow from the workflows list (falls back to its URL). */
async function openWorkflow(page: Page, baseUrl: string, name: string, id: string): Promise<void> {
	const workflowLink = page.getByText(name, { exact: true }).first();
	await page
		.locator('[data-test-id="tab-WorkflowsView"], #workflows, a[href$="/home/workflows"]')
		.first()
		.click()
		.catch(() => undefined);
	if (
		await workflowLink.waitFor({ timeout: 10_000 }).then(
			() => true,
			() => false,
		)
	) {
		await workflowLink.click();
		await page.waitForURL((u) => u.pathname.includes(`/workflow/${id}`), {
			timeout: 30_000,
		});
	} else {
		await page.goto(`${baseUrl}/workflow/${id}`);
	}
}

/** Scrolls the parameters panel so that the element with this text is at its top. */
async function scrollToTop(page: Page, text: string): Promise<void> {
	await page
		.locator('[data-test-id="node-parameters"]')
		.getByText(text, { exact: true })
		.first()
		.evaluate((el) => el.scrollIntoView({ block: 'start' }));
	await page.waitForTimeout(400);
}

/** The Marketo fields a node of the mapped-fields workflow maps (Fields to Send → value). */
function mappedFieldIds(node: string): string[] {
	const found = mappedFieldsWorkflow().nodes.find((n) => n.name === node);
	const columns = (found?.parameters as { columns?: { value?: Record<string, string> } } | undefined)?.columns;
	return Object.keys(columns?.value ?? {});
}

/**
 * Opens an import whose Fields to Send maps each field, waits until n8n has loaded the fields
 * from Marketo (describe) and shows them, and shoots the mapper.
 */
async function shootMapper(
	page: Page,
	outDir: string,
	node: string,
	fieldLabel: RegExp,
	file: string,
): Promise<string> {
	const mapped = mappedFieldIds(node);
	await openNode(page, node);
	await moveMainPanel(page, 1000);
	await widenMainPanel(page, 200);
	await page
		.locator('[data-test-id="node-parameters"]')
		.getByText(fieldLabel)
		.first()
		.waitFor({ timeout: 20_000 });
	// n8n lists every field Marketo offers, the unmapped ones empty: remove those (in this
	// browser only, nothing is saved) so the picture shows the mapping.
	for (let round = 0; round < 100; round++) {
		const buttons = await page.locator('[data-test-id^="remove-field-button-"]').all();
		let removed = false;
		for (const button of buttons) {
			const id = ((await button.getAttribute('data-test-id')) ?? '').replace('remove-field-button-', '');
			if (mapped.includes(id)) continue;
			await button.click();
			await page.waitForTimeout(150);
			removed = true;
			break;
		}
		if (!removed) break;
	}
	await scrollToTop(page, 'Input');
	await page.mouse.move(5, 890);
	await page.waitForTimeout(800);
	return shoot(page, outDir, file);
}

async function takeScreenshots(page: Page, baseUrl: string, args: Args): Promise<string[]> {
	const files: string[] = [];
	const t = Date.now();
	const step = (what: string) => log(`${what} (${((Date.now() - t) / 1000).toFixed(1)} s)`);

	// Sign in
	await page.goto(`${baseUrl}/signin`);
	await page
		.locator('input[name="emailOrLdapLoginId"], input[name="email"]')
		.first()
		.fill(args.email);
	await page.locator('input[name="password"]').first().fill(args.password);
	await page.locator('[data-test-id="form-submit-button"]').first().click();
	await page.waitForURL((u) => !u.pathname.startsWith('/signin'), {
		timeout: 30_000,
	});
	step('signed in');

	// Credential: open it from the credentials list and run the connection test. Done before
	// anything fetches a token: n8n 1.123.81 cannot open a credential whose saved data has a
	// non-string password-typed value (accessTokenExpiresAt: "data[dataKey].startsWith is not
	// a function"), 2.x can.
	await page.goto(`${baseUrl}/home/credentials`);
	await page.getByText(CREDENTIAL_NAME, { exact: true }).first().click();
	const modal = await firstVisible(page, [
		'[data-test-id="editCredential-modal"]',
		'.el-dialog:has([data-test-id="credential-save-button"])',
	]);
	const success = page
		.locator('[data-test-id="credentials-config-container-test-success"]')
		.first();
	const retry = modal.getByRole('button', { name: /^(Retry|Test)$/ }).first();
	await Promise.race([
		success.waitFor({ timeout: 20_000 }),
		retry.waitFor({ timeout: 20_000 }),
	]).catch(() => undefined);
	if (await retry.isVisible().catch(() => false)) {
		// Run the test again in front of the camera (n8n tests on opening already).
		await retry.click();
		await page.waitForTimeout(300);
	}
	await success.waitFor({ timeout: 30_000 });
	await page.mouse.move(5, 890);
	await page.waitForTimeout(500);
	files.push(await shoot(page, args.out, 'credential-test.png'));
	await page.keyboard.press('Escape');
	await modal.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
	step('credential tested');

	// Workflow: reached by clicking through the app rather than reloading the page, so the
	// editor keeps the credential list it loaded before the test (n8n 1.123.81 answers HTTP 500
	// to that list once the credential holds a token, see above).
	await openWorkflow(page, baseUrl, WORKFLOW_NAME, WORKFLOW_ID);
	await canvasNode(page, NODES.import).waitFor({ timeout: 30_000 });
	await page.waitForTimeout(1000);
	await takeEditLock(page);
	await page.keyboard.press('Escape');
	const zoomToFit = page.locator('[data-test-id="zoom-to-fit"]').first();
	if (await zoomToFit.isVisible().catch(() => false)) await zoomToFit.click();
	await page.waitForTimeout(500);

	// Open the Import panel once before running: n8n fills in the resource mapper ("columns",
	// from Marketo's fields) when the panel first opens, which would otherwise mark the output
	// of the run as stale (warning sign in the output header).
	await openNode(page, NODES.import);
	await page.waitForTimeout(1500);
	await closeNode(page);

	// Run the workflow
	const run = await firstVisible(page, ['[data-test-id="execute-workflow-button"]']);
	await run.click();
	await canvasNode(page, NODES.failures)
		.locator('[data-test-id="canvas-node-status-success"]')
		.waitFor({ timeout: 180_000 });
	step('workflow executed');
	await page.mouse.move(5, 890);
	await page.waitForTimeout(800);
	files.push(await shoot(page, args.out, 'workflow.png'));
	await dismissToasts(page);

	// Import node: parameters (with the input it received), options, output
	await openNode(page, NODES.import);
	const lookup = page.locator('[data-test-id="parameter-input-lookupField"] input').first();
	for (let i = 0; i < 50; i++) {
		// Its options come from Marketo (describe): wait until the label is resolved.
		if (/Email/i.test(await lookup.inputValue().catch(() => ''))) break;
		await page.waitForTimeout(200);
	}
	await outputMode(page, 'json');
	await page.mouse.move(5, 890);
	await page.waitForTimeout(300);
	files.push(await shoot(page, args.out, 'node-parameters.png'));
	const lastOption = page.getByText('Wait for Completion', { exact: true }).first();
	if (await lastOption.isVisible().catch(() => false)) {
		await lastOption.scrollIntoViewIfNeeded();
		await page.mouse.move(5, 890);
		await page.waitForTimeout(500);
		files.push(await shoot(page, args.out, 'node-options.png'));
	}
	await widenOutput(page, NODES.import);
	await outputMode(page, 'json');
	await page.mouse.move(5, 890);
	await page.waitForTimeout(300);
	files.push(await shoot(page, args.out, 'run-output.png'));
	// The failed and warned rows are on Import's second output: its tab above the output data
	// ("Rows to Fix (2 items)"; n8n lists a node's outputs as tabs when it has several).
	const rowsTab = await firstVisible(
		page,
		[
			'[data-test-id="branches"] [role="tab"]:has-text("Rows to Fix")',
			'[data-test-id="branches"] :text("Rows to Fix")',
			'[data-test-id="output-panel"] :text("Rows to Fix")',
			'[data-test-id="ndv-output-panel"] :text("Rows to Fix")',
		],
		5_000,
	).catch(() => undefined);
	if (rowsTab) {
		await rowsTab.click();
		await page.waitForTimeout(800);
		await page.mouse.move(5, 890);
		files.push(await shoot(page, args.out, 'import-rows.png'));
	} else {
		log('no "Rows to Fix" output tab found: import-rows.png not taken');
	}
	await closeNode(page);
	step('import node');

	// Get Failures output (table)
	await openNode(page, NODES.failures);
	await widenOutput(page, NODES.failures);
	await outputMode(page, 'table');
	await page.mouse.move(5, 890);
	files.push(await shoot(page, args.out, 'failures-output.png'));
	await closeNode(page);
	step('get failures node');

	// Fields to Send → Map Each Field Below, for the three imports, and the options of a
	// nightly import (Skip Unchanged Rows, Dry Run): the second demo workflow, never run (its
	// rows are pinned, so each import's input panel shows them).
	await openWorkflow(page, baseUrl, MAPPED_WORKFLOW_NAME, MAPPED_WORKFLOW_ID);
	await canvasNode(page, MAPPED_NODES.leads).waitFor({ timeout: 30_000 });
	await page.waitForTimeout(1000);
	await takeEditLock(page);
	await page.keyboard.press('Escape');
	files.push(await shootMapper(page, args.out, MAPPED_NODES.leads, /^Email Address \(email\)/, 'mapper-lead.png'));
	await scrollToTop(page, 'Options');
	await page.mouse.move(5, 890);
	await page.waitForTimeout(500);
	files.push(await shoot(page, args.out, 'import-options-schedules.png'));
	await closeNode(page);
	files.push(
		await shootMapper(page, args.out, MAPPED_NODES.cars_import, /^VIN \(vin\), dedupe field/, 'mapper-custom-object.png'),
	);
	await closeNode(page);
	files.push(await shootMapper(page, args.out, MAPPED_NODES.members, /^Email Address \(email\), dedupe field/, 'mapper-program-member.png'));
	await closeNode(page);
	step('mapped fields workflow');
	return files;
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	if (!existsSync(args.chromium)) {
		throw new Error(
			`${args.chromium} not found. On Debian/Ubuntu: apt-get update && apt-get install -y chromium (or pass --chromium <path>)`,
		);
	}
	await fs.mkdir(args.out, { recursive: true });
	const t0 = Date.now();

	let demo: Demo | undefined;
	let running: RunningDemo | undefined;
	const onSignal = () => {
		log('interrupted; stopping…');
		void (demo ? demo.stop() : Promise.resolve()).then(() => process.exit(130));
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	let baseUrl = args.url;
	if (!baseUrl) {
		demo = new Demo({ n8n: args.n8n, skipBuild: args.skipBuild });
		try {
			running = await demo.start();
		} catch (e) {
			if (e instanceof StoppedError) return;
			throw e;
		}
		baseUrl = running.url;
		log(
			`demo ready: n8n ${running.line.version} on ${baseUrl} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
		);
	}

	const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'n8n-screenshots-chromium-'));
	const t1 = Date.now();
	try {
		const context = await chromium.launchPersistentContext(profile, {
			executablePath: args.chromium,
			headless: true,
			args: CHROMIUM_ARGS,
			viewport: { width: 1440, height: 900 },
			deviceScaleFactor: 1,
			colorScheme: 'light',
			locale: 'en-US',
			timezoneId: 'UTC',
		});
		try {
			const page = context.pages()[0] ?? (await context.newPage());
			page.setDefaultTimeout(30_000);
			await takeScreenshots(page, baseUrl, args);
		} catch (e) {
			const page = context.pages()[0];
			if (page) {
				const file = path.join(os.tmpdir(), `n8n-screenshots-failure-${Date.now()}.png`);
				await page.screenshot({ path: file }).catch(() => undefined);
				log(`failed; the page at that moment: ${file}`);
			}
			throw e;
		} finally {
			await context.close();
		}
		log(
			`browser part took ${((Date.now() - t1) / 1000).toFixed(1)} s; total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
		);
	} finally {
		if (!args.keepProfile)
			await fs.rm(profile, { recursive: true, force: true }).catch(() => undefined);
		if (demo) await demo.stop();
	}
}

main().then(
	() => process.exit(0),
	(e: unknown) => {
		console.error(`[screenshots] FAILED: ${(e as Error)?.stack ?? String(e)}`);
		process.exit(1);
	},
);
