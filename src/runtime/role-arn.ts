/**
 * The partitions an IAM ARN may name: the ARN reference lists `aws`, `aws-cn` and `aws-us-gov`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html); the AWS SDK's partition
 * table (`@aws-sdk/core`, util-endpoints `partitions`) adds the isolated and sovereign ones. A
 * partition not listed here is refused (fail closed) until it is added.
 */
export const ARN_PARTITIONS: readonly string[] = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'];

/** STS's own bound on `RoleArn` (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html). */
const MAX_ROLE_ARN_LENGTH = 2048;
const ARN_HEAD = /^arn:([a-z-]+):iam::(\d{12}):role(\/.*)$/s;
/**
 * IAM's `CreateRole` patterns (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html):
 * `Path` is `/` alone or `/`, 1+ characters from `!` to `~`, `/`, at most 512 characters;
 * `RoleName` is 1 to 64 of `[\w+=,.@-]`. A role's ARN is `arn:<partition>:iam::<account>:role<path><name>`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
 */
const ROLE_PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** An IAM role ARN taken apart. */
export interface RoleArnParts {
  readonly partition: string;
  readonly account: string;
  /** `/` or `/a/b/`. */
  readonly path: string;
  readonly name: string;
}

/**
 * The parts of `value` when it is an IAM role ARN by IAM's own rules (a listed partition, no region,
 * a 12-digit account, `role` then a path and a name as `CreateRole` allows them); undefined otherwise.
 * It only reads the text: whether the role exists is STS's to say.
 */
export function parseRoleArn(value: unknown): RoleArnParts | undefined {
  if (typeof value !== 'string' || value.length > MAX_ROLE_ARN_LENGTH) {
    return undefined;
  }
  const head = ARN_HEAD.exec(value);
  if (!head || !ARN_PARTITIONS.includes(head[1])) {
    return undefined;
  }
  const resource = head[3];
  const cut = resource.lastIndexOf('/');
  const path = resource.slice(0, cut + 1);
  const name = resource.slice(cut + 1);
  if (path.length > 512 || !ROLE_PATH.test(path) || !ROLE_NAME.test(name)) {
    return undefined;
  }
  return { partition: head[1], account: head[2], path, name };
}

/** Whether `value` is an IAM role ARN (see {@link parseRoleArn}). */
export function isRoleArn(value: unknown): value is string {
  return parseRoleArn(value) !== undefined;
}

/** `value` quoted for an error message, clipped so a hostile value cannot flood a log line. */
export function quoteForMessage(value: unknown): string {
  if (typeof value !== 'string') {
    return `(${typeof value})`;
  }
  const text = value;
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}...` : text);
}
