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
