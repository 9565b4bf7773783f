import { Controller, Get, Logger, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../auth/decorators';
import { Storage } from '../storage/storage.types';
import { writeExport } from './export';

/**
 * `GET /admin/export`: the `pnpm admin:export` file, streamed from the running server, so a server
 * holding its LevelDB folder is backed up without downtime. Superadmins only: it holds password hashes.
 */
@Controller('admin')
export class ExportController {
  private readonly logger = new Logger(ExportController.name);

  constructor(private readonly storage: Storage) {}

  @Roles('superadmin')
  @Get('export')
  @ApiOperation({ summary: 'JSON Lines export of the whole store (format of pnpm admin:export); gzipped with ?gzip=1' })
  @ApiProduces('application/jsonl', 'application/gzip')
  async export(@Res() response: Response): Promise<void> {
    const gzip = ['1', 'true'].includes(String(response.req.query.gzip ?? ''));
    const name = `factory-export-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.jsonl${gzip ? '.gz' : ''}`;
    response.setHeader('Content-Type', gzip ? 'application/gzip' : 'application/jsonl; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    response.setHeader('Cache-Control', 'no-store');
    try {
      await writeExport(this.storage, response, { gzip });
    } catch (error) {
      // Headers are gone: the client sees a file without its end line, which an import refuses.
      this.logger.error(`export failed: ${(error as Error).message}`);
      response.destroy();
    }
  }
}
