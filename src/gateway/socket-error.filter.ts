import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { AppError, ErrorCode } from '../common/errors';

/**
 * Anything a handler did not answer itself becomes `exception { message, code }`. Unlike Nest's
 * default filter it never echoes the message back (payloads stay out of answers and logs).
 */
@Catch()
export class SocketErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Gateway');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    const client = ws.getClient<Socket>();
    const event = String(ws.getPattern() ?? '');
    if (exception instanceof AppError) {
      client.emit('exception', { ...exception.toBody(), event });
      return;
    }
    this.logger.error(`${event} failed: ${exception instanceof Error ? exception.message : String(exception)}`);
    client.emit('exception', { message: 'internal error', code: ErrorCode.INTERNAL, event });
  }
}
