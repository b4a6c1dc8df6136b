/**
 * The import engine shared by the lead, custom object and program member imports, as named
 * phases: read the input into rows → refuse what cannot be sent → pack the rows into files
 * under the size limit → submit them through Marketo's queue → read the reports → account
 * for every row → output. Rows are indexes into one table; each row knows its input item
 * (and file line), and everything shown to the user names items and lines.
 * Each resource's import.operation.ts says only what differs (an ImportSpec).
 */
import type {
  IDataObject,
  IExecuteFunctions,
  INodeExecutionData,
  IPairedItemData,
  JsonObject,
} from "n8n-workflow";
import { NodeApiError, NodeOperationError } from "n8n-workflow";

import type { ImportTarget } from "../../api/bulkImport";
import type { DelimitedFormat } from "../../csv";
import { DELIMITERS, FILE_EXTENSIONS } from "../../csv";
import type { ImportFile } from "../../import/files";
import {
  DEFAULT_MAX_FILE_BYTES,
  MARKETO_MAX_BODY_BYTES,
  MULTIPART_ALLOWANCE_BYTES,
  RowTooLargeError,
  splitIntoFiles,
} from "../../import/files";
import { describeItems } from "../../import/itemList";
import type {
  BatchAccount,
  BatchReport,
  ImportTotals,
} from "../../import/outcomes";
import {
  accountBatch,
  addCounts,
  collectBatchReports,
  emptyCounts,
} from "../../import/outcomes";
import type { PipelineResult } from "../../import/pipeline";
import { runImportPipeline } from "../../import/pipeline";
import { reasonField } from "../../import/reports";
import type { ImportTable, Refusal } from "../../import/table";
import { buildImportTable } from "../../import/table";
import type { WaitSettings } from "../../import/waitForBatch";
import type { RetrySettings } from "../../transport/retryPolicy";
import { readRetrySettings } from "./fields";
import type {
  FieldSource,
  SkippedFileRow,
  UnknownColumns,
} from "./importRecords";
import {
  describeSource,
  recordsFromFiles,
  recordsFromItems,
} from "./importRecords";
import { readWaitSettings } from "./wait";

export { importOptions, inputProperties } from "./importProperties";

const MEGABYTE = 1024 * 1024;

/** What differs between the lead, custom object and program member imports. */
export interface ImportSpec {
  target: ImportTarget;
  /** One row, and many: "lead", "leads". */
  noun: string;
  plural: string;
  fieldSource: FieldSource;
  /** Whether the operation has "Fields to Send". */
  hasMapper: boolean;
  /** The column that identifies a row, to trace report rows to items by it. */
  lookupField?: string;
  /** Form fields sent with each file (read once the rows are ready). */
  formFields: () => Record<string, string | undefined>;
  /** Extra fields in each batch item. */
  summary?: (formFields: Record<string, string | undefined>) => IDataObject;
  /** Checks the file's columns before anything is uploaded. */
  checkColumns?: (columns: readonly string[]) => void;
}

/** The options of one import run, read and checked once. */
interface ImportSettings {
  format: DelimitedFormat;
  inputSource: "items" | "binaryFile";
  unknownColumns: UnknownColumns;
  maxFileBytes: number;
  maxInQueue: number;
  waitForCompletion: boolean;
  /** The timeout in it applies only when waiting (see the pipeline). */
  wait: WaitSettings;
  outputRows: boolean;
  baseName: string;
  retry: Partial<RetrySettings>;
  continueOnFail: boolean;
}

function readImportSettings(
  fns: IExecuteFunctions,
  spec: ImportSpec,
): ImportSettings {
  const node = fns.getNode();
  const options = fns.getNodeParameter("options", 0, {}) as IDataObject;
  const maxInQueue =
    options.maxInQueue === undefined ? 4 : Number(options.maxInQueue);
  if (!Number.isInteger(maxInQueue) || maxInQueue < 1 || maxInQueue > 10) {
    throw new NodeOperationError(
      node,
      `"Max Batches in Queue" is ${JSON.stringify(options.maxInQueue)}, not a whole number from 1 to 10`,
      {
        description:
          "Set Options → Max Batches in Queue to a whole number from 1 to 10 (4 suits most instances).",
      },
    );
  }
  const maxFileMb =
    options.maxFileSizeMb === undefined
      ? undefined
      : Number(options.maxFileSizeMb);
  if (maxFileMb !== undefined && !(maxFileMb > 0)) {
    throw new NodeOperationError(
      node,
      `"Max File Size (MB)" is ${JSON.stringify(options.maxFileSizeMb)}, not a size above 0`,
      {
        description:
          "Set Options → Max File Size (MB) to a number above 0 and at most 10 (9.5 by default).",
      },
    );
  }
  const waitForCompletion = options.waitForCompletion === true;
  return {
    format: fns.getNodeParameter("format", 0) as DelimitedFormat,
    inputSource:
      fns.getNodeParameter("inputSource", 0, "items") === "binaryFile"
        ? "binaryFile"
        : "items",
    unknownColumns: (options.unknownColumns ?? "error") as UnknownColumns,
    maxFileBytes: Math.min(
      maxFileMb === undefined
        ? DEFAULT_MAX_FILE_BYTES
        : Math.floor(maxFileMb * MEGABYTE),
      MARKETO_MAX_BODY_BYTES - MULTIPART_ALLOWANCE_BYTES,
    ),
    maxInQueue,
    waitForCompletion,
    wait: readWaitSettings(fns, 0),
    outputRows: waitForCompletion && options.outputRows === true,
    baseName: String(options.fileName ?? spec.plural).trim() || spec.plural,
    retry: readRetrySettings(fns, 0),
    continueOnFail: fns.continueOnFail(),
  };
}

/** The import itself, for any of Marketo's three bulk imports. */
export async function executeImport(
  fns: IExecuteFunctions,
  items: INodeExecutionData[],
  spec: ImportSpec,
): Promise<INodeExecutionData[]> {
  const node = fns.getNode();
  if (items.length === 0) {
    throw new NodeOperationError(node, "There are no items to import", {
      description: `Connect a node that outputs the ${spec.plural} to import, one item per ${spec.noun}.`,
    });
  }
  const settings = readImportSettings(fns, spec);

  // 1. Input → records → one table of rows.
  const input =
    settings.inputSource === "binaryFile"
      ? await recordsFromFiles(
          fns,
          items,
          settings.unknownColumns,
          spec.fieldSource,
        )
      : await recordsFromItems(
          fns,
          items,
          settings.unknownColumns,
          spec.fieldSource,
          spec.hasMapper,
        );
  const table = buildImportTable(input.records, input.itemOf, input.lineOf);
  const refused = [...input.refused, ...table.refused].sort(
    (a, b) => a.itemIndex - b.itemIndex || (a.line ?? 0) - (b.line ?? 0),
  );

  // 2. What cannot be sent stops the run, or becomes error items (Continue On Fail).
  const output = refusalItems(fns, refused, spec, settings.continueOnFail);
  if (table.rows.length === 0) {
    if (output.length === 0 && input.skippedRows.length === 0) {
      throw new NodeOperationError(node, "There are no rows to import", {
        description: `The input items (or files) hold no ${spec.noun} rows.`,
      });
    }
    return [...output, ...skippedRowItems(input.skippedRows)];
  }
  spec.checkColumns?.(table.columns);

  // 3. Rows → files under the size limit.
  const files = packFiles(fns, table, settings);

  // 4. Files → Marketo. A Stop in the editor (or an execution timeout) ends every wait and upload.
  const signal = fns.getExecutionCancelSignal?.();
  const fields = spec.formFields();
  const result = await runImportPipeline(fns, files, {
    target: spec.target,
    format: settings.format,
    fields,
    fileName: (n) =>
      `${settings.baseName}${files.length > 1 ? `-${String(n).padStart(3, "0")}` : ""}${FILE_EXTENSIONS[settings.format]}`,
    maxInQueue: settings.maxInQueue,
    waitForCompletion: settings.waitForCompletion,
    wait: settings.wait,
    call: { retry: settings.retry },
    signal,
    // Logged as they happen: if the run is stopped or the worker dies, the log says what Marketo holds.
    onAccepted: (batch, fileCount) =>
      fns.logger.info(
        `Marketo Bulk Import: file ${batch.fileNumber} of ${fileCount} accepted as batch ${batch.batchId} (${batch.file.rowIndexes.length} rows)`,
        { node: fns.getNode().name, batchId: batch.batchId },
      ),
  });

  // 5. Reports of the finished batches → failed and warned rows, traced to input rows.
  const reports =
    settings.waitForCompletion && !signal?.aborted
      ? await collectBatchReports(
          fns,
          spec.target,
          result.batches,
          table.columns,
          (row) => table.rows[row],
          spec.lookupField,
          { retry: settings.retry, signal },
        )
      : [];

  // 6. Every row accounted for, batch by batch.
  const accounts = accountImport(result, reports);
  const totals: ImportTotals = { items: table.rows.length, ...emptyCounts() };
  for (const account of accounts) addCounts(totals, account.counts);
  const refusedRows =
    refused.filter((refusal) => !refusal.wholeItem).length +
    input.skippedRows.length;
  totals.items += refusedRows;
  totals.notSubmitted += refusedRows;

  // 7. Output.
  const common: IDataObject = {
    format: settings.format,
    ...(spec.summary?.(fields) ?? {}),
    columns: table.columns,
    ...(settings.inputSource === "binaryFile"
      ? { file: { skippedEmptyRows: input.skippedEmptyRows } }
      : {}),
    totals: { ...totals },
  };
  const itemsOf = (rows: readonly number[]) => [
    ...new Set(rows.map((row) => table.itemOf[row])),
  ];
  const pair = (rows: readonly number[]): IPairedItemData[] =>
    itemsOf(rows).map((item) => ({ item }));
  for (const account of accounts) {
    if (account.batch.batchId === undefined) continue;
    output.push({
      json: batchJson(account, files.length, common),
      pairedItem: pair(account.batch.file.rowIndexes),
    });
  }
  if (settings.outputRows) output.push(...reportRowItems(reports, table, pair));
  output.push(...skippedRowItems(input.skippedRows));
  hintAboutRows(fns, totals, accounts);

  if (result.error !== undefined) {
    const stop = stoppedRunError(fns, result, accounts, table, itemsOf, totals);
    if (!settings.continueOnFail) throw stop.error;
    output.push({ json: stop.json, pairedItem: stop.pairedItem });
  }
  return output;
}

/** Refused records and files: one error (the first, naming how many more), or one error item each. */
function refusalItems(
  fns: IExecuteFunctions,
  refused: readonly Refusal[],
  spec: ImportSpec,
  continueOnFail: boolean,
): INodeExecutionData[] {
  const node = fns.getNode();
  const describe = (refusal: Refusal) => {
    const where = refusal.wholeItem
      ? ""
      : `${describeSource(refusal.itemIndex, refusal.line)}: `;
    const text = `${where}${refusal.message}`;
    return text.charAt(0).toUpperCase() + text.slice(1);
  };
  const fixOf = (refusal: Refusal) =>
    refusal.fix ??
    `Marketo ${spec.noun} fields hold text, numbers, booleans and dates. Flatten the value first (for example with an Edit Fields node), or remove the field.`;
  if (refused.length === 0) return [];
  if (!continueOnFail) {
    const [first] = refused;
    const others = refused.slice(1).map((refusal) => refusal.itemIndex);
    const more =
      others.length > 0
        ? ` (${others.length.toLocaleString("en-US")} more refused: ${describeItems(others)})`
        : "";
    throw new NodeOperationError(node, `${describe(first)}${more}`, {
      itemIndex: first.itemIndex,
      description: `Nothing was uploaded. ${fixOf(first)}`,
    });
  }
  return refused.map((refusal) => ({
    json: {
      error: describe(refusal),
      itemIndex: refusal.itemIndex,
      ...(refusal.line !== undefined ? { line: refusal.line } : {}),
      ...(refusal.field !== undefined ? { field: refusal.field } : {}),
      outcome: "notSubmitted",
    },
    pairedItem: { item: refusal.itemIndex },
  }));
}

function skippedRowItems(
  skipped: readonly SkippedFileRow[],
): INodeExecutionData[] {
  return skipped.map((row) => ({
    json: {
      outcome: "notSubmitted",
      reason: row.reason,
      itemIndex: row.itemIndex,
      line: row.line,
      cells: row.cells,
    },
    pairedItem: { item: row.itemIndex },
  }));
}

function packFiles(
  fns: IExecuteFunctions,
  table: ImportTable,
  settings: ImportSettings,
): ImportFile[] {
  const files = splitIntoFiles(
    table.columns,
    table.rows,
    DELIMITERS[settings.format],
    settings.maxFileBytes,
  );
  if (files instanceof RowTooLargeError) {
    const itemIndex = table.itemOf[files.rowIndex];
    const where = describeSource(itemIndex, table.lineOf?.[files.rowIndex]);
    throw new NodeOperationError(
      fns.getNode(),
      `${where.charAt(0).toUpperCase()}${where.slice(1)} alone makes ${files.message}`,
      {
        itemIndex,
        description:
          'Nothing was uploaded. Marketo refuses files of 10 MB or more. Shorten the values of this row, or raise "Max File Size".',
      },
    );
  }
  return files;
}

function accountImport(
  result: PipelineResult,
  reports: readonly BatchReport[],
): BatchAccount[] {
  const reportOf = new Map(reports.map((report) => [report.batch, report]));
  return result.batches.map((batch) =>
    accountBatch(batch, batch === result.uncertainFile, reportOf.get(batch)),
  );
}

function batchJson(
  account: BatchAccount,
  fileCount: number,
  common: IDataObject,
): IDataObject {
  const { batch, counts } = account;
  const raw = batch.status?.raw ?? {};
  // A batch's rows were all submitted: notSubmitted has no place here.
  const rows = {
    imported: counts.imported,
    importedWithWarning: counts.importedWithWarning,
    failed: counts.failed,
    pending: counts.pending,
    outcomeUnknown: counts.outcomeUnknown,
  };
  return {
    ...raw,
    batchId: batch.batchId,
    ...(batch.timedOut ? { timedOut: true } : {}),
    file: {
      number: batch.fileNumber,
      of: fileCount,
      rows: batch.file.rowIndexes.length,
      bytes: batch.file.content.length,
      ...(common.file as IDataObject | undefined),
    },
    rows,
    ...(account.unknownReason !== undefined
      ? { outcomeUnknownReason: account.unknownReason }
      : {}),
    ...Object.fromEntries(
      Object.entries(common).filter(([key]) => key !== "file"),
    ),
  };
}

/** One item per failed or warned row, with Marketo's reason, paired with its input item. */
function reportRowItems(
  reports: readonly BatchReport[],
  table: ImportTable,
  pair: (rows: readonly number[]) => IPairedItemData[],
): INodeExecutionData[] {
  const output: INodeExecutionData[] = [];
  for (const report of reports) {
    const batchId = report.batch.batchId;
    for (const [kind, trace] of [
      ["failures", report.failures],
      ["warnings", report.warnings],
    ] as const) {
      const outcome = kind === "failures" ? "failed" : "warning";
      for (const { rowIndex, row } of trace.traced) {
        output.push({
          json: {
            ...row.values,
            [reasonField(kind)]: row.reason,
            outcome,
            batchId,
            ...(table.lineOf ? { line: table.lineOf[rowIndex] } : {}),
          },
          pairedItem: { item: table.itemOf[rowIndex] },
        });
      }
      for (const row of trace.untraced) {
        // Marketo changed the values beyond recognition: keep the row, linked to its whole batch.
        output.push({
          json: {
            ...row.values,
            [reasonField(kind)]: row.reason,
            outcome,
            batchId,
            traced: false,
          },
          pairedItem: pair(report.batch.file.rowIndexes),
        });
      }
    }
  }
  return output;
}

/** Says on the canvas when rows need attention, so a green run is not read as "all imported". */
function hintAboutRows(
  fns: IExecuteFunctions,
  totals: ImportTotals,
  accounts: readonly BatchAccount[],
): void {
  const notes: string[] = [];
  if (totals.failed > 0)
    notes.push(`${totals.failed.toLocaleString("en-US")} rows failed`);
  if (totals.outcomeUnknown > 0) {
    const batches = accounts
      .filter(
        (a) => a.counts.outcomeUnknown > 0 && a.batch.batchId !== undefined,
      )
      .map((a) => a.batch.batchId);
    notes.push(
      `the outcome of ${totals.outcomeUnknown.toLocaleString("en-US")} rows is unknown${batches.length > 0 ? ` (batches ${batches.join(", ")}: check them with Get Failures and Get Warnings)` : ""}`,
    );
  }
  if (notes.length === 0 || typeof fns.addExecutionHints !== "function") return;
  const text = notes.join("; ");
  fns.addExecutionHints({
    message: `${text.charAt(0).toUpperCase()}${text.slice(1)}. See "totals" and "rows" in the output.`,
    location: "outputPane",
  });
}

/** The error for a run that stopped early: what Marketo holds, what was not sent, what is unknown. */
function stoppedRunError(
  fns: IExecuteFunctions,
  result: PipelineResult,
  accounts: readonly BatchAccount[],
  table: ImportTable,
  itemsOf: (rows: readonly number[]) => number[],
  totals: ImportTotals,
): { error: Error; json: IDataObject; pairedItem: IPairedItemData[] } {
  const node = fns.getNode();
  const acceptedIds = accounts.flatMap((a) =>
    a.batch.batchId === undefined ? [] : [a.batch.batchId],
  );
  const interruptedRows = result.uncertainFile?.file.rowIndexes ?? [];
  const notSentRows = accounts
    .filter(
      (a) => a.batch.batchId === undefined && a.batch !== result.uncertainFile,
    )
    .flatMap((a) => a.batch.file.rowIndexes);
  const summary =
    acceptedIds.length > 0
      ? `Batches already accepted by Marketo: ${acceptedIds.join(", ")}.`
      : "No batch was accepted by Marketo.";
  const unsent =
    notSentRows.length > 0
      ? ` Not submitted: ${describeItems(itemsOf(notSentRows))} (${notSentRows.length.toLocaleString("en-US")} of ${table.rows.length.toLocaleString("en-US")} rows).`
      : "";
  const uncertain =
    interruptedRows.length > 0
      ? ` In the interrupted upload (check in Marketo before resending): ${describeItems(itemsOf(interruptedRows))}.`
      : "";
  const cause = result.error as Error & {
    description?: string;
    httpCode?: string | null;
  };
  const message = `${cause.message.replace(/\.+$/, "")}. ${summary}${unsent}${uncertain}`;
  const description = [
    cause.description,
    "To resume without duplicates, import only the items not submitted; check accepted batches with Get Status.",
  ]
    .filter(Boolean)
    .join(" ");
  const error =
    cause instanceof NodeApiError
      ? new NodeApiError(
          node,
          {
            message: cause.message,
            acceptedBatchIds: acceptedIds,
          } as unknown as JsonObject,
          {
            message,
            description,
            httpCode: cause.httpCode ?? undefined,
          },
        )
      : new NodeOperationError(node, message, { description });
  const affected = [...interruptedRows, ...notSentRows];
  return {
    error,
    json: {
      error: message,
      acceptedBatchIds: acceptedIds,
      notSubmittedItems: itemsOf(notSentRows),
      ...(interruptedRows.length > 0
        ? { interruptedUploadItems: itemsOf(interruptedRows) }
        : {}),
      totals: { ...totals },
    },
    pairedItem: itemsOf(
      affected.length > 0 ? affected : table.itemOf.map((_, row) => row),
    ).map((item) => ({ item })),
  };
}
