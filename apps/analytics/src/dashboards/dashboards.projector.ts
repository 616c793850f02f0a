import type { Projector } from '../projection/projector';
import { customerValueView } from './customer-value.dashboard';
import { funnelView, funnelVisitView } from './funnel.dashboard';
import { attributionView, marketingView } from './marketing.dashboard';
import { pipelineChangeView, pipelineView } from './pipeline.dashboard';
import { serviceCaseView } from './service.dashboard';

/**
 * The dashboards' SQL views of `analytics` over a generation's fact tables (README "Dashboards").
 * A projector with no tables and no handlers: the generation code creates its views with every
 * projector's, over the current generation, and again at each switch-over. Views depending on other
 * dashboard views come after them.
 */
export const dashboardsProjector: Projector = {
  name: 'dashboards',
  tables: () => [],
  views: (schema) => [
    funnelVisitView(schema),
    funnelView(),
    pipelineChangeView(schema),
    pipelineView(schema),
    serviceCaseView(schema),
    attributionView(schema),
    marketingView(schema),
    customerValueView(schema),
  ],
  handlers: {},
  erase: async () => undefined,
};
