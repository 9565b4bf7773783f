import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Logger } from '@nestjs/common';
import { createMailer, LogMailer, SmtpMailer } from '../../src/auth/mail/mailer';
import { inviteMail, resetMail } from '../../src/auth/mail/messages';
import { loadConfig } from '../../src/config/config';

/** Just enough of an SMTP server to accept one message at a time and keep its DATA. */
function fakeSmtp(): Promise<{ server: Server; port: number; messages: string[] }> {
  const messages: string[] = [];
  const server = createServer((socket) => {
    let buffer = '';
    let inData = false;
    socket.write('220 fake ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let index: number;
      while ((index = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            socket.write('250 queued\r\n');
          } else {
            messages[messages.length - 1] += line + '\n';
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 fake\r\n');
        else if (verb === 'DATA') {
          inData = true;
          messages.push('');
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, messages })),
  );
}

describe('mailer', () => {
  let smtp: Awaited<ReturnType<typeof fakeSmtp>>;
  beforeAll(async () => {
    smtp = await fakeSmtp();
  });
  afterAll(() => new Promise<void>((resolve) => smtp.server.close(() => resolve())));

  it('delivers through SMTP_URL with MAIL_FROM', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: 'x'.repeat(32),
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_FROM: 'Factory <factory@example.com>',
    });
    const mailer = createMailer(config);
    expect(mailer).toBeInstanceOf(SmtpMailer);
    await mailer.send(resetMail('user@example.com', 'ABC123DEF456'));
    (mailer as SmtpMailer).close();
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]).toContain('From: Factory <factory@example.com>');
    expect(smtp.messages[0]).toContain('To: user@example.com');
    expect(smtp.messages[0]).toContain('ABC123DEF456');
  });

  it('without SMTP_URL logs the mail: the whole text outside production, never the code in production', async () => {
    const log = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const dev = createMailer(loadConfig({ NODE_ENV: 'development', JWT_SECRET: 'x'.repeat(32) }));
      expect(dev).toBeInstanceOf(LogMailer);
      await dev.send(resetMail('user@example.com', 'DEVCODE00001'));
      expect(log.mock.calls.flat().join(' ')).toContain('DEVCODE00001');

      const prod = createMailer(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }));
      await prod.send(resetMail('user@example.com', 'PRODCODE0001'));
      const prodLines = warn.mock.calls.flat().join(' ');
      expect(prodLines).toContain('user@example.com');
      expect(prodLines).not.toContain('PRODCODE0001');
      expect(log.mock.calls.flat().join(' ')).not.toContain('PRODCODE0001');
    } finally {
      log.mockRestore();
      warn.mockRestore();
    }
  });

  it('writes invite links under PUBLIC_URL, or the bare code without it', () => {
    expect(inviteMail('a@example.com', 'CODE', 'https://tmx.example.com/').text).toContain(
      'https://tmx.example.com/#/invite/CODE',
    );
    expect(inviteMail('a@example.com', 'CODE').text).toContain('Your invitation code: CODE');
  });
});
