import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { codeKey } from '../../src/auth/codes';
import { Mailer, type MailMessage } from '../../src/auth/mail/mailer';
import { BACKENDS, type TestApp } from '../support/app';
import { account, expectInvalid, login, post, startAccountsApp } from './helpers';

describe.each(BACKENDS)('forgot and reset password (%s)', (backend) => {
  let t: TestApp;
  let sent: MailMessage[];

  beforeAll(async () => {
    t = await startAccountsApp(backend, { PUBLIC_URL: 'https://tmx.example.com' });
    sent = [];
    vi.spyOn(t.app.get(Mailer), 'send').mockImplementation(async (message) => {
      sent.push(message);
    });
  });
  afterAll(() => t?.close());

  /** The code in the last mail to `email` (the mailer runs in the background). */
  async function codeSentTo(email: string): Promise<string> {
    await vi.waitFor(() => expect(sent.some((m) => m.to === email)).toBe(true));
    const text = sent.filter((m) => m.to === email).at(-1)!.text;
    return /reset code: ([0-9A-Z]+)/.exec(text)![1];
  }

  it('mails a code that resets the password once', async () => {
    const user = await account(t, { roles: ['client'] });
    const res = await post(t, '/auth/forgot-password', { email: user.email.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    const code = await codeSentTo(user.email);
    expect(sent.at(-1)!.text).toContain('https://tmx.example.com');

    const reset = await post(t, '/auth/reset-password', { email: user.email, code, password: 'brand new password' });
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ success: true });
    await login(t, user.email, 'brand new password');
    expect((await post(t, '/auth/login', { email: user.email, password: user.password })).status).toBe(401);

    const again = await post(t, '/auth/reset-password', { email: user.email, code, password: 'third password' });
    expect(again.body.error.code).toBe('ERR_INVALID_CODE');
    await login(t, user.email, 'brand new password');
  });

  it('answers success for an unknown email and sends nothing', async () => {
    const before = sent.length;
    const res = await post(t, '/auth/forgot-password', { email: 'nobody-here@example.com' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent.length).toBe(before);
  });

  it('refuses an expired code', async () => {
    const user = await account(t, { roles: ['client'] });
    await post(t, '/auth/forgot-password', { email: user.email });
    const code = await codeSentTo(user.email);
    const data = await t.storage.codes.peek('password-reset', codeKey(code));
    await t.storage.codes.put('password-reset', codeKey(code), data!, Date.now() - 1);
    const res = await post(t, '/auth/reset-password', { email: user.email, code, password: 'brand new password' });
    expect(res.body.error.code).toBe('ERR_INVALID_CODE');
    await login(t, user.email, user.password);
  });

  it("refuses another account's code without using it up", async () => {
    const owner = await account(t, { roles: ['client'] });
    const attacker = await account(t, { roles: ['client'] });
    await post(t, '/auth/forgot-password', { email: owner.email });
    const code = await codeSentTo(owner.email);
    const wrong = await post(t, '/auth/reset-password', { email: attacker.email, code, password: 'attacker password' });
    expect(wrong.body.error.code).toBe('ERR_INVALID_CODE');
    await login(t, attacker.email, attacker.password);

    const right = await post(t, '/auth/reset-password', { email: owner.email, code, password: 'owner new password' });
    expect(right.body).toEqual({ success: true });
  });

  it('refuses a wrong code and bad input', async () => {
    const user = await account(t, { roles: ['client'] });
    const res = await post(t, '/auth/reset-password', {
      email: user.email,
      code: 'WRONGCODE123',
      password: 'whatever pw',
    });
    expect(res.body.error.code).toBe('ERR_INVALID_CODE');
    expectInvalid(await post(t, '/auth/reset-password', { email: user.email, code: 'X', password: 'short' }));
    expectInvalid(await post(t, '/auth/reset-password', { email: user.email, password: 'long enough' }));
    expectInvalid(await post(t, '/auth/forgot-password', {}));
    expectInvalid(await post(t, '/auth/forgot-password', { email: { $ne: '' } }));
    await login(t, user.email, user.password);
  });
});
