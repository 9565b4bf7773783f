import { z } from 'zod';
import { ROLES } from '../auth/auth-user';
import { newPassword } from '../auth/passwords';
import { DuplicateKeyError, type Storage } from '../storage/storage.types';
import type { UsersService } from '../users/users.service';
import { textTable } from '../common/text-table';

/** A refusal the operator can fix; printed as one plain line. */
export class CliError extends Error {
  override name = 'CliError';
}

export interface CliArgs {
  email?: string;
  password?: string;
  providerId?: string;
  roles?: string;
}

export interface CliContext {
  users: UsersService;
  storage: Storage;
  /** LOG_LEVEL, for commands that log as they go. */
  logLevel?: string;
}

const email = z.string().trim().toLowerCase().max(254).pipe(z.email());

function required(value: string | undefined, flag: string): string {
  if (!value) throw new CliError(`--${flag} is required`);
  return value;
}

function parseEmail(value: string | undefined): string {
  const parsed = email.safeParse(required(value, 'email'));
  if (!parsed.success) throw new CliError(`--email: not an email address: ${value}`);
  return parsed.data;
}

function parsePassword(value: string | undefined): string {
  const parsed = newPassword.safeParse(required(value, 'password'));
  if (!parsed.success) throw new CliError(`--password: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

export function parseRoles(value: string): string[] {
  const roles = [
    ...new Set(
      value
        .split(',')
        .map((role) => role.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length) throw new CliError(`unknown role ${unknown.join(', ')}; roles are: ${ROLES.join(', ')}`);
  if (!roles.length) throw new CliError('--roles: name at least one role');
  return roles;
}

/** `admin:create`: a superadmin unless `--roles` says otherwise. */
export async function createUser({ users, storage }: CliContext, args: CliArgs): Promise<string> {
  const address = parseEmail(args.email);
  const password = parsePassword(args.password);
  const roles = args.roles === undefined ? ['superadmin'] : parseRoles(args.roles);
  const providerId = args.providerId?.trim() || undefined;
  if (providerId && !(await storage.providers.get(providerId))) throw new CliError(`no provider with id ${providerId}`);
  try {
    await users.create({ email: address, password, roles, providerId });
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw new CliError(`a user with email ${address} already exists`);
    throw error;
  }
  return `created ${address} (roles: ${roles.join(', ')}${providerId ? `; provider: ${providerId}` : ''})`;
}

export async function listUsers({ users }: CliContext): Promise<string> {
  const all = (await users.list()).sort((a, b) => a.email.localeCompare(b.email));
  if (!all.length) return 'no users';
  const rows = [
    ['EMAIL', 'ROLES', 'PROVIDER', 'NAME'],
    ...all.map((user) => [
      user.email,
      user.roles.join(',') || '-',
      user.providerId ?? '-',
      [user.firstName, user.lastName].filter(Boolean).join(' ') || '-',
    ]),
  ];
  return textTable(rows);
}

export async function resetPassword({ users }: CliContext, args: CliArgs): Promise<string> {
  const address = parseEmail(args.email);
  const password = parsePassword(args.password);
  const user = await users.get(address);
  if (!user || !(await users.setPassword(user, password))) throw new CliError(`no user with email ${address}`);
  return `password changed for ${address}`;
}

export async function setRoles({ users }: CliContext, args: CliArgs): Promise<string> {
  const address = parseEmail(args.email);
  const roles = parseRoles(required(args.roles, 'roles'));
  const user = await users.get(address);
  if (!user || !(await users.update(user, { roles }))) throw new CliError(`no user with email ${address}`);
  return `roles of ${address}: ${roles.join(', ')}`;
}

export const COMMANDS = {
  create: createUser,
  list: listUsers,
  'reset-password': resetPassword,
  'set-roles': setRoles,
} as const;
