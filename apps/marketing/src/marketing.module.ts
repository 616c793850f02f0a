import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@crm/service-kit';
import { ConsentController } from './consent/consent.controller';
import { ConsentService } from './consent/consent.service';
import { MarketingConfig } from './marketing.config';

/** The marketing service: today the consent ledger (see README.md for what is not built yet). */
@Module({})
export class MarketingModule {
  static forRoot(config: MarketingConfig): DynamicModule {
    return {
      module: MarketingModule,
      imports: [
        PlatformModule.forRoot({
          context: 'marketing',
          config,
          schema: 'marketing',
          entities: [],
          migrations: [],
        }),
      ],
      controllers: [ConsentController],
      providers: [{ provide: MarketingConfig, useValue: config }, ConsentService],
    };
  }
}
