import { Module } from '@nestjs/common';
import { ExportController } from './export.controller';

/** Moving data in and out: the export route (the CLI's import and export use `src/transfer` directly). */
@Module({ controllers: [ExportController] })
export class TransferModule {}
