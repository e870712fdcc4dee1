import { Subject } from './subject';
import { IOidcIdentityProvider } from '../identity/oidc-identity-provider';
import { ISamlIdentityProvider } from '../identity/saml-identity-provider';

/**
 * One extra condition on a token claim (OIDC) or assertion attribute (SAML).
 *
 * Only `StringEquals` and `StringLike` are offered: negated, `IfExists` and `Null` operators match
 * when the claim is absent or different. The values of one condition are alternatives (any one
 * matches); separate conditions must all hold.
 *
 * The OIDC `amr` claim is multi-valued: `FederatedRole` writes its condition with `ForAnyValue:`
 * (the right set operator for it). Every other claim is single-valued and gets the plain operator.
 */
export class ClaimCondition {
  /**
   * The claim must equal one of the values (`StringEquals`).
   *
   * @param claim the claim name without the provider prefix, e.g. `repository_id` (OIDC) or `sub_type` (SAML)
   * @param values accepted values; at least one
   */
  public static stringEquals(claim: string, values: string[]): ClaimCondition {
    return new ClaimCondition(claim, values, 'StringEquals');
  }

  /**
   * The claim must match one of the patterns (`StringLike`: `*` any run of characters, `?` one character).
   *
   * @param claim the claim name without the provider prefix
   * @param patterns accepted patterns; at least one, none made of wildcards only
   */
  public static stringLike(claim: string, patterns: string[]): ClaimCondition {
    return new ClaimCondition(claim, patterns, 'StringLike');
  }

  /** The claim name, without the provider prefix. */
  public readonly claim: string;
  /** The accepted values or patterns. */
  public readonly values: string[];
  /** The IAM condition operator: `StringEquals` or `StringLike`. */
  public readonly conditionOperator: string;

  private constructor(claim: string, values: string[], operator: string) {
    this.claim = claim;
    this.values = [...values];
    this.conditionOperator = operator;
  }
}

/**
 * The AWS sign-in endpoint that SAML assertions are posted to, which `SAML:aud` must equal.
 *
 * Each partition has its own: `signin.aws.amazon.com` (aws), `signin.amazonaws.cn` (aws-cn),
 * `signin.amazonaws-us-gov.com` (aws-us-gov), each with regional endpoints
 * (`https://<region>.signin.aws.amazon.com/saml`), and with `/acs/<IdP ID>` appended when the IdP
 * encrypts its assertions. `FederatedRole` writes the endpoint of the stack's partition, and refuses an
 * endpoint AWS does not document or one of another partition.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
 * @see https://docs.aws.amazon.com/general/latest/gr/signin-service.html
 */
export class SamlSignInEndpoint {
  /**
   * The partition's endpoint without a region code: `https://signin.aws.amazon.com/saml` (aws),
   * `https://signin.amazonaws.cn/saml` (aws-cn), `https://signin.amazonaws-us-gov.com/saml`
   * (aws-us-gov). IdPs post to it unless told otherwise.
   *
   * In a stack whose region is only known at deploy time, the value is looked up from `AWS::Partition`
   * in a CloudFormation mapping (`SamlSignInEndpoints`) that the role's stack gets.
   */
  public static readonly GLOBAL: SamlSignInEndpoint = new SamlSignInEndpoint(undefined, undefined, undefined, true);

  /**
   * A regional endpoint, `https://{region}.signin.aws.amazon.com/saml` (or of the region's partition),
   * which keeps console sign-in working when another region is impaired. For us-east-1 and
   * us-gov-west-1 AWS documents the endpoint without a region code, and that is what is written.
   *
   * In a stack whose region is only known at deploy time, the default is looked up from `AWS::Region`
   * in a CloudFormation mapping (`SamlSignInRegionalEndpoints`) of the regions this library knows;
   * a deployment to a region missing from it fails rather than trusting a guessed endpoint.
   *
   * @param region e.g. `eu-west-1`
   * @default - the region of the stack that holds the role
   */
  public static regional(region?: string): SamlSignInEndpoint {
    return new SamlSignInEndpoint(undefined, region ?? '');
  }

  /**
   * The endpoint for encrypted assertions: the regional endpoint followed by `/acs/<IdP ID>`, e.g.
   * `https://eu-west-1.signin.aws.amazon.com/saml/acs/ABCDEFGHIJKLMNOPQRSTUVWXYZ`. IAM requires this
   * form when the SAML provider's assertion encryption mode is `Required`.
   *
   * @param idpId the IdP ID IAM assigned to the SAML provider (its `SAMLProviderUUID`, on the identity
   * provider's detail page): upper-case letters and digits, 22 to 64 characters
   * @param region e.g. `eu-west-1`
   * @default - region: the region of the stack that holds the role
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
   */
  public static encryptedAssertions(idpId: string, region?: string): SamlSignInEndpoint {
    return new SamlSignInEndpoint(undefined, region ?? '', idpId);
  }

  /**
   * An endpoint written out, as your IdP's AWS configuration shows it, e.g.
   * `https://us-gov-east-1.signin.amazonaws-us-gov.com/saml`. It must be one of the endpoints AWS
   * documents, in the stack's partition.
   *
   * @param url an `https://` URL
   */
  public static url(url: string): SamlSignInEndpoint {
    return new SamlSignInEndpoint(url);
  }

  /** @internal */
  public readonly _url?: string;
  /**
   * Empty when the stack's region is meant.
   * @internal
   */
  public readonly _region?: string;
  /** @internal */
  public readonly _idpId?: string;
  /** @internal */
  public readonly _global: boolean;

  private constructor(url?: string, region?: string, idpId?: string, global: boolean = false) {
    this._url = url;
    this._region = region;
    this._idpId = idpId;
    this._global = global;
  }
}

/**
 * How IAM keeps a SAML role of one environment from accepting assertions meant for another, when the
 * `FederatedRole` has an `environment`. `SAML:aud` cannot do it: it is the sign-in endpoint the
 * assertion was posted to (its `Recipient`), the same for every environment.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
 */
export class SamlEnvironmentSeparation {
  /**
   * The assertion must carry the session tag `environment=<label>`: the IdP sends the attribute
   * `https://aws.amazon.com/SAML/Attributes/PrincipalTag:environment` with the environment's name (one
   * IdP application per environment, or a rule that sets it). The trust gets `sts:TagSession` and the
   * condition `StringEquals aws:RequestTag/environment: <label>`, so an assertion without the tag, or
   * with another environment's, is refused by STS. Unless `allowSessionTags` is set, no other session
   * tag is accepted (`ForAllValues:StringEquals aws:TagKeys: ['environment']`).
   */
  public static sessionTag(): SamlEnvironmentSeparation {
    return new SamlEnvironmentSeparation('sessionTag');
  }

  /**
   * One IAM SAML provider per environment, each made from its own IdP application's metadata (its own
   * signing key): an assertion signed for one environment does not validate against another's provider.
   * The trust gets no extra condition; `FederationGuard` fails synth if a role of another environment
   * trusts the same provider, or a provider whose metadata shares a certificate with it, or a provider
   * whose metadata it cannot read (an imported ARN).
   */
  public static dedicatedProvider(): SamlEnvironmentSeparation {
    return new SamlEnvironmentSeparation('dedicatedProvider');
  }

  /**
   * The assertion's `Issuer` must be this environment's (`StringEquals SAML:iss: <issuer>`): for IdPs that
   * give each application its own issuer (entity ID), e.g. Okta's `http://www.okta.com/<app id>`, one
   * application per environment. Not for IdPs whose issuer is the same for every application (Entra ID's
   * `https://sts.windows.net/<tenant id>/`, AD FS): `FederationGuard` then finds both environments' roles
   * accepting the same assertions only if they share the issuer, which it cannot know.
   *
   * @param issuer the `Issuer` of this environment's assertions, exactly
   */
  public static issuer(issuer: string): SamlEnvironmentSeparation {
    return new SamlEnvironmentSeparation('issuer', issuer);
  }

  /** @internal */
  public readonly _kind: string;
  /** @internal */
  public readonly _issuer?: string;

  private constructor(kind: string, issuer?: string) {
    this._kind = kind;
    this._issuer = issuer;
  }
}

/**
 * Options for an OIDC trust (`sts:AssumeRoleWithWebIdentity`).
 */
export interface OidcTrustOptions {
  /** The IAM OIDC identity provider whose tokens are accepted. */
  readonly provider: IOidcIdentityProvider;

  /**
   * The accepted `sub` values or patterns (any one matches); at least one, unless
   * `anySubjectReason` is given (then none).
   *
   * Exact subjects are written as `<provider>:sub` under `StringEquals`, patterns under
   * `StringLike`, in a statement each when both are present.
   */
  readonly subjects: Subject[];

  /**
   * Admits every subject of the audiences: the trust has no `sub` condition, and the role carries
   * `FederationRisk.MISSING_SUBJECT` as accepted, with this reason. STS needs no AWS credentials, so
   * anyone holding a token with one of these audiences can assume the role directly: give it only
   * what every such caller may do. Exclusive with `subjects` (pass `[]`).
   *
   * @default - `subjects` are required
   */
  readonly anySubjectReason?: string;

  /**
   * The accepted audiences, as the `<provider>:aud` condition (`StringEquals`).
   *
   * @default - the issuer's audiences (`provider.issuer.audiences`), e.g. `sts.amazonaws.com` for GitHub Actions
   */
  readonly audiences?: string[];

  /**
   * Extra conditions on other claims (e.g. `repository_id`), keyed `<provider>:<claim>`. They all
   * must hold. `aud` and `sub` have their own options.
   *
   * @default - none
   */
  readonly claims?: ClaimCondition[];

  /**
   * GitHub Actions only: the reusable workflows a job must run (`job_workflow_ref` claim), e.g.
   * `acme/pipelines/.github/workflows/deploy.yml@refs/heads/main`. Written as
   * `<provider>:job_workflow_ref`; `StringLike` if any value has a wildcard, which may only appear
   * after the `@` (in the ref).
   *
   * @default - any workflow of the matching subjects
   */
  readonly jobWorkflowRefs?: string[];
}

/**
 * Options for a SAML trust (`sts:AssumeRoleWithSAML`).
 */
export interface SamlTrustOptions {
  /** The IAM SAML identity provider whose assertions are accepted. */
  readonly provider: ISamlIdentityProvider;

  /**
   * The sign-in endpoints the assertion may be addressed to, as the `SAML:aud` condition (`StringEquals`).
   *
   * @default [SamlSignInEndpoint.GLOBAL] - the partition's endpoint without a region code
   * (`https://signin.aws.amazon.com/saml` in the aws partition), which AWS's own SAML setup
   * instructions and most IdPs' AWS templates post to. Add `SamlSignInEndpoint.regional()` if your IdP
   * posts to a regional endpoint, `SamlSignInEndpoint.encryptedAssertions(idpId)` if it encrypts.
   */
  readonly signInEndpoints?: SamlSignInEndpoint[];

  /**
   * Extra conditions on assertion attributes, keyed `SAML:<attribute>` (e.g. `sub_type`,
   * `namequalifier`); they all must hold. `SAML:aud` has its own option.
   *
   * @default - none
   */
  readonly attributes?: ClaimCondition[];

  /**
   * How assertions meant for another environment are refused, for a role with an `environment`.
   *
   * @default SamlEnvironmentSeparation.sessionTag() when the role has an environment; none otherwise
   */
  readonly environmentSeparation?: SamlEnvironmentSeparation;
}

/**
 * Who may assume a `FederatedRole`: identities of one OIDC or one SAML identity provider.
 */
export class FederatedTrust {
  /**
   * Tokens of an OIDC identity provider (`sts:AssumeRoleWithWebIdentity`), conditioned on
   * `<provider>:aud` and `<provider>:sub`.
   */
  public static oidc(options: OidcTrustOptions): FederatedTrust {
    return new FederatedTrust(options, undefined);
  }

  /**
   * Assertions of a SAML identity provider (`sts:AssumeRoleWithSAML`), conditioned on `SAML:aud`.
   */
  public static saml(options: SamlTrustOptions): FederatedTrust {
    return new FederatedTrust(undefined, options);
  }

  /** @internal */
  public readonly _oidc?: OidcTrustOptions;
  /** @internal */
  public readonly _saml?: SamlTrustOptions;

  private constructor(oidc?: OidcTrustOptions, saml?: SamlTrustOptions) {
    this._oidc = oidc;
    this._saml = saml;
  }
}
