/**
 * Jest snapshot serializer that blanks asset hashes (64 hex chars, optionally with an extension)
 * so template snapshots stay stable when bundled code changes; the code itself is tested elsewhere.
 */
const ASSET_HASH = /[0-9a-f]{64}(\.zip|\.json)?/g;

module.exports = {
  test: (val: unknown) => typeof val === 'string' && ASSET_HASH.test(val) && (ASSET_HASH.lastIndex = 0) === 0,
  serialize: (val: string) => JSON.stringify(val.replace(ASSET_HASH, (_m, ext) => `HASH${ext ?? ''}`)),
};
