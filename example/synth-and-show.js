// Synthesizes example/app.ts into example/cdk.out (offline) and prints what it produced: stacks,
// resource counts by type and the size of the REST API's OpenAPI definition, every route with its authorization (for
// an HTTP API, which authorizer guards it, native JWT or Lambda, and why, from its access review), the authorizers' config.json, every
// role that federates identities (AssumeRoleWith*): who may assume it and what it may do, and the
// monitoring: dashboards (with where to open them), alarms, and saved audit queries, and where each
// SecuredApi's access review was written (the files to review in a pull request, docs/audit.md).
// Run with `npx projen example` (which bundles the authorizer first).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const OUTDIR = path.join(__dirname, 'cdk.out');

function synth() {
  fs.rmSync(OUTDIR, { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join(__dirname, 'app.ts')], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      CDK_OUTDIR: OUTDIR,
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      CDK_DISABLE_VERSION_CHECK: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
  if (result.status !== 0) {
    console.error(`example/app.ts failed to synthesize (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Whether a template fragment refers to the logical ID `id`: Ref, Fn::GetAtt, or `${id}` / `${id.Attr}` in an Fn::Sub. */
function refersTo(value, id) {
  if (Array.isArray(value)) return value.some((v) => refersTo(v, id));
  if (!value || typeof value !== 'object') return false;
  if (value.Ref === id || [].concat(value['Fn::GetAtt'] || [])[0] === id) return true;
  const sub = [].concat(value['Fn::Sub'] || [])[0];
  if (typeof sub === 'string' && [...sub.matchAll(/\$\{([^}!][^}]*)\}/g)].some(([, name]) => name === id || name.startsWith(`${id}.`))) return true;
  return Object.values(value).some((v) => refersTo(v, id));
}

/** The RestApis imported from an OpenAPI definition in the template (SecuredApi's SpecRestApi): [id, body]. */
function definitions(resources) {
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::ApiGateway::RestApi' && r.Properties.Body && typeof r.Properties.Body === 'object')
    .map(([id, r]) => [id, r.Properties.Body]);
}

/** API Gateway's key for an ANY method in an OpenAPI path item; the other operation keys are the methods in lower case. */
const ANY_METHOD_KEY = 'x-amazon-apigateway-any-method';
const METHOD_KEYS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

/** The resource path of a method, from its AWS::ApiGateway::Resource chain. */
function resourcePath(resources, method) {
  const parts = [];
  let ref = method.Properties.ResourceId && method.Properties.ResourceId.Ref;
  while (ref && resources[ref] && resources[ref].Type === 'AWS::ApiGateway::Resource') {
    parts.unshift(resources[ref].Properties.PathPart);
    ref = resources[ref].Properties.ParentId.Ref;
  }
  return '/' + parts.join('/');
}

/** The authorizer functions' config.json files: functions whose asset folder holds one. */
function authorizerConfigs(resources) {
  const found = [];
  for (const [id, r] of Object.entries(resources)) {
    const key = r.Type === 'AWS::Lambda::Function' && r.Properties.Code && r.Properties.Code.S3Key;
    if (typeof key !== 'string') continue;
    const dir = path.join(OUTDIR, `asset.${key.replace(/\.zip$/, '')}`);
    const file = path.join(dir, 'config.json');
    if (fs.existsSync(file)) {
      found.push({ id, dir, file, bytes: fs.statSync(file).size, config: JSON.parse(fs.readFileSync(file, 'utf8')) });
    }
  }
  return found;
}

/**
 * Every route of the template's REST APIs with its authorization: the operations of OpenAPI
 * definitions (`security: []` public, `[{ scheme: [] }]` that scheme's Lambda authorizer) and the
 * AWS::ApiGateway::Method resources. Scopes and claim rules come from the route table (config.json)
 * of the authorizer function that the scheme or AWS::ApiGateway::Authorizer invokes.
 */
function routes(resources, configs) {
  const guard = (name, type, uri, route) => {
    const config = configs.find((c) => refersTo(uri, c.id));
    const r = config && config.config.routes.find((x) => `${x.method} ${x.resource}` === route);
    const scopes = r ? (r.scopes.length ? `scopes any of [${r.scopes.join(', ')}]` : 'any valid token') : 'NOT IN ROUTE TABLE';
    const rules = r && r.claimRules.length ? `, claims ${r.claimRules.map((x) => `${x.claim} ${x.op} ${x.value ?? JSON.stringify(x.values)}`).join(' and ')}` : '';
    return `authorizer ${name} (${type}): ${scopes}${rules}`;
  };
  const rows = [];
  for (const [, body] of definitions(resources)) {
    const schemes = (body.components && body.components.securitySchemes) || {};
    for (const [resource, item] of Object.entries(body.paths || {})) {
      for (const [key, op] of Object.entries(item)) {
        const method = key === ANY_METHOD_KEY ? 'ANY' : METHOD_KEYS.includes(key) ? key.toUpperCase() : undefined;
        if (!method) continue;
        const route = `${method} ${resource}`;
        const security = op.security;
        const names = Array.isArray(security) && security.length === 1 ? Object.keys(security[0]) : [];
        const authorizer = names.length === 1 && schemes[names[0]] && schemes[names[0]]['x-amazon-apigateway-authorizer'];
        let auth;
        if (Array.isArray(security) && security.length === 0) {
          auth = 'public';
        } else if (authorizer && security[0][names[0]].length === 0) {
          auth = guard(names[0], authorizer.type, authorizer.authorizerUri, route);
        } else {
          auth = `security ${JSON.stringify(security)}`;
        }
        rows.push([route, auth]);
      }
    }
  }
  for (const m of Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Method')) {
    const route = `${m.Properties.HttpMethod} ${resourcePath(resources, m)}`;
    const type = m.Properties.AuthorizationType || 'NONE';
    if (type === 'NONE') {
      rows.push([route, 'public']);
    } else if (type === 'CUSTOM') {
      const authorizer = resources[m.Properties.AuthorizerId.Ref];
      rows.push([route, guard(m.Properties.AuthorizerId.Ref, authorizer.Properties.Type, authorizer.Properties.AuthorizerUri, route)]);
    } else {
      rows.push([route, type]);
    }
  }
  return rows.sort((a, b) => a[0].split(' ')[1].localeCompare(b[0].split(' ')[1]) || a[0].localeCompare(b[0]));
}

/**
 * The routes and authorizers of the HTTP APIs imported from an OpenAPI definition (a SecuredHttpApi's
 * `Body`), in the shape of Route and Authorizer resources (`AuthorizerId.Ref` names the security
 * scheme), so that httpRoutes reads both.
 */
function routesOfDefinitions(resources) {
  const out = {};
  const METHODS = { get: 'GET', put: 'PUT', post: 'POST', delete: 'DELETE', options: 'OPTIONS', head: 'HEAD', patch: 'PATCH', 'x-amazon-apigateway-any-method': 'ANY' };
  for (const [apiId, api] of Object.entries(resources)) {
    const body = api.Type === 'AWS::ApiGatewayV2::Api' && api.Properties && api.Properties.Body;
    if (!body) continue;
    const schemes = (body.components && body.components.securitySchemes) || {};
    for (const [name, scheme] of Object.entries(schemes)) {
      const a = scheme['x-amazon-apigateway-authorizer'] || {};
      out[`${apiId}/${name}`] = {
        Type: 'AWS::ApiGatewayV2::Authorizer',
        Properties: {
          JwtConfiguration: a.jwtConfiguration && { Issuer: a.jwtConfiguration.issuer, Audience: a.jwtConfiguration.audience },
          AuthorizerUri: a.authorizerUri,
          AuthorizerPayloadFormatVersion: a.authorizerPayloadFormatVersion,
        },
      };
    }
    for (const [path, item] of Object.entries(body.paths || {})) {
      for (const [key, op] of Object.entries(item)) {
        if (!METHODS[key]) continue;
        const [requirement] = op.security || [];
        const [name, scopes] = requirement ? Object.entries(requirement)[0] || [] : [];
        const type = name && (schemes[name] || {})['x-amazon-apigateway-authorizer'];
        out[`${apiId}/${key} ${path}`] = {
          Type: 'AWS::ApiGatewayV2::Route',
          Properties: {
            ApiId: { Ref: apiId },
            RouteKey: `${METHODS[key]} ${path}`,
            AuthorizationType: !name ? 'NONE' : type && type.type === 'jwt' ? 'JWT' : 'CUSTOM',
            AuthorizerId: name ? { Ref: `${apiId}/${name}` } : undefined,
            AuthorizationScopes: scopes,
          },
        };
      }
    }
  }
  return out;
}

/**
 * Every route of the template's HTTP APIs (AWS::ApiGatewayV2::Route, or an operation of the API's OpenAPI definition) with its authorization: public,
 * API Gateway's native JWT authorizer (issuer, audiences, the route's scopes), or the Lambda authorizer
 * (scopes and claim rules from its function's config.json); and why that authorizer, from the API's
 * access review (`authorizerReason`), which the template does not hold.
 */
function httpRoutes(templateResources, configs, paths, reviews) {
  const resources = { ...templateResources, ...routesOfDefinitions(templateResources) };
  const byApi = new Map();
  for (const [, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::ApiGatewayV2::Route') continue;
    const apiId = r.Properties.ApiId && r.Properties.ApiId.Ref;
    const apiPath = paths.get(apiId) || apiId;
    const review = reviews.find((x) => x.api.path === apiPath);
    const [method, resource] = r.Properties.RouteKey.split(' ');
    const reviewed = review && review.routes.find((x) => x.method === method && x.path === resource);
    const why = !reviewed ? '; NOT IN THE ACCESS REVIEW' : reviewed.authorizer === 'none' ? '' : `\n      why ${reviewed.authorizer}: ${reviewed.authorizerReason}`;
    const type = r.Properties.AuthorizationType || 'NONE';
    const authorizer = r.Properties.AuthorizerId && resources[r.Properties.AuthorizerId.Ref];
    let auth;
    if (type === 'NONE') {
      auth = 'public';
    } else if (type === 'JWT' && authorizer) {
      const scopes = list(r.Properties.AuthorizationScopes);
      const jwt = authorizer.Properties.JwtConfiguration;
      auth = `native JWT authorizer (issuer ${compact(jwt.Issuer)}, audiences ${list(jwt.Audience).map(compact).join(', ')}): ${scopes.length ? `scopes any of [${scopes.join(', ')}]` : 'any valid token'}`;
    } else if (type === 'CUSTOM' && authorizer) {
      const config = configs.find((c) => refersTo(authorizer.Properties.AuthorizerUri, c.id));
      const x = config && config.config.routes.find((route) => `${route.method} ${route.resource}` === r.Properties.RouteKey);
      const scopes = x ? (x.scopes.length ? `scopes any of [${x.scopes.join(', ')}]` : 'any valid token') : 'NOT IN ROUTE TABLE';
      const rules = x && x.claimRules.length ? `, claims ${x.claimRules.map((c) => `${c.claim} ${c.op} ${c.value ?? JSON.stringify(c.values)}`).join(' and ')}` : '';
      auth = `Lambda authorizer (payload ${authorizer.Properties.AuthorizerPayloadFormatVersion}): ${scopes}${rules}`;
    } else {
      auth = `${type} with an authorizer not in the stack`;
    }
    if (!byApi.has(apiPath)) byApi.set(apiPath, []);
    byApi.get(apiPath).push([r.Properties.RouteKey, auth + why]);
  }
  for (const rows of byApi.values()) {
    rows.sort((a, b) => a[0].split(' ')[1].localeCompare(b[0].split(' ')[1]) || a[0].localeCompare(b[0]));
  }
  return byApi;
}

/** A template value, compact: `X` for a Ref, `X.Arn` for a GetAtt, joins joined. */
function compact(value) {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(compact).join(', ');
  if (value && typeof value === 'object') {
    if (value.Ref) return value.Ref.startsWith('AWS::') ? `{${value.Ref}}` : value.Ref;
    if (value['Fn::GetAtt']) return [].concat(value['Fn::GetAtt']).join('.');
    if (value['Fn::Join']) return value['Fn::Join'][1].map(compact).join(value['Fn::Join'][0]);
  }
  return JSON.stringify(value);
}

const list = (value) => [].concat(value === undefined ? [] : value);

/**
 * Roles whose trust policy allows sts:AssumeRoleWith*, with the statements of their inline
 * policies and of the AWS::IAM::Policy resources attached to them.
 */
function federatedRoles(resources) {
  const roles = [];
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const trust = list(r.Properties.AssumeRolePolicyDocument && r.Properties.AssumeRolePolicyDocument.Statement)
      .filter((s) => list(s.Action).some((a) => /^sts:AssumeRoleWith/.test(a)));
    if (trust.length === 0) continue;
    const policies = list(r.Properties.Policies).map((p) => p.PolicyDocument);
    for (const p of Object.values(resources)) {
      if (p.Type === 'AWS::IAM::Policy' && list(p.Properties.Roles).some((role) => role.Ref === id)) policies.push(p.Properties.PolicyDocument);
    }
    const grants = policies.flatMap((doc) => list(doc.Statement));
    roles.push({ id, role: r, trust, grants });
  }
  return roles;
}

/** Construct paths by logical ID, from the stack's metadata in the cloud assembly. */
function constructPaths(artifact) {
  const metadata = artifact.additionalMetadataFile
    ? JSON.parse(fs.readFileSync(path.join(OUTDIR, artifact.additionalMetadataFile), 'utf8'))
    : artifact.metadata || {};
  const paths = new Map();
  for (const [constructPath, entries] of Object.entries(metadata)) {
    // The L2 construct's path: CfnRole `Deploy/Resource/Resource` is FederatedRole `Deploy`.
    for (const e of entries) if (e.type === 'aws:cdk:logicalId') paths.set(e.data, constructPath.replace(/^\//, '').replace(/(\/Resource)+$/, ''));
  }
  return paths;
}

function showFederatedRoles(resources, paths) {
  const roles = federatedRoles(resources);
  if (roles.length === 0) return;
  console.log('\n  Federated roles:');
  for (const { id, role, trust, grants } of roles) {
    console.log(`    ${paths.get(id) || id} (${id}${role.Properties.Path ? `, IAM path ${role.Properties.Path}` : ''})`);
    for (const s of trust) {
      const provider = resources[s.Principal.Federated.Ref] || resources[[].concat(s.Principal.Federated['Fn::GetAtt'])[0]];
      const url = provider && (provider.Properties.Url || provider.Properties.Name);
      const by = `${compact(s.Principal.Federated)}${url ? ` (${compact(url)})` : ''}`;
      console.log(`      ${s.Effect === 'Allow' ? 'trusts' : s.Effect}  ${list(s.Action).join(', ')} by ${by}, if`);
      const rows = Object.entries(s.Condition || {}).flatMap(([op, keys]) => Object.entries(keys).map(([key, values]) => [op, key, list(values).map(compact).join(' | ')]));
      const widths = [0, 1].map((i) => Math.max(...rows.map((row) => row[i].length)));
      for (const [op, key, values] of rows) console.log(`        ${op.padEnd(widths[0])}  ${key.padEnd(widths[1])}  ${values}`);
      if (rows.length === 0) console.log('        (no conditions)');
    }
    for (const s of grants) {
      const on = s.Resource === undefined ? `NOT ${list(s.NotResource).map(compact).join(', ')}` : list(s.Resource).map(compact).join(', ');
      const actions = s.Action === undefined ? `NOT ${list(s.NotAction).join(', ')}` : list(s.Action).join(', ');
      console.log(`      ${s.Effect === 'Allow' ? 'may' : 'may not'}  ${actions}  on ${on}`);
    }
    for (const arn of list(role.Properties.ManagedPolicyArns)) console.log(`      managed policy  ${compact(arn)}`);
    if (grants.length === 0 && list(role.Properties.ManagedPolicyArns).length === 0) console.log('      may  nothing yet');
  }
}

/** An alarm by its API and name (`Orders/ServerErrorRate`): two APIs of a stack have alarms of the same names. */
function alarmName(constructPath) {
  const parts = constructPath.split('/');
  return parts.length > 3 ? `${parts[1]}/${parts[parts.length - 1]}` : parts[parts.length - 1];
}

/** Dashboards, alarms (threshold and what each compares) and saved queries of a template. */
function showMonitoring(resources, paths, environment) {
  const of = (type) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const dashboards = of('AWS::CloudWatch::Dashboard');
  const alarms = of('AWS::CloudWatch::Alarm');
  const composites = of('AWS::CloudWatch::CompositeAlarm');
  const queries = of('AWS::Logs::QueryDefinition');
  if (dashboards.length + alarms.length + composites.length + queries.length === 0) return;
  const region = (/^aws:\/\/[^/]+\/(.+)$/.exec(environment || '') || [])[1] || '<region>';
  console.log('\n  Monitoring:');
  for (const [id, d] of dashboards) {
    const widgets = (JSON.stringify(d.Properties.DashboardBody).match(/\\"type\\":/g) || []).length;
    const name = d.Properties.DashboardName || `<generated name of ${id}>`;
    console.log(`    dashboard ${paths.get(id) || id}: ${widgets} widgets; after deploy: https://console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${name}`);
  }
  for (const [id, a] of alarms) {
    const what = a.Properties.MetricName ? `${a.Properties.MetricName} ${a.Properties.ExtendedStatistic || a.Properties.Statistic}` : 'metric math';
    const op = { GreaterThanThreshold: '>', GreaterThanOrEqualToThreshold: '>=', LessThanThreshold: '<', LessThanOrEqualToThreshold: '<=' }[a.Properties.ComparisonOperator] || a.Properties.ComparisonOperator;
    const window = `${a.Properties.DatapointsToAlarm || a.Properties.EvaluationPeriods} of ${a.Properties.EvaluationPeriods}`;
    console.log(`    alarm ${alarmName(paths.get(id) || id)}: ${what} ${op} ${a.Properties.Threshold}, ${window} periods, missing data ${a.Properties.TreatMissingData}`);
  }
  for (const [id] of composites) console.log(`    composite alarm ${alarmName(paths.get(id) || id)}: any of the authorizer alarms is in ALARM`);
  for (const [, q] of queries) console.log(`    saved query ${compact(q.Properties.Name)}`);
}

/** The access reviews the SecuredApis and SecuredHttpApis of the stack wrote beside its template: `<stack>.<api>.access-review.{json,md}`. */
function accessReviewFiles(stackName) {
  return fs.readdirSync(OUTDIR).filter((f) => f.startsWith(`${stackName}.`) && f.endsWith('.access-review.json')).sort();
}

function accessReviews(stackName) {
  return accessReviewFiles(stackName).map((file) => JSON.parse(fs.readFileSync(path.join(OUTDIR, file), 'utf8')));
}

function showAccessReviews(stackName) {
  for (const file of accessReviewFiles(stackName)) {
    const review = JSON.parse(fs.readFileSync(path.join(OUTDIR, file), 'utf8'));
    const markdown = path.relative(ROOT, path.join(OUTDIR, file.replace(/\.json$/, '.md')));
    console.log(`\n  Access review of ${review.api.path}: ${markdown} (and .json)`);
    // An HTTP API's review says which authorizer guards each route (a REST API's are all the Lambda authorizer).
    const count = (kind) => review.routes.filter((r) => r.authorizer === kind).length;
    const authorizers = review.api.kind === 'HTTP' ? ` (${count('native JWT')} native JWT, ${count('Lambda')} Lambda, ${count('none')} public)` : '';
    console.log(`    ${review.api.kind || 'REST'} API, ${review.routes.length} routes${authorizers}, ${review.callerRoles.length} caller roles, ${review.acceptedRisksAndSkippedChecks.length} accepted risks and skipped checks, `
      + `${review.federatedRolesInApp.length} federated roles in the app (${review.federatedRolesInApp.filter((r) => r.openFindings.length > 0).length} with open findings)`);
  }
}

function show(ms) {
  const manifest = JSON.parse(fs.readFileSync(path.join(OUTDIR, 'manifest.json'), 'utf8'));
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  console.log(`Synthesized ${stacks.length} stack(s) into ${path.relative(ROOT, OUTDIR)} in ${Math.round(ms)} ms`);

  for (const [name, artifact] of stacks) {
    const template = JSON.parse(fs.readFileSync(path.join(OUTDIR, artifact.properties.templateFile), 'utf8'));
    const resources = template.Resources;
    const sizes = definitions(resources).map(([id, body]) => `REST API definition ${id}: ${Buffer.byteLength(JSON.stringify(body))} bytes`);
    console.log(`\nStack ${name}: ${Object.keys(resources).length} resources${sizes.map((x) => `, ${x}`).join('')}`);
    const counts = {};
    for (const r of Object.values(resources)) counts[r.Type] = (counts[r.Type] || 0) + 1;
    for (const [type, n] of Object.entries(counts).sort()) console.log(`  ${String(n).padStart(4)}  ${type}`);

    const configs = authorizerConfigs(resources);
    console.log('\n  REST API routes:');
    const rows = routes(resources, configs);
    const width = Math.max(...rows.map((r) => r[0].length));
    for (const [route, auth] of rows) console.log(`    ${route.padEnd(width)}  ${auth}`);

    // An HTTP API's routes, each with the authorizer guarding it and why (from its access review).
    for (const [apiPath, httpRows] of httpRoutes(resources, configs, constructPaths(artifact), accessReviews(name))) {
      console.log(`\n  HTTP API ${apiPath} routes:`);
      const w = Math.max(...httpRows.map((r) => r[0].length));
      for (const [route, auth] of httpRows) console.log(`    ${route.padEnd(w)}  ${auth}`);
    }

    for (const c of configs) {
      const fn = resources[c.id];
      const envBytes = Object.entries(fn.Properties.Environment.Variables)
        .reduce((n, [k, v]) => n + k.length + (typeof v === 'string' ? v.length : JSON.stringify(v).length), 0);
      console.log(`\n  Authorizer function ${c.id}: ${fn.Properties.Runtime} ${fn.Properties.Architectures.join(',')}, ${fn.Properties.MemorySize} MB`);
      console.log(`    config.json: ${c.bytes} bytes, ${c.config.routes.length} guarded routes, cacheMode ${c.config.cacheMode}`);
      console.log(`    asset: ${path.relative(ROOT, c.dir)}`);
      console.log(`    environment: ${envBytes} bytes (${Object.keys(fn.Properties.Environment.Variables).join(', ')})`);
    }

    showFederatedRoles(resources, constructPaths(artifact));
    showMonitoring(resources, constructPaths(artifact), artifact.environment);

    showAccessReviews(name);

    for (const [id, output] of Object.entries(template.Outputs || {})) {
      console.log(`\n  Output ${id}: ${compact(output.Value)}`);
    }
  }
}

show(synth());
