/* Standard Webhooks v1 signatures (https://www.standardwebhooks.com/).
 *
 * A secret is "whsec_" + base64 of the key bytes; the prefix is optional on
 * input. The signed content is `webhook-id + "." + webhook-timestamp + "." +
 * body`, the signature is base64(HMAC-SHA256(key, content)) and the
 * `webhook-signature` header carries one "v1,<signature>" entry per secret,
 * separated by single spaces, so a receiver in the middle of a key rotation
 * accepts either key.
 *
 * Nothing here keeps state: every function is safe to call from any thread.
 * No error message ever contains a secret, a key or an expected signature. */
#ifndef MIH_SIGN_H
#define MIH_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define MIH_SIGN_SECRET_PREFIX "whsec_"

/* Raw key bytes in a generated secret. */
#define MIH_SIGN_SECRET_KEY_BYTES 32
/* Buffer for mih_sign_generate_secret(): "whsec_" + 44 base64 chars + NUL. */
#define MIH_SIGN_SECRET_SIZE 51
/* Longest key accepted from a secret, in decoded bytes. */
#define MIH_SIGN_MAX_KEY_BYTES 256

/* One "v1,<base64 of 32 bytes>" entry, without NUL. */
#define MIH_SIGN_ENTRY_LEN 47
/* Buffer for a webhook-signature value signed with n secrets (entries, the
 * spaces between them and the NUL). */
#define MIH_SIGN_HEADER_SIZE(n) ((size_t)(n) * (MIH_SIGN_ENTRY_LEN + 1))

/* Buffer for mih_sign_new_msg_id(): "msg_" + 26 chars + NUL. */
#define MIH_SIGN_MSG_ID_SIZE 31
/* Buffer for mih_sign_mask(): "****" + up to 4 chars + NUL. */
#define MIH_SIGN_MASK_SIZE 9
/* Secrets shorter than this are masked as "****" alone. */
#define MIH_SIGN_MASK_MIN_REVEAL_LEN 12

typedef enum {
	MIH_SIGN_OK = 0,
	MIH_SIGN_MISSING_HEADER,	/* webhook-id, -timestamp or -signature absent or empty */
	MIH_SIGN_BAD_FORMAT,		/* timestamp not an integer, signature list malformed,
					   no secret given or a secret not valid base64 */
	MIH_SIGN_TOO_OLD,		/* timestamp older than now - tolerance */
	MIH_SIGN_TOO_NEW,		/* timestamp later than now + tolerance */
	MIH_SIGN_NO_MATCH,		/* no v1 entry matches any of the secrets */
	MIH_SIGN_ERROR			/* libcrypto failed (out of memory) */
} mih_sign_result;

/* Short stable name of a result ("ok", "missing_header", ...). */
const char *mih_sign_result_name(mih_sign_result result);

/* Strict base64 (RFC 4648 standard alphabet, padding required, no
 * whitespace, unused trailing bits must be zero). Decode writes at most
 * outcap bytes and stores the decoded length in *outlen; -1 with a message
 * naming the problem (never the data) when the input is not canonical base64
 * or does not fit. Encode needs 4 * ceil(len / 3) + 1 bytes; -1 if outcap is
 * too small. */
int mih_sign_base64_decode(const char *in, size_t len, unsigned char *out, size_t outcap,
	size_t *outlen, char *err, size_t errlen);
int mih_sign_base64_encode(const unsigned char *in, size_t len, char *out, size_t outcap);

/* Checks that a secret (with or without "whsec_") decodes to a usable key,
 * e.g. to validate configuration before it is stored. 0 or -1 with err. */
int mih_sign_check_secret(const char *secret, char *err, size_t errlen);

/* Writes the webhook-signature value for one message: one "v1," entry per
 * secret, in the order given. timestamp is in Unix seconds (>= 0). out needs
 * MIH_SIGN_HEADER_SIZE(nsecrets) bytes. 0, or -1 with err (bad secret, no
 * secret, buffer too small, libcrypto failure). */
int mih_sign_sign(const char *msg_id, int64_t timestamp, const char *body, size_t len,
	const char *const *secrets, size_t nsecrets, char *out, size_t outlen,
	char *err, size_t errlen);

/* Verifies a received webhook. id, timestamp and signature are the values of
 * the webhook-id, webhook-timestamp and webhook-signature headers (NULL or ""
 * when absent). The timestamp must be plain decimal digits; the signature
 * header is a list of "version,payload" entries separated by spaces: every
 * entry must have that shape, entries of other versions (e.g. "v1a") are
 * ignored, v1 payloads must be base64 of 32 bytes. The request passes when
 * any v1 entry matches any secret (constant-time comparison) and the
 * timestamp lies within tolerance_s seconds of now_s either way (a negative
 * tolerance counts as 0). err receives a reason on anything but MIH_SIGN_OK.
 * Checks run in this order: headers present, secrets usable, timestamp
 * format, signature list format, timestamp window, match. */
mih_sign_result mih_sign_verify(const char *id, const char *timestamp, const char *signature,
	const char *body, size_t len, const char *const *secrets, size_t nsecrets,
	int64_t now_s, int64_t tolerance_s, char *err, size_t errlen);

/* "whsec_" + base64 of MIH_SIGN_SECRET_KEY_BYTES bytes from RAND_bytes.
 * outlen >= MIH_SIGN_SECRET_SIZE. 0, or -1 when the buffer is too small or
 * the random generator failed (out is then an empty string). */
int mih_sign_generate_secret(char *out, size_t outlen);

/* "msg_" + a 26-char ULID (Crockford base32 of 48-bit Unix milliseconds then
 * 80 random bits), so ids sort by creation time to the millisecond and are
 * unique by their random part. outlen >= MIH_SIGN_MSG_ID_SIZE. 0, or -1 when
 * the buffer is too small or the random generator failed. */
int mih_sign_new_msg_id(char *out, size_t outlen);
/* The same from a given clock and random bytes, for tests; now_ms is
 * truncated to 48 bits (negative counts as 0). */
int mih_sign_format_msg_id(int64_t now_ms, const unsigned char random[10], char *out, size_t outlen);

/* Masks a secret or token shown back to an administrator: "****" followed
 * by its last 4 bytes, or "****" alone when it is shorter than
 * MIH_SIGN_MASK_MIN_REVEAL_LEN bytes, so that a short token is never half
 * revealed. When the last 4 bytes start inside a UTF-8 sequence, only the
 * complete characters are shown. outlen >= MIH_SIGN_MASK_SIZE; 0 or -1 when
 * the buffer is too small. */
int mih_sign_mask(const char *secret, size_t len, char *out, size_t outlen);

#endif
