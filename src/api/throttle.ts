// Throttles of an API and of its routes, checked at synth: API Gateway takes a rate (requests per
// second) and a whole burst, both non-negative.
// @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
import { Token } from 'aws-cdk-lib';
import { validationError } from '../errors';

/** A throttle as given: `apigateway.ThrottleSettings`, or any object of the same shape. */
export interface RouteThrottle {
  readonly rateLimit?: number;
  readonly burstLimit?: number;
}

/** A checked throttle, in the stage's terms (`throttlingRateLimit`, `throttlingBurstLimit`). */
export interface StageThrottle {
  readonly throttlingRateLimit?: number;
  readonly throttlingBurstLimit?: number;
}

/**
 * Checks a throttle: a non-negative rate and/or a whole non-negative burst, literal numbers.
 *
 * @param where the construct path, for the message
 * @param what what the throttle is of, e.g. `throttle` or `route GET /orders throttle`
 */
export function checkThrottle(where: string, what: string, throttle: RouteThrottle): StageThrottle {
  const { rateLimit, burstLimit } = throttle;
  const bad = (v: number | undefined, integer: boolean) =>
    v !== undefined && (Token.isUnresolved(v) || typeof v !== 'number' || !(v >= 0) || (integer && !Number.isInteger(v)));
  if ((rateLimit === undefined && burstLimit === undefined) || bad(rateLimit, false) || bad(burstLimit, true)) {
    throw validationError('SecuredApi.UnusableThrottle', `${where}: ${what} ${JSON.stringify(throttle)} is not a usable throttle; pass a non-negative rateLimit (requests per second) and/or a whole non-negative burstLimit.`);
  }
  return {
    ...(rateLimit === undefined ? {} : { throttlingRateLimit: rateLimit }),
    ...(burstLimit === undefined ? {} : { throttlingBurstLimit: burstLimit }),
  };
}
