import { MongoBulkWriteError } from 'mongodb';
import { Compile } from 'typebox/compile';
import { BulkDeviceLine, type BulkResultLine } from '@plexus/contracts';
import type { RegistryContext } from './context.ts';
import { deviceTypeExists } from './device-types.ts';
import { newDeviceDocument } from './devices.ts';
import { newCredentialFromSecret } from './credentials.ts';
import type { DeviceDocument } from './documents.ts';
import { RegistryErrors } from './errors.ts';
import { randomSecrets } from './secrets.ts';

const validateLine = Compile(BulkDeviceLine);

export interface BulkImportOptions {
  /** Devices per insert; one round trip to the store each. */
  batchSize: number;
  /** Inserts in flight at once, so parsing and hashing overlap with the store's work. */
  concurrency: number;
  maxLines: number;
  maxLineBytes: number;
}

// Measured on the embedded engine: 2,000 × 2 in flight inserts 19% faster than 1,000 × 3.
export const DEFAULT_BULK_OPTIONS: BulkImportOptions = {
  batchSize: 2000,
  concurrency: 2,
  maxLines: 1_000_000,
  maxLineBytes: 16 * 1024
};

export interface BulkSummary {
  lines: number;
  created: number;
  existing: number;
  failed: number;
}

interface PendingDevice {
  line: number;
  fields: BulkDeviceLine;
}

type Emit = (result: BulkResultLine) => void;

function failure(line: number, error: { code: string; message: string }, field?: string, id?: string): BulkResultLine {
  const detail = field ? { code: error.code, message: error.message, field } : { code: error.code, message: error.message };
  return id === undefined ? { line, error: detail } : { line, id, error: detail };
}

function parseLine(text: string, line: number, maxLineBytes: number): PendingDevice | BulkResultLine {
  if (Buffer.byteLength(text) > maxLineBytes) return failure(line, RegistryErrors.bulkLineTooLong(maxLineBytes));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return failure(line, RegistryErrors.bulkInvalidJson(error instanceof Error ? error.message : String(error)));
  }
  if (validateLine.Check(value)) return { line, fields: value };
  const { field, message } = describeFirstError(validateLine.Errors(value));
  const id = value !== null && typeof value === 'object' && 'id' in value && typeof value.id === 'string' ? value.id : undefined;
  return failure(line, RegistryErrors.bulkInvalidDevice(`${field} ${message}`), field, id);
}

interface ValidationError {
  keyword: string;
  instancePath: string;
  message: string;
  params: Record<string, unknown>;
}

/** The most telling error: `additionalProperties` names the property, not "schema is false". */
function describeFirstError(errors: readonly ValidationError[]): { field: string; message: string } {
  const error = errors.find((candidate) => candidate.keyword !== 'boolean') ?? errors[0];
  if (!error) return { field: '/', message: 'is invalid' };
  const extra = error.params['additionalProperties'];
  if (error.keyword === 'additionalProperties' && Array.isArray(extra) && extra.length > 0) {
    return { field: `${error.instancePath}/${String(extra[0])}`, message: 'is not a known property' };
  }
  return { field: error.instancePath || '/', message: error.message };
}

/**
 * Registers devices from NDJSON lines as they arrive, never holding more than
 * `concurrency` batches. Re-uploading is safe: ids that exist are reported as such and keep
 * their credentials. A bad line is reported with its number and never costs the good ones.
 */
export async function importDevices(
  ctx: RegistryContext,
  tenantId: string,
  lines: AsyncIterable<string>,
  emit: Emit,
  options: BulkImportOptions = DEFAULT_BULK_OPTIONS
): Promise<BulkSummary> {
  const summary: BulkSummary = { lines: 0, created: 0, existing: 0, failed: 0 };
  const knownTypes = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let batch: PendingDevice[] = [];

  const report = (result: BulkResultLine): void => {
    if ('error' in result) summary.failed++;
    else if ('status' in result) summary.existing++;
    else if ('token' in result) summary.created++;
    emit(result);
  };

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const pending = batch;
    batch = [];
    const task = insertBatch(ctx, tenantId, pending, knownTypes, report).finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
  };

  for await (const text of lines) {
    if (text.trim() === '') continue;
    summary.lines++;
    if (summary.lines > options.maxLines) {
      summary.lines--;
      await flush();
      await Promise.all(inFlight);
      throw RegistryErrors.bulkTooManyLines(options.maxLines);
    }
    const parsed = parseLine(text, summary.lines, options.maxLineBytes);
    if ('fields' in parsed) {
      batch.push(parsed);
      if (batch.length >= options.batchSize) await flush();
    } else {
      report(parsed);
    }
  }
  await flush();
  await Promise.all(inFlight);
  return summary;
}

async function insertBatch(
  ctx: RegistryContext,
  tenantId: string,
  pending: PendingDevice[],
  knownTypes: Set<string>,
  report: Emit
): Promise<void> {
  const accepted: PendingDevice[] = [];
  for (const item of pending) {
    const type = item.fields.type;
    if (type && !(await deviceTypeExists(ctx, tenantId, type, knownTypes))) {
      report(failure(item.line, RegistryErrors.unknownDeviceType(type), '/type', item.fields.id));
    } else {
      accepted.push(item);
    }
  }
  if (accepted.length === 0) return;

  const now = ctx.now();
  const secrets = randomSecrets(accepted.length);
  const tokens: string[] = [];
  const credentialIds: string[] = [];
  const docs: DeviceDocument[] = accepted.map((item, index) => {
    const { entry, issued } = newCredentialFromSecret(tenantId, secrets[index] as string, now, null);
    tokens.push(issued.token);
    credentialIds.push(issued.id);
    return newDeviceDocument(tenantId, item.fields, now, [entry]);
  });

  const failedAt = new Map<number, { code: number; message: string }>();
  try {
    await ctx.collections.devices.insertMany(docs, { ordered: false });
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError)) {
      const storeError = RegistryErrors.storeFailure(error instanceof Error ? error.message : String(error));
      for (const item of accepted) report(failure(item.line, storeError, undefined, item.fields.id));
      return;
    }
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    for (const writeError of writeErrors) failedAt.set(writeError.index, { code: writeError.code, message: writeError.errmsg ?? '' });
  }

  accepted.forEach((item, index) => {
    const writeError = failedAt.get(index);
    if (!writeError) {
      report({ line: item.line, id: item.fields.id, token: tokens[index] as string, credentialId: credentialIds[index] as string });
    } else if (writeError.code === 11000) {
      report({ line: item.line, id: item.fields.id, status: 'exists' });
    } else {
      report(failure(item.line, RegistryErrors.storeFailure(writeError.message), undefined, item.fields.id));
    }
  });
}
