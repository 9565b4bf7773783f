import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { TEST_JWT_SECRET } from '../support/app';
export { cli, type Run } from '../support/cli';

export function configOf(env: Record<string, string>): AppConfig {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JWT_SECRET: TEST_JWT_SECRET, ...env });
}

/** An export file's text, gunzipped when it is gzipped. */
export function exportText(path: string): string {
  const bytes = readFileSync(path);
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** An export's lines as objects. */
export function exportLinesOf(text: string): Array<Record<string, any>> {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, any>);
}

/** Signs in over HTTP; the token, or fails the test with the answer. */
export async function signIn(url: string, email: string, password: string): Promise<string> {
  const res = await request(url).post('/auth/login').send({ email, password });
  if (res.status !== 200 || !res.body.token)
    throw new Error(`sign-in of ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}
