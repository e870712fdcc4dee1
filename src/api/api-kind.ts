// What a kind of API Gateway API (a REST API today; an HTTP API with issue 19) supplies to the
// wiring of a secured API, behind small interfaces: the route set, its checks, the authorizer's
// route table and the readers' documents are shared; these parts are not.
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { RouteRecord } from './route-set';

/** Writes an API's definition from its routes (for a REST API: the OpenAPI body API Gateway imports). */
export interface IDefinitionWriter {
  /**
   * Checks what only this kind of API can tell of a route, when it is added (for a REST API: the
   * `http_proxy` integration of a non-Lambda backend).
   *
   * @param what `<construct path>: route <method> <resource>`, for messages
   */
  checkRoute(route: RouteRecord, what: string): void;

  /** The definition of the routes, read at synthesis (once every route is added). */
  definition(routes: readonly RouteRecord[]): { [key: string]: unknown };
}

/** A metric of an API's stage, by what it measures rather than by its name in one service's namespace. */
export enum StageMetric {
  /** Requests. */
  COUNT = 'count',
  /** Requests answered 4XX. */
  CLIENT_ERROR = 'clientError',
  /** Requests answered 5XX. */
  SERVER_ERROR = 'serverError',
  /** Time to answer a request. */
  LATENCY = 'latency',
  /** Time the backends took. */
  INTEGRATION_LATENCY = 'integrationLatency',
}

/** Makes the metrics of an API's stage: each kind of API publishes them under its own names and dimensions. */
export interface IStageMetrics {
  metric(metric: StageMetric, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}
