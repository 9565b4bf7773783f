import { existsSync, statSync } from 'node:fs';
import { exportToFile, writeExport } from '../transfer/export';
import { ITEM_TYPES, LABELS, zeroCounts } from '../transfer/format';
import { importFile, importFromCfs } from '../transfer/import';
import { ImportError } from '../transfer/items';
import { progressReporter } from '../transfer/progress';
import type { ImportSummary } from '../transfer/summary';
import { cliLogger } from '../logging/pretty';
import { CliError, type CliArgs, type CliContext } from './admin-commands';

export interface TransferArgs extends CliArgs {
  out?: string;
  in?: string;
  merge?: boolean;
  fromCfsPostgres?: string;
}

/** What a command prints on standard output, and its exit code. */
export interface CommandResult {
  output?: string;
  code: number;
}

function defaultName(): string {
  return `factory-export-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.jsonl.gz`;
}

/** `admin:export [--out FILE]`: a file (gzipped for `.gz`), or standard output with `--out -`. */
export async function exportCommand({ storage, logLevel }: CliContext, args: TransferArgs): Promise<CommandResult> {
  const log = cliLogger(logLevel);
  const counts = zeroCounts();
  if (args.out === '-') {
    await writeExport(storage, process.stdout, { counts }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'EPIPE')
        throw new CliError('standard output was closed before the end');
      throw error;
    });
    return { code: 0 };
  }
  const out = args.out ?? defaultName();
  if (existsSync(out)) throw new CliError(`${out} exists; name another file with --out, or remove it first`);
  log.info(`exporting the ${storage.kind} store to ${out}`);
  await exportToFile(storage, out, { counts, onProgress: progressReporter('tournaments') }).catch((error: unknown) => {
    const { code, message } = error as NodeJS.ErrnoException;
    // A folder that is missing or not writable is the operator's to fix: one line, no stack.
    if (code && /^E[A-Z]+$/.test(code)) throw new CliError(`cannot write ${out}: ${message}`);
    throw error;
  });
  const what = ITEM_TYPES.map((type) => `${counts[type]} ${LABELS[type]}`).join(', ');
  return {
    output: `exported to ${out} (${statSync(out).size} bytes; readable by its owner only, it holds password hashes): ${what}`,
    code: 0,
  };
}

/** `admin:import --in FILE [--merge]` or `admin:import --from-cfs-postgres URL [--merge]`. */
export async function importCommand({ storage, logLevel }: CliContext, args: TransferArgs): Promise<CommandResult> {
  const log = cliLogger(logLevel);
  if (!args.in === !args.fromCfsPostgres)
    throw new CliError('name one source: --in <file> or --from-cfs-postgres <url>');
  const options = { merge: args.merge, onProgress: progressReporter('tournaments') };
  let summary: ImportSummary;
  try {
    if (args.in) {
      log.info(
        `importing ${args.in} into the ${storage.kind} store${args.merge ? ' (merge)' : ''}: checking every line, then writing`,
      );
      summary = await importFile(storage, args.in, options);
    } else {
      log.info(`importing a CourtHive server's database into the ${storage.kind} store${args.merge ? ' (merge)' : ''}`);
      summary = await importFromCfs(storage, args.fromCfsPostgres!, options);
    }
  } catch (error) {
    if (error instanceof ImportError) throw new CliError(error.message);
    throw error;
  }
  for (const refusal of summary.refused) log.warn(`refused ${refusal.type}: ${refusal.reason}`);
  const verdict = summary.refused.length ? `done, ${summary.refused.length} refused` : 'done';
  return {
    output: `import into the ${storage.kind} store: ${verdict}\n${summary.format()}`,
    code: summary.refused.length ? 1 : 0,
  };
}
