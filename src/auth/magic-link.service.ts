import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { Storage, type StoredUser } from '../storage/storage.types';
import { UsersService } from '../users/users.service';
import { codeKey, MAGIC_LINK_CODE_LENGTH, MAGIC_LINK_TTL_MS, newCode } from './codes';
import { Mailer } from './mail/mailer';
import { magicLinkMail } from './mail/messages';

interface MagicLink {
  email: string;
  userId: string;
}

/**
 * Passwordless sign-in: a single-use link mailed to the account's email. The code is stored only as
 * its hash and expires after 15 minutes; consuming it is atomic, so a link signs in once.
 */
@Injectable()
export class MagicLinkService {
  private readonly logger = new Logger(MagicLinkService.name);

  constructor(
    private readonly users: UsersService,
    private readonly storage: Storage,
    private readonly mailer: Mailer,
    private readonly config: AppConfig,
  ) {}

  /** Mails a link when the account exists; the caller answers the same either way. */
  async request(email: string): Promise<void> {
    const user = await this.users.get(email);
    if (!user) return;
    const code = newCode(MAGIC_LINK_CODE_LENGTH);
    const link: MagicLink = { email: user.email, userId: user.userId };
    await this.storage.codes.put('magic-link', codeKey(code), { ...link }, Date.now() + MAGIC_LINK_TTL_MS);
    const message = magicLinkMail(user.email, code, this.config.mail.publicUrl);
    // In the background: a slow mail server must not delay (or reveal) the answer.
    this.mailer.send(message).catch((error: unknown) => {
      this.logger.error(`mail to ${message.to} failed: ${(error as Error).message}`);
    });
  }

  /** The account a link signs in, using the link up; undefined for an unknown, used or expired code. */
  async consume(code: string): Promise<StoredUser | undefined> {
    const link = (await this.storage.codes.take('magic-link', codeKey(code))) as MagicLink | undefined;
    if (!link) return undefined;
    const user = await this.users.get(link.email);
    // An account removed (and perhaps made again) since the link was sent is not the one it names.
    return user?.userId === link.userId ? user : undefined;
  }
}
