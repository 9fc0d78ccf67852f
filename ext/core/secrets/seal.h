/* Secrets at rest: AES-256-GCM envelopes under a keyring of 32-byte keys.
 *
 * A sealed value is text, so it fits the store's text columns and JSON:
 *
 *     $mih1$<key id>$<base64 of nonce (12) | ciphertext | tag (16)>
 *
 * The key id is the first 4 bytes, in hex, of SHA-256("mih key id" | key):
 * it names the key that decrypts without revealing anything of it. The
 * authenticated data is the envelope's "$mih1$<key id>$" followed by a
 * context string chosen by the caller (the field, e.g. "auth_token"), so a
 * sealed value moved to another field or given another key id does not open.
 * Every seal draws a fresh random nonce.
 *
 * A keyring holds at most one current key (new values are sealed under it)
 * and older keys still accepted for reading, so keys can be rotated: values
 * sealed under an old key open, and are sealed again under the current one
 * when rewritten. Without a current key nothing is sealed (values stay or
 * become plaintext), and values that are not envelopes are read as
 * plaintext, so a store written before encryption was configured keeps
 * working.
 *
 * Plain C over libcrypto, no state besides the keyring the caller owns. No
 * message ever contains a key, a plaintext or a ciphertext. */
#ifndef MIH_SEAL_H
#define MIH_SEAL_H

#include <stdbool.h>
#include <stddef.h>

#define MIH_SEAL_KEY_BYTES 32
#define MIH_SEAL_KEY_ID_LEN 8
#define MIH_SEAL_PREFIX "$mih1$"
/* The current key and up to this many old ones. */
#define MIH_SEAL_MAX_OLD_KEYS 8

typedef struct mih_seal_key {
	unsigned char bytes[MIH_SEAL_KEY_BYTES];
	char id[MIH_SEAL_KEY_ID_LEN + 1];
} mih_seal_key;

typedef struct mih_keyring {
	mih_seal_key keys[1 + MIH_SEAL_MAX_OLD_KEYS];  /* keys[0] is the current one when has_current */
	size_t count;
	bool has_current;
} mih_keyring;

typedef enum {
	MIH_UNSEAL_OK = 0,      /* *out holds the plaintext */
	MIH_UNSEAL_PLAIN,       /* not an envelope: *out holds a copy of the value */
	MIH_UNSEAL_UNKNOWN_KEY, /* sealed under a key id the keyring does not hold */
	MIH_UNSEAL_MALFORMED,   /* starts like an envelope but is not one */
	MIH_UNSEAL_FAILED,      /* wrong key, tampered with, or another context */
	MIH_UNSEAL_ERROR        /* out of memory or libcrypto failure */
} mih_unseal_result;

/* An empty keyring: nothing sealed, envelopes do not open. */
void mih_keyring_init(mih_keyring *kr);
/* Overwrites every key byte. */
void mih_keyring_wipe(mih_keyring *kr);
/* Adds a key, as the current one or as an old one (a key already held is
 * ignored). 0, or -1 with err when there is already a current key or no room. */
int mih_keyring_add(mih_keyring *kr, const unsigned char key[MIH_SEAL_KEY_BYTES], bool current,
	char *err, size_t errlen);
/* Fills an empty keyring from two settings: current (one key spec, may be
 * empty) and old (key specs separated by commas or white space, may be
 * empty). 0, or -1 with err (the keyring is then wiped and empty). */
int mih_keyring_load(mih_keyring *kr, const char *current, const char *old, char *err, size_t errlen);
/* The current key's id, or NULL. */
const char *mih_keyring_current_id(const mih_keyring *kr);

/* One key spec: 64 hex digits, base64 (padded) of 32 bytes, or the absolute
 * path of a file holding either (surrounding white space ignored). 0, or -1
 * with err (which never repeats the spec). */
int mih_seal_parse_key(const char *spec, size_t len, unsigned char out[MIH_SEAL_KEY_BYTES],
	char *err, size_t errlen);
/* The key id of key, NUL-terminated in out (MIH_SEAL_KEY_ID_LEN + 1 bytes). */
int mih_seal_key_id(const unsigned char key[MIH_SEAL_KEY_BYTES], char *out);

/* True when value starts like an envelope. */
bool mih_seal_is_sealed(const char *value, size_t len);
/* The key id of an envelope (NUL-terminated in out), or false. */
bool mih_seal_envelope_key_id(const char *value, size_t len, char out[MIH_SEAL_KEY_ID_LEN + 1]);
/* True when value is already in the form a write would give it: sealed under
 * the current key, or plaintext when there is no current key. */
bool mih_seal_is_current(const mih_keyring *kr, const char *value, size_t len);

/* Seals len bytes of plain under the current key into a new NUL-terminated
 * string *out (free()). 0, or -1 with err (no current key, out of memory,
 * libcrypto failure). */
int mih_seal(const mih_keyring *kr, const char *context, const char *plain, size_t len,
	char **out, char *err, size_t errlen);
/* Opens value: the plaintext for an envelope, a copy for anything else.
 * *out (free(), NUL-terminated, *outlen bytes) is set for OK and PLAIN;
 * err says why for the others (naming the key id, never the value). */
mih_unseal_result mih_unseal(const mih_keyring *kr, const char *context, const char *value,
	size_t len, char **out, size_t *outlen, char *err, size_t errlen);

#endif
