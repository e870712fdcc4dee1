import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, Lazy, Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

/**
 * The code of a Lambda function whose files are written at synthesis (its bundle beside the
 * configuration the construct wrote), as the function's asset. The files go into a fresh folder of
 * the cloud assembly being written (never the OS temp folder); once staging has copied it there as
 * `asset.<hash>` (the hash covers the files' contents only, so it is as deterministic as they are),
 * the folder is removed. With staging disabled (e.g. under SAM), the asset is that folder itself.
 */
export function stageFunctionAsset(fn: lambda.Function, prefix: string, files: { readonly [name: string]: string | Buffer }): s3_assets.Asset {
  const outdir = Stage.of(fn)?.outdir ?? '.';
  fs.mkdirSync(outdir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(outdir, `.${prefix}-`));
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), content);
  }
  const asset = new s3_assets.Asset(fn, 'Code', { path: dir, deployTime: true });
  asset.addResourceMetadata(fn.node.defaultChild as CfnResource, 'Code');
  if (path.resolve(outdir, asset.assetPath) !== path.resolve(dir)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return asset;
}

/**
 * Lambda code whose S3 location is known only once the asset exists: the asset is created at the
 * start of synthesis, once everything it holds is known, after the function that points at it.
 */
export class StagedCode extends lambda.Code {
  constructor(private readonly asset: () => s3_assets.Asset) {
    super();
  }

  public bind(_scope: Construct): lambda.CodeConfig {
    return {
      s3Location: {
        bucketName: Lazy.string({ produce: () => this.asset().s3BucketName }),
        objectKey: Lazy.string({ produce: () => this.asset().s3ObjectKey }),
      },
    };
  }
}
