/** An IAM policy document as a Lambda authorizer returns it. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: ReadonlyArray<{
    readonly Effect: string;
    readonly Action?: string | readonly string[];
    readonly Resource?: string | readonly string[];
  }>;
}

/**
 * Whether an IAM glob matches a value: `*` any characters (`/` included), `?` exactly one, the
 * rest literally and case-sensitively. `*` spanning `/` is the reading under which the authorizer's
 * policies are proven right (docs/authorizer-contract.md), and the strictest test of them.
 */
export function globMatches(glob: string, value: string): boolean {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(value);
}

const list = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

/**
 * What API Gateway does with a policy for a request to `methodArn`: an explicit Deny wins, then an
 * Allow lets it in, and without either it is refused. Only `execute-api:Invoke` (or a wildcard
 * over it) counts.
 */
export function evaluatePolicy(doc: PolicyDocument, methodArn: string): 'allow' | 'deny' {
  const hit = (effect: string) => doc.Statement.some((st) => st.Effect === effect
    && list(st.Action).some((a) => globMatches(a, 'execute-api:Invoke'))
    && list(st.Resource).some((r) => globMatches(r, methodArn)));
  if (hit('Deny')) {
    return 'deny';
  }
  return hit('Allow') ? 'allow' : 'deny';
}
