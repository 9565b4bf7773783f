import type { MailMessage } from './mailer';

function link(publicUrl: string | undefined, path: string): string | undefined {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}${path}` : undefined;
}

export function inviteMail(to: string, code: string, publicUrl?: string): MailMessage {
  const url = link(publicUrl, `/#/invite/${code}`);
  return {
    to,
    subject: 'Your Competition Factory invitation',
    text: [
      'You have been invited to Competition Factory.',
      url ? `Open ${url} to choose your password.` : `Your invitation code: ${code}`,
      'The invitation expires in 24 hours and works once.',
    ].join('\n'),
  };
}

export function resetMail(to: string, code: string, publicUrl?: string): MailMessage {
  const where = link(publicUrl, '');
  return {
    to,
    subject: 'Password reset code',
    text: [
      `A password reset was requested for ${to}.`,
      `Your reset code: ${code}`,
      'It expires in 1 hour and works once.' + (where ? ` Enter it at ${where}.` : ''),
      'If you did not ask for this, ignore this mail: your password stays unchanged.',
    ].join('\n'),
  };
}

/** The desk app signs in at `#/magic/<code>`, which posts the code to `/auth/magic/consume`. */
export function magicLinkMail(to: string, code: string, publicUrl?: string): MailMessage {
  const url = link(publicUrl, `/#/magic/${code}`);
  return {
    to,
    subject: 'Your Competition Factory sign-in link',
    text: [
      `A sign-in link was requested for ${to}.`,
      url ? `Open ${url} to sign in.` : `Your sign-in code: ${code} (open #/magic/${code} in the desk app)`,
      'The link expires in 15 minutes and works once.',
      'If you did not ask for this, ignore this mail: nobody can sign in without it.',
    ].join('\n'),
  };
}
