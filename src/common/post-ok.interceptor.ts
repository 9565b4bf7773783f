import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import type { Observable } from 'rxjs';

/**
 * Every handled POST answers 200 (clients check `status === 200`), not Nest's default 201.
 * Registered once for the whole app, so no route can forget it.
 */
@Injectable()
export class PostOkInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const response = context.switchToHttp().getResponse<Response>();
      if (response.statusCode === 201) response.status(200);
    }
    return next.handle();
  }
}
