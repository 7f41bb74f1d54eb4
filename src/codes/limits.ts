/** Limits on images given to decode (docs/api.md "POST /v1/codes/verify"); a small module so that callers need not load the decoders. */

/** Largest image accepted, bytes. */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
/** Largest image accepted, pixels (width × height). */
export const MAX_IMAGE_PIXELS = 16_000_000;
