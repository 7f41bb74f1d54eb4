// Minimal types of the JSON-LD packages the conformance tests use (they ship none).
declare module 'jsonld' {
  const jsonld: { expand(input: unknown, options: Record<string, unknown>): Promise<unknown[]> };
  export default jsonld;
}
declare module 'did-context' {
  export const contexts: Map<string, unknown>;
}
declare module '@digitalbazaar/multikey-context' {
  export const contexts: Map<string, unknown>;
}
