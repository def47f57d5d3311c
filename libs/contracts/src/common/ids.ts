/** A snapshot id: the SHA-256 (hex) of the snapshot's manifest, the same at every site. */
export const SNAPSHOT_ID = /^[0-9a-f]{64}$/;

/** A pack's object key: `data/<first two hex digits>/<64 hex digits>`, spreading packs over prefixes. */
export const PACK_KEY = /^data\/[0-9a-f]{2}\/[0-9a-f]{64}$/;

/** The name a byte stream (POST /streams?name=…) is stored under: 1 to 255 characters, no "/" or NUL. */
export const STREAM_NAME = /^[^/\0]{1,255}$/;
export const STREAM_NAME_RULE = 'name must be 1-255 characters without "/" or NUL';

/** A snapshot id or a unique prefix of one, as operators may give it: 4 to 64 hex digits. */
export const SNAPSHOT_ID_OR_PREFIX = /^[0-9a-f]{4,64}$/;

/** A replica site's name (REPLICA_SITE_NAME, a policy's replicaSites): 1 to 64 letters, digits, "_", "-" or ".". */
export const SITE_NAME = /^[\w.-]{1,64}$/;
