import { Controller, Get, Module, Post } from '@nestjs/common';
import { createServiceApp } from '../bootstrap';
import { loadConfig, ServiceConfig } from '../config/service-config';
import { Public, Roles } from './access';

@Roles('analyst')
@Controller('orders')
class OrdersController {
  @Get(':id')
  get() {
    return {};
  }

  @Post()
  @Roles('sales_rep')
  create() {
    return {};
  }
}

@Controller('refunds')
class RefundsController {
  @Get()
  @Public()
  list() {
    return [];
  }

  @Post(':id/pay')
  pay() {
    return {};
  }
}

@Module({ controllers: [OrdersController, RefundsController] })
class ShopModule {}

const service = { name: 'shop', title: 'Shop', description: 'test', version: '0' };

describe('routes without a declared access', () => {
  it('keep the service from starting, each named', async () => {
    const config = loadConfig(ServiceConfig, { PORT: '1', LOG_LEVEL: 'error' });
    await expect(createServiceApp(ShopModule, service, config)).rejects.toThrow(
      'routes without @Roles, @Public or @PublicIf: POST /refunds/:id/pay (RefundsController.pay)',
    );
  });
});
