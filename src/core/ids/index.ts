/**
 * Urbis identifiers (docs/protocol.md (Identifiers)): alphabet, grammar, ISO/IEC 7064 MOD 37,36 check
 * character, and the text, DID and URL forms.
 */

export {
  CHECK_ALPHABET,
  ISO_ALPHABET,
  ID_ALPHANUMERICS,
  ID_SEPARATORS,
  MOD3736_INITIAL_STATE,
  identifierCheckChar,
  mod3736Check,
  mod3736CheckFromState,
  mod3736Step,
  mod3736Valid,
} from './check.js';
export {
  MAX_ID_LENGTH,
  MAX_LOCAL_LENGTH,
  MAX_SEGMENTS,
  MAX_SEGMENT_LENGTH,
  canonicalKey,
  fromCanonicalKey,
  isNamespaceId,
  makeIdentifier,
  namespaceString,
  parentNamespace,
  parseNamespacePath,
  parseText,
  validateLocal,
  validateSegment,
  type Identifier,
} from './identifier.js';
export {
  DEFAULT_URL_HOST,
  DID_PREFIX,
  MAX_URL_LENGTH,
  URL_PATH_PREFIX,
  formatDid,
  formatText,
  formatUrl,
  parseDid,
  parseIdentifier,
  parseUrl,
} from './forms.js';
