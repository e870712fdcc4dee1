/**
 * The answer to CloudFormation: a JSON body PUT to the event's pre-signed `ResponseURL`
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html), kept
 * within the 4096 bytes CloudFormation accepts. The request has an empty Content-Type, as AWS's own
 * cfn-response module sends it: the URL is signed without one
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-lambda-function-code-cfnresponsemodule.html).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { MAX_RESPONSE_BODY_BYTES } from '../deployment-check-contract';

/** The fields of a custom resource event the answer copies. */
export interface ResponseTarget {
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
}

/** What the handler answers. */
export interface CheckAnswer {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId: string;
  /** For FAILED: the lines of the reason (differences, or what went wrong); cut to fit. */
  readonly reason?: { readonly head: string; readonly lines: readonly string[] };
  readonly data?: Record<string, string>;
}

/**
 * The response body: the reason holds the head and as many whole lines as fit in 4096 bytes (UTF-8),
 * then how many were left out.
 */
export function responseBody(target: ResponseTarget, answer: CheckAnswer): string {
  const base = {
    Status: answer.status,
    PhysicalResourceId: answer.physicalResourceId,
    StackId: target.StackId,
    RequestId: target.RequestId,
    LogicalResourceId: target.LogicalResourceId,
    ...(answer.data ? { Data: answer.data } : {}),
  };
  if (!answer.reason) {
    return JSON.stringify(base);
  }
  const { head, lines } = answer.reason;
  const body = (reason: string) => JSON.stringify({ ...base, Reason: reason });
  const fits = (reason: string) => Buffer.byteLength(body(reason), 'utf8') <= MAX_RESPONSE_BODY_BYTES;
  let reason = head;
  let shown = 0;
  for (const line of lines) {
    const left = lines.length - shown - 1;
    const next = `${reason}${shown === 0 ? ' ' : '; '}${line}`;
    const withTail = left > 0 ? `${next}; … and ${left} more` : next;
    if (!fits(withTail)) {
      break;
    }
    reason = next;
    shown++;
  }
  if (shown < lines.length) {
    reason = `${reason}${shown === 0 ? ' ' : '; '}… and ${lines.length - shown} more`;
  }
  // A head or line too long for the limit by itself: cut it by characters.
  while (!fits(reason)) {
    reason = reason.slice(0, Math.floor(reason.length * 0.9)) + '…';
  }
  return body(reason);
}

/** PUTs the body to the response URL; retries network failures and 5xx a few times. */
export async function putResponse(url: string, body: string, attempts = 4): Promise<void> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      await put(url, body);
      return;
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
  throw lastError;
}

function put(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = (target.protocol === 'http:' ? http : https).request(target, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body, 'utf8') },
      timeout: 10_000,
    }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          resolve();
        } else {
          reject(new Error(`the response URL answered ${status}`));
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error('the response URL did not answer in 10 s')));
    request.on('error', reject);
    request.end(body);
  });
}
