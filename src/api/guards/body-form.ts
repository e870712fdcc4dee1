import { ApiGuard, DeployedApi, isIntrinsicKey, isJson, same } from './deployed-api';
import { messageRule } from '../../rules/rule';

/**
 * The definition must be the literal object the construct wrote, so that the other guards read what
 * API Gateway imports: not a string (JSON or YAML text the synth does not parse), nor an intrinsic
 * (`Fn::If`, `Fn::Transform` with `AWS::Include`, `Fn::FindInMap`...) whose value is only known at
 * deployment, and no intrinsic anywhere inside it but those the construct wrote (the functions'
 * invocation URIs), nor `Properties` replaced by an intrinsic.
 */
export const bodyForm: ApiGuard = messageRule<DeployedApi>('SecuredApi.BodyNotAsWritten', 'the REST API\'s Properties and Body are the literal definition the construct wrote: no string, no intrinsic it did not write, not removed', (api) => {
  const fix = `remove the override of ${api.restApiPath} that wrote it; change routes with addRoute() on ${api.path}`;
  const props = api.properties;
  if (!isJson(props)) {
    return [`the REST API ${api.restApiPath} has no Properties as deployed (${describe(props)}: an override replaced them); ${fix}.`];
  }
  const intrinsic = Object.keys(props).find(isIntrinsicKey);
  if (intrinsic) {
    return [`the REST API ${api.restApiPath}'s Properties are an ${intrinsic} (an override replaced them), whose value is only known at deployment, so the synth cannot check the API that would be imported; ${fix}.`];
  }
  const body = props.Body;
  if (body === undefined) {
    return props.BodyS3Location !== undefined ? [] : [`the REST API ${api.restApiPath} has no Body (an override removed it), so it would be deployed without the definition written from the routes; ${fix}.`];
  }
  if (!isJson(body)) {
    return [`the REST API ${api.restApiPath}'s Body is ${describe(body)} instead of the definition written from the routes (an override replaced it), which the synth cannot read; ${fix}.`];
  }
  return unwrittenIntrinsics(body, api.written.body, 'Body').map((where) =>
    `the REST API ${api.restApiPath}'s ${where} is an intrinsic the construct did not write (an override wrote it), whose value is only known at deployment (it could add or open an operation); ${fix}.`);
});

/** Where in `deployed` an intrinsic stands that is not exactly the one at the same place in `written`. */
function unwrittenIntrinsics(deployed: unknown, written: unknown, where: string): string[] {
  if (Array.isArray(deployed)) {
    return deployed.flatMap((item, i) => unwrittenIntrinsics(item, Array.isArray(written) ? written[i] : undefined, `${where}[${i}]`));
  }
  if (!isJson(deployed)) return [];
  const intrinsic = Object.keys(deployed).find(isIntrinsicKey);
  if (intrinsic) {
    return same(deployed, written) ? [] : [`${where} (${intrinsic})`];
  }
  return Object.entries(deployed).flatMap(([key, value]) =>
    unwrittenIntrinsics(value, isJson(written) ? written[key] : undefined, `${where}.${key}`));
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `a string ("${value.length > 40 ? value.slice(0, 40) + '…' : value}")`;
  if (Array.isArray(value)) return 'an array';
  return value === undefined ? 'none' : `${JSON.stringify(value)}`.slice(0, 60);
}
