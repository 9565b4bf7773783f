import { Logger } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type { AppConfig } from '../../config/config';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Sends account mail (invites, password resets). Injected by this class; `createMailer` picks one. */
export abstract class Mailer {
  abstract send(message: MailMessage): Promise<void>;
}

/**
 * The default with no SMTP_URL: writes mail to the log so sign-up and reset work with no mail
 * server. Outside production the whole text (with its code) is logged; in production only the
 * recipient and subject, since anyone who can read the logs could otherwise take over an account.
 */
export class LogMailer extends Mailer {
  private readonly logger = new Logger('Mailer');

  constructor(private readonly showText: boolean) {
    super();
  }

  async send(message: MailMessage): Promise<void> {
    if (this.showText) {
      this.logger.log(`mail to ${message.to}: ${message.subject}\n${message.text}`);
    } else {
      this.logger.warn(`mail to ${message.to} not delivered (set SMTP_URL): ${message.subject}`);
    }
  }
}

export class SmtpMailer extends Mailer {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    super();
    this.transport = createTransport(smtpUrl);
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.text });
  }

  close(): void {
    this.transport.close();
  }
}

export function createMailer(config: AppConfig): Mailer {
  if (config.mail.smtpUrl) return new SmtpMailer(config.mail.smtpUrl, config.mail.from);
  return new LogMailer(config.nodeEnv !== 'production');
}
