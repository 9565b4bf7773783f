import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config/config';
import { openStorage } from '../storage/create-storage';
import { StorageUnavailableError } from '../storage/storage.types';
import { UsersService } from '../users/users.service';
import { CliError, COMMANDS } from './admin-commands';

const USAGE = `usage:
  pnpm admin:create --email <email> --password <password> [--provider-id <id>] [--roles a,b]
  pnpm admin:list
  pnpm admin:reset-password --email <email> --password <password>
  pnpm admin:set-roles --email <email> --roles a,b`;

/**
 * The admin command line. Reads the same environment and `.env` as the server and opens the same
 * store through the same code. Returns the exit code.
 */
export async function main(argv: string[]): Promise<number> {
  let command: keyof typeof COMMANDS;
  let values: Record<string, string | undefined>;
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        'provider-id': { type: 'string' },
        roles: { type: 'string' },
      },
    });
    const name = parsed.positionals[0];
    if (parsed.positionals.length !== 1 || !name || !(name in COMMANDS))
      throw new CliError(`unknown command ${name ?? ''}`);
    command = name as keyof typeof COMMANDS;
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
        throw new CliError(`${error.message}\nStop the server first, or manage users over HTTP (/auth/...).`);
      }
      throw error;
    });
    try {
      const args = {
        email: values.email,
        password: values.password,
        providerId: values['provider-id'],
        roles: values.roles,
      };
      console.log(await COMMANDS[command]({ users: new UsersService(storage), storage }, args));
      return 0;
    } finally {
      await storage.close();
    }
  } catch (error) {
    const plain = error instanceof CliError || error instanceof ConfigError || error instanceof StorageUnavailableError;
    console.error(plain ? `error: ${(error as Error).message}` : error);
    return 1;
  }
}
