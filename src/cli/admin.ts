import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config/config';
import { openStorage } from '../storage/create-storage';
import { StorageUnavailableError } from '../storage/storage.types';
import { UsersService } from '../users/users.service';
import { CliError, COMMANDS, type CliContext } from './admin-commands';
import type { CommandResult, TransferArgs } from './transfer-commands';

// Loaded when used: the other commands start without the export and import code.
const TRANSFER_COMMANDS = {
  export: async (context: CliContext, args: TransferArgs) =>
    (await import('./transfer-commands')).exportCommand(context, args),
  import: async (context: CliContext, args: TransferArgs) =>
    (await import('./transfer-commands')).importCommand(context, args),
};

const ALL = { ...COMMANDS, ...TRANSFER_COMMANDS };

/** The flags each command takes; another one is a usage error (not silently ignored). */
const FLAGS: Record<keyof typeof ALL, string[]> = {
  create: ['email', 'password', 'provider-id', 'roles'],
  list: [],
  'reset-password': ['email', 'password'],
  'set-roles': ['email', 'roles'],
  export: ['out'],
  import: ['in', 'merge', 'from-cfs-postgres'],
};

const USAGE = `usage:
  pnpm admin:create --email <email> --password <password> [--provider-id <id>] [--roles a,b]
  pnpm admin:list
  pnpm admin:reset-password --email <email> --password <password>
  pnpm admin:set-roles --email <email> --roles a,b
  pnpm admin:export [--out <file>[.gz] | --out -]
  pnpm admin:import --in <file> [--merge]
  pnpm admin:import --from-cfs-postgres <database-url> [--merge]`;

/**
 * The admin command line. Reads the same environment and `.env` as the server and opens the same
 * store through the same code. Returns the exit code.
 */
export async function main(argv: string[]): Promise<number> {
  let command: keyof typeof ALL;
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        'provider-id': { type: 'string' },
        roles: { type: 'string' },
        out: { type: 'string' },
        in: { type: 'string' },
        merge: { type: 'boolean' },
        'from-cfs-postgres': { type: 'string' },
      },
    });
    const name = parsed.positionals[0];
    if (parsed.positionals.length !== 1 || !name || !(name in ALL)) throw new CliError(`unknown command ${name ?? ''}`);
    command = name as keyof typeof ALL;
    const stray = Object.keys(parsed.values).filter((flag) => !FLAGS[command].includes(flag));
    if (stray.length) throw new CliError(`${name} takes no --${stray.join(', --')}`);
    values = parsed.values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }

  try {
    loadDotenv({ quiet: true });
    const config = loadConfig();
    const storage = await openStorage(config).catch((error: unknown) => {
      if (error instanceof StorageUnavailableError && /locked/i.test(error.message)) {
        throw new CliError(
          `${error.message}\nStop the server first, or use it over HTTP (/auth/... for users, GET /admin/export for an export).`,
        );
      }
      throw error;
    });
    try {
      const text = (flag: string) => values[flag] as string | undefined;
      const args = {
        email: text('email'),
        password: text('password'),
        providerId: text('provider-id'),
        roles: text('roles'),
        out: text('out'),
        in: text('in'),
        merge: values.merge === true,
        fromCfsPostgres: text('from-cfs-postgres'),
      };
      const context = { users: new UsersService(storage), storage, logLevel: config.logLevel };
      const result: string | CommandResult = await ALL[command](context, args);
      const { output, code } = typeof result === 'string' ? { output: result, code: 0 } : result;
      if (output !== undefined) console.log(output);
      return code;
    } finally {
      await storage.close();
    }
  } catch (error) {
    const plain = error instanceof CliError || error instanceof ConfigError || error instanceof StorageUnavailableError;
    console.error(plain ? `error: ${(error as Error).message}` : error);
    return 1;
  }
}
