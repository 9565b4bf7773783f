import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { codeKey } from '../../src/auth/codes';
import { Mailer, type MailMessage } from '../../src/auth/mail/mailer';
import { magicLinkMail } from '../../src/auth/mail/messages';
import { BACKENDS, startTestApp, type TestApp } from '../support/app';
import { account, addProvider, expectInvalid, get, post, startAccountsApp } from './helpers';

function decode(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
}

describe.each(BACKENDS)('magic-link sign-in (%s)', (backend) => {
  let t: TestApp;
  let sent: MailMessage[];

  beforeAll(async () => {
    t = await startAccountsApp(backend, { PUBLIC_URL: 'https://tmx.example.com/tmx/' });
    sent = [];
    vi.spyOn(t.app.get(Mailer), 'send').mockImplementation(async (message) => {
      sent.push(message);
    });
  });
  afterAll(() => t?.close());

  /** The code in the last link mailed to `email` (the mailer runs in the background). */
  async function codeSentTo(email: string): Promise<string> {
    await vi.waitFor(() => expect(sent.some((m) => m.to === email)).toBe(true));
    const text = sent.filter((m) => m.to === email).at(-1)!.text;
    return /#\/magic\/([0-9A-Z]+)/.exec(text)![1];
  }

  it('mails a link to TMX #/magic/:code that signs in once, with the token login gives', async () => {
    const provider = await addProvider(t);
    const user = await account(t, { roles: ['client'], providerId: provider.organisationId });
    const res = await post(t, '/auth/magic/request', { email: user.email.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    const code = await codeSentTo(user.email);
    expect(sent.at(-1)!.text).toContain(`https://tmx.example.com/tmx/#/magic/${code}`);
    // Stored only as its hash.
    expect(await t.storage.codes.peek('magic-link', code)).toBeUndefined();
    expect(await t.storage.codes.peek('magic-link', codeKey(code))).toMatchObject({ email: user.email });

    // TMX: consumeMagicLink(code) → status 200 and data.token → logIn({ data }).
    const consumed = await post(t, '/auth/magic/consume', { code });
    expect(consumed.status).toBe(200);
    expect(Object.keys(consumed.body)).toEqual(Object.keys((await post(t, '/auth/login', user)).body));
    expect(decode(consumed.body.token)).toMatchObject({
      email: user.email,
      roles: ['client'],
      providerId: provider.organisationId,
      provider: { organisationAbbreviation: provider.organisationAbbreviation },
    });
    expect((await get(t, '/auth/me', consumed.body.token)).body.email).toBe(user.email);

    const again = await post(t, '/auth/magic/consume', { code });
    expect(again.status).toBe(401);
    expect(again.body.token).toBeUndefined();
  });

  it('answers success for an unknown email and sends nothing', async () => {
    const before = sent.length;
    const res = await post(t, '/auth/magic/request', { email: 'nobody-here@example.com' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent.length).toBe(before);
  });

  it('refuses an expired code', async () => {
    const user = await account(t, { roles: ['client'] });
    await post(t, '/auth/magic/request', { email: user.email });
    const code = await codeSentTo(user.email);
    const data = await t.storage.codes.peek('magic-link', codeKey(code));
    await t.storage.codes.put('magic-link', codeKey(code), data!, Date.now() - 1);
    const res = await post(t, '/auth/magic/consume', { code });
    expect(res.status).toBe(401);
    expect(res.body.token).toBeUndefined();
  });

  it('refuses a link of an account removed since, and an unknown code', async () => {
    const user = await account(t, { roles: ['client'] });
    await post(t, '/auth/magic/request', { email: user.email });
    const code = await codeSentTo(user.email);
    await t.storage.users.remove(user.email);
    await account(t, { roles: ['client'], email: user.email });
    expect((await post(t, '/auth/magic/consume', { code })).status).toBe(401);
    expect((await post(t, '/auth/magic/consume', { code: 'WRONGCODE0000000000000000' })).status).toBe(401);
  });

  it('signs in exactly once when two consumes race with one code', async () => {
    const user = await account(t, { roles: ['client'] });
    await post(t, '/auth/magic/request', { email: user.email });
    const code = await codeSentTo(user.email);
    const results = await Promise.all(Array.from({ length: 5 }, () => post(t, '/auth/magic/consume', { code })));
    expect(results.filter((r) => r.status === 200 && r.body.token)).toHaveLength(1);
  });

  it('refuses bad input', async () => {
    expectInvalid(await post(t, '/auth/magic/request', {}));
    expectInvalid(await post(t, '/auth/magic/request', { email: { $ne: '' } }));
    expectInvalid(await post(t, '/auth/magic/consume', {}));
    expectInvalid(await post(t, '/auth/magic/consume', { code: 'x'.repeat(500) }));
  });
});

describe('magic-link limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('leveldb', { LOGIN_LIMIT_PER_IP: '3', LOGIN_LIMIT_PER_ACCOUNT: '2' });
    vi.spyOn(t.app.get(Mailer), 'send').mockResolvedValue(undefined);
  });
  afterAll(() => t?.close());

  it('rate-limits requests per account and consumes per client, like the other sign-in routes', async () => {
    const requests = [];
    for (let i = 0; i < 3; i++)
      requests.push((await post(t, '/auth/magic/request', { email: 'a@example.com' })).status);
    expect(requests).toEqual([200, 200, 429]);
    const consumes = [];
    for (let i = 0; i < 4; i++) consumes.push((await post(t, '/auth/magic/consume', { code: `GUESS${i}` })).status);
    expect(consumes).toEqual([401, 401, 401, 429]);
  });

  it('writes the link, or the code when no PUBLIC_URL is set', () => {
    expect(magicLinkMail('a@example.com', 'CODE1', 'https://tmx.example.com/').text).toContain(
      'https://tmx.example.com/#/magic/CODE1',
    );
    const plain = magicLinkMail('a@example.com', 'CODE2').text;
    expect(plain).toContain('CODE2');
    expect(plain).toContain('15 minutes');
  });
});
