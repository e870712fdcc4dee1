import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PEM private key and its self-signed certificate. */
export interface TlsCert {
  readonly key: string;
  readonly cert: string;
}

/** Options for {@link makeTlsCert}. */
export interface TlsCertOptions {
  /**
   * The certificate's subjectAltName, in openssl syntax.
   * @default 'IP:127.0.0.1,IP:::1,DNS:localhost'
   */
  readonly subjectAltName?: string;
}

/**
 * Makes a fresh self-signed P-256 certificate (valid one day) with the `openssl` CLI in a temp dir,
 * for TLS servers on 127.0.0.1. A client trusts it only when given the cert as its `ca`.
 */
export function makeTlsCert(options: TlsCertOptions = {}): TlsCert {
  const dir = mkdtempSync(join(tmpdir(), 'tls-cert-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=jwks-test',
      '-addext', `subjectAltName=${options.subjectAltName ?? 'IP:127.0.0.1,IP:::1,DNS:localhost'}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
