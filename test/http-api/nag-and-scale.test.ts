import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { routesOf } from './body-support';
import { ClaimRule, HttpMethod, OidcIssuer, SecuredApiRoute, SecuredHttpApi } from '../../src';
import { acknowledgements, nagFindings } from '../support/cdk';


const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });

function stackOf(): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } }) };
}

function handler(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });') });
}

describe('SecuredHttpApi and cdk-nag', () => {
  test('should leave no AwsSolutions finding on the API but the ones listed', () => {
    // GIVEN
    const { app, stack } = stackOf();
    const fn = handler(stack, 'Handler');
    new SecuredHttpApi(stack, 'Api', {
      issuer: ISSUER,
      routes: [
        { method: HttpMethod.GET, path: '/orders', handler: fn, scopes: ['orders:read'] },
        { method: HttpMethod.GET, path: '/orders/{id}', handler: fn, claimRules: [ClaimRule.equalTo('tenant', 'acme')] },
        { method: HttpMethod.GET, path: '/health', handler: fn, public: true },
      ],
    });

    // WHEN
    const findings = nagFindings(app).filter((f) => f.includes(' Orders/Api/'));

    // THEN: none. cdk-nag's APIG4 (routes without authorization) reads AWS::ApiGatewayV2::Route
    // resources, and the API has none: its routes are its OpenAPI definition (Body), which
    // SecuredHttpApi.RouteOpened reads as the template holds it, stricter than APIG4 (public: true
    // is the only way to open a route), so the public route needs no acknowledgement.
    expect(findings).toEqual([]);
    expect(acknowledgements(app).filter((a) => a.id === 'AwsSolutions-APIG4' && a.path.startsWith('Orders/Api/'))).toEqual([]);
  });
});

describe('SecuredHttpApi at 300 routes', () => {
  test('should fit 300 routes in one stack within CloudFormation\'s limits', () => {
    // GIVEN: 300 routes over 30 handlers, a third each public, JWT (scopes) and Lambda (claim rules)
    const { app, stack } = stackOf();
    const functions = Array.from({ length: 30 }, (_, i) => handler(stack, `Fn${i}`));
    const routes: SecuredApiRoute[] = Array.from({ length: 300 }, (_, i) => ({
      method: [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT][i % 3],
      path: `/collection${Math.floor(i / 30)}/items${Math.floor(i / 3) % 10}/{id}`,
      handler: functions[i % 30],
      ...(i % 3 === 0 ? { public: true } : i % 3 === 1 ? { scopes: [`c${Math.floor(i / 30)}:read`] } : { claimRules: [ClaimRule.equalTo('tenant', 'acme')] }),
    }));

    // WHEN
    new SecuredHttpApi(stack, 'Api', { issuer: ISSUER, routes });
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template;
    const bytes = Buffer.byteLength(JSON.stringify(template));
    const resources = Object.keys(template.Resources).length;

    // THEN: CloudFormation allows 500 resources and a 1 MB template (uploaded through S3)
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
    // The figures are printed for docs/http-api.md, not asserted beyond the limits.
    console.log(`SecuredHttpApi, 300 routes, 30 handlers: ${resources} resources, ${bytes} template bytes`);
    expect(resources).toBeLessThanOrEqual(500);
    expect(bytes).toBeLessThanOrEqual(1_000_000);
    // The routes are the API's OpenAPI definition, not resources.
    Template.fromJSON(template).resourceCountIs('AWS::ApiGatewayV2::Route', 0);
    expect(Object.keys(routesOf(template))).toHaveLength(300);
    expect(resources).toBeLessThan(200);
  });
});
