import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import type { Response } from 'express';
import { notFound } from '@crm/decider';
import { CustomerIdParams, Public } from '@crm/service-kit';
import { AnalyticsConfig } from '../analytics.config';
import { PAGE_ASSETS } from './assets';
import { DASHBOARD_CLIENT_ID, pageCsp, pageHtml, type PageSettings } from './page';

export class AssetParams {
  @IsString()
  @Matches(/^[\w.-]{1,64}$/, { message: 'name must be an asset file name' })
  name!: string;
}

/**
 * The dashboard page for analysts and managers (`/dashboard`) and the customer 360 page
 * (`/dashboard/customer/:customerId`): public HTML and scripts holding no data. In the browser the
 * page signs in with the OpenID provider (authorization code + PKCE) and calls the REST queries
 * (`/dashboards/*`, `/customers/*`) with the bearer token, which decide who sees what. Not part
 * of the API: left out of the OpenAPI document.
 */
@ApiExcludeController()
@Public()
@Controller('dashboard')
export class DashboardPageController {
  private readonly settings: PageSettings;
  private readonly html: string;
  private readonly csp: string;

  constructor(config: AnalyticsConfig) {
    this.settings = {
      issuer: config.OIDC_ISSUER_URL.replace(/\/$/, ''),
      clientId: DASHBOARD_CLIENT_ID,
      audience: config.OIDC_AUDIENCE,
    };
    this.html = pageHtml(this.settings);
    this.csp = pageCsp(this.settings);
  }

  @Get()
  dashboards(@Res() res: Response) {
    this.page(res);
  }

  @Get('customer/:customerId')
  customer(@Param() _params: CustomerIdParams, @Res() res: Response) {
    this.page(res);
  }

  @Get('assets/:name')
  @Header('cache-control', 'no-cache')
  asset(@Param() { name }: AssetParams, @Res() res: Response) {
    const asset = Object.hasOwn(PAGE_ASSETS, name) ? PAGE_ASSETS[name] : undefined;
    if (!asset) throw notFound('ASSET_NOT_FOUND', 'no such file of the dashboard page', { name });
    res.type(asset.contentType).send(asset.body());
  }

  /** The page, under its own Content-Security-Policy (the API's forbids scripts). */
  private page(res: Response) {
    res
      .status(200)
      .set({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .setHeader('content-security-policy', this.csp);
    res.send(this.html);
  }
}
