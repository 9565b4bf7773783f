import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { expect } from 'vitest';
import type { Provider } from '../../src/storage/storage.types';
import { UsersService, type NewUser } from '../../src/users/users.service';
import { startTestApp, type Backend, type TestApp } from '../support/app';

/** Generous sign-in limits: these suites sign in often; test/auth/rate-limit.test.ts checks the limits. */
export const RELAXED_LIMITS = { LOGIN_LIMIT_PER_IP: '100000', LOGIN_LIMIT_PER_ACCOUNT: '100000' };

export function startAccountsApp(backend: Backend, env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp(backend, { ...RELAXED_LIMITS, ...env });
}

export function post(t: TestApp, path: string, body: unknown = {}, token?: string) {
  const req = request(t.url).post(path);
  if (token) req.set('Authorization', `Bearer ${token}`);
  return req.send(body as object);
}

export function get(t: TestApp, path: string, token?: string) {
  const req = request(t.url).get(path);
  if (token) req.set('Authorization', `Bearer ${token}`);
  return req;
}

export async function addProvider(t: TestApp, abbreviation = 'P' + randomUUID().slice(0, 6)): Promise<Provider> {
  const provider: Provider = {
    organisationId: randomUUID(),
    organisationAbbreviation: abbreviation,
    organisationName: `${abbreviation} Tennis`,
  };
  await t.storage.providers.create(provider);
  return provider;
}

export interface Account {
  email: string;
  password: string;
  token: string;
}

/** Stores a user with a real password hash, then signs in over HTTP. */
export async function account(t: TestApp, input: Partial<NewUser> & { roles: string[] }): Promise<Account> {
  const email = input.email ?? `${input.roles[0] ?? 'user'}-${randomUUID().slice(0, 8)}@example.com`;
  const password = input.password ?? 'correct horse battery';
  await t.app.get(UsersService).create({ ...input, email, password });
  return { email, password, token: await login(t, email, password) };
}

export async function login(t: TestApp, email: string, password: string): Promise<string> {
  const res = await post(t, '/auth/login', { email, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.token as string;
}

/** Asserts a 400 ERR_INVALID_INPUT answer. */
export function expectInvalid(res: request.Response): void {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe('ERR_INVALID_INPUT');
}
