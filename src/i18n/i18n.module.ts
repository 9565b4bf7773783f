import { Module } from '@nestjs/common';
import { I18nController } from './i18n.controller';
import { Locales } from './locales';

/** `GET /i18n/manifest` and `GET /i18n/locales/:code`: the CourtHive clients' translations. */
@Module({ controllers: [I18nController], providers: [{ provide: Locales, useFactory: () => new Locales() }] })
export class I18nModule {}
