import { extractBearerToken } from '../../../src/authorizer/runtime/token';

const JWS = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as { reason: string }).reason;
  }
  return 'no error';
}

describe('extractBearerToken', () => {
  test.each([
    ['Bearer', `Bearer ${JWS}`],
    ['bearer', `bearer ${JWS}`],
    ['BEARER', `BEARER ${JWS}`],
    ['BeArEr', `BeArEr ${JWS}`],
  ])('should accept the %s scheme in any case', (_, header) => {
    // GIVEN
    const event = { headers: { Authorization: header } };
    // WHEN
    const token = extractBearerToken(event, 8192);
    // THEN
    expect(token).toBe(JWS);
  });

  test('should find the header case-insensitively in headers and multiValueHeaders', () => {
    // GIVEN
    const events = [
      { headers: { authorization: `Bearer ${JWS}` } },
      { headers: { AUTHORIZATION: `Bearer ${JWS}` } },
      { multiValueHeaders: { authorization: [`Bearer ${JWS}`] } },
      { headers: { Authorization: `Bearer ${JWS}` }, multiValueHeaders: { Authorization: [`Bearer ${JWS}`] } },
    ];
    // WHEN
    const tokens = events.map((e) => extractBearerToken(e, 8192));
    // THEN
    expect(tokens).toEqual([JWS, JWS, JWS, JWS]);
  });

  test('should accept an empty signature segment so that the header policy can judge alg none', () => {
    // GIVEN
    const event = { headers: { Authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' } };
    // WHEN
    const token = extractBearerToken(event, 8192);
    // THEN
    expect(token).toBe('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');
  });

  test.each([
    ['no headers at all', {}, 'missing_token'],
    ['null headers', { headers: null, multiValueHeaders: null }, 'missing_token'],
    ['no Authorization header', { headers: { Host: 'x' } }, 'missing_token'],
    ['an empty header', { headers: { Authorization: '' } }, 'missing_token'],
    ['the scheme alone', { headers: { Authorization: 'Bearer' } }, 'missing_token'],
    ['the scheme and a space', { headers: { Authorization: 'Bearer ' } }, 'missing_token'],
    ['Basic', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } }, 'bad_scheme'],
    ['a bare token', { headers: { Authorization: JWS } }, 'bad_scheme'],
    ['Bearer with a tab', { headers: { Authorization: `Bearer\t${JWS}` } }, 'bad_scheme'],
    ['a leading space', { headers: { Authorization: ` Bearer ${JWS}` } }, 'bad_scheme'],
    ['Bearer: with a colon', { headers: { Authorization: `Bearer: ${JWS}` } }, 'bad_scheme'],
    ['two spaces', { headers: { Authorization: `Bearer  ${JWS}` } }, 'malformed_token'],
    ['two tokens', { headers: { Authorization: `Bearer ${JWS} ${JWS}` } }, 'malformed_token'],
    ['a trailing space', { headers: { Authorization: `Bearer ${JWS} ` } }, 'malformed_token'],
    ['two parts', { headers: { Authorization: 'Bearer abc.def' } }, 'malformed_token'],
    ['four parts', { headers: { Authorization: `Bearer ${JWS}.x` } }, 'malformed_token'],
    ['a JWE (5 parts)', { headers: { Authorization: 'Bearer a.b.c.d.e' } }, 'malformed_token'],
    ['an empty header segment', { headers: { Authorization: 'Bearer .eyJ9.c2ln' } }, 'malformed_token'],
    ['padding', { headers: { Authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9==.eyJ9.c2ln' } }, 'malformed_token'],
    ['standard base64 +/', { headers: { Authorization: 'Bearer eyJh+GciOiJ/UzI1NiJ9.eyJ9.c2ln' } }, 'malformed_token'],
    ['a JSON serialization', { headers: { Authorization: 'Bearer {"payload":"x","signatures":[]}' } }, 'malformed_token'],
    ['two headers under two spellings', { headers: { Authorization: `Bearer ${JWS}`, authorization: `Bearer ${JWS}` } }, 'malformed_token'],
    ['two values in multiValueHeaders', { multiValueHeaders: { Authorization: [`Bearer ${JWS}`, `Bearer ${JWS}`] } }, 'malformed_token'],
    ['headers and multiValueHeaders disagreeing', { headers: { Authorization: `Bearer ${JWS}` }, multiValueHeaders: { Authorization: ['Bearer a.b.c'] } }, 'malformed_token'],
    ['a non-string header value', { headers: { Authorization: 42 } }, 'malformed_token'],
  ])('should refuse %s', (_, event, reason) => {
    // WHEN
    const got = reasonOf(() => extractBearerToken(event as never, 8192));
    // THEN
    expect(got).toBe(reason);
  });

  test('should refuse a header over maxTokenBytes before reading it', () => {
    // GIVEN
    const header = `Bearer ${'a'.repeat(100)}.${'b'.repeat(100)}.${'c'.repeat(100)}`;
    // WHEN
    const atLimit = extractBearerToken({ headers: { Authorization: header } }, header.length);
    const overLimit = reasonOf(() => extractBearerToken({ headers: { Authorization: header } }, header.length - 1));
    // THEN
    expect(atLimit).toBe(header.slice(7));
    expect(overLimit).toBe('token_too_large');
  });

  test('should apply the size cap before the scheme check', () => {
    // GIVEN
    const event = { headers: { Authorization: `Basic ${'x'.repeat(10_000)}` } };
    // WHEN
    const reason = reasonOf(() => extractBearerToken(event, 8192));
    // THEN
    expect(reason).toBe('token_too_large');
  });
});
