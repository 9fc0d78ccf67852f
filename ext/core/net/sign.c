/* Standard Webhooks v1 signing and verification: see sign.h. */
#include "sign.h"
#include "err.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define SIGNATURE_BYTES 32
#define MSG_ID_PREFIX "msg_"
#define ULID_CHARS 26
#define ULID_RANDOM_BYTES 10

static const char crockford_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

const char *mih_sign_result_name(mih_sign_result result)
{
	switch (result) {
		case MIH_SIGN_OK: return "ok";
		case MIH_SIGN_MISSING_HEADER: return "missing_header";
		case MIH_SIGN_BAD_FORMAT: return "bad_format";
		case MIH_SIGN_TOO_OLD: return "too_old";
		case MIH_SIGN_TOO_NEW: return "too_new";
		case MIH_SIGN_NO_MATCH: return "no_match";
		case MIH_SIGN_ERROR: return "error";
	}
	return "unknown";
}

/* ---- secrets ---- */

typedef struct {
	unsigned char bytes[MIH_SIGN_MAX_KEY_BYTES];
	size_t len;
} signing_key;

/* index is 1-based in messages because admins count that way. */
static int decode_secret(const char *secret, size_t index, signing_key *key, char *err, size_t errlen)
{
	size_t prefix = strlen(MIH_SIGN_SECRET_PREFIX);
	char why[128];
	size_t len;

	key->len = 0;
	if (!secret) {
		mih_set_err(err, errlen, "secret #%zu is missing", index);
		return -1;
	}
	if (strncmp(secret, MIH_SIGN_SECRET_PREFIX, prefix) == 0) {
		secret += prefix;
	}
	len = strlen(secret);
	if (len == 0) {
		mih_set_err(err, errlen, "secret #%zu is empty", index);
		return -1;
	}
	if (mih_sign_base64_decode(secret, len, key->bytes, sizeof(key->bytes), &key->len,
			why, sizeof(why)) != 0) {
		mih_set_err(err, errlen, "secret #%zu is not valid base64: %s", index, why);
		return -1;
	}
	return 0;
}

static void forget_key(signing_key *key)
{
	OPENSSL_cleanse(key, sizeof(*key));
}

static int check_secrets(const char *const *secrets, size_t nsecrets, char *err, size_t errlen)
{
	signing_key key;
	size_t i;
	int rc = 0;

	if (nsecrets == 0 || !secrets) {
		mih_set_err(err, errlen, "no signing secret is configured");
		return -1;
	}
	for (i = 0; i < nsecrets && rc == 0; i++) {
		rc = decode_secret(secrets[i], i + 1, &key, err, errlen);
	}
	forget_key(&key);
	return rc;
}

int mih_sign_check_secret(const char *secret, char *err, size_t errlen)
{
	return check_secrets(&secret, 1, err, errlen);
}

/* ---- HMAC over id.timestamp.body ---- */

typedef struct {
	const char *id;
	const char *timestamp;
	const char *body;
	size_t body_len;
} signed_content;

static int hmac_update(EVP_MAC_CTX *ctx, const void *data, size_t len)
{
	return len == 0 || EVP_MAC_update(ctx, data, len);
}

static int compute_signature(EVP_MAC *hmac, const signing_key *key, const signed_content *content,
	unsigned char out[SIGNATURE_BYTES])
{
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end()
	};
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac);
	size_t outl = 0;
	int ok;

	ok = ctx && EVP_MAC_init(ctx, key->bytes, key->len, params)
		&& hmac_update(ctx, content->id, strlen(content->id))
		&& hmac_update(ctx, ".", 1)
		&& hmac_update(ctx, content->timestamp, strlen(content->timestamp))
		&& hmac_update(ctx, ".", 1)
		&& hmac_update(ctx, content->body, content->body_len)
		&& EVP_MAC_final(ctx, out, &outl, SIGNATURE_BYTES)
		&& outl == SIGNATURE_BYTES;
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : -1;
}

static EVP_MAC *fetch_hmac(char *err, size_t errlen)
{
	EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);

	if (!hmac) {
		mih_set_err(err, errlen, "libcrypto has no HMAC implementation available");
	}
	return hmac;
}

/* ---- signing ---- */

static int append_entry(EVP_MAC *hmac, const char *secret, size_t index, const signed_content *content,
	char *out, char *err, size_t errlen)
{
	unsigned char mac[SIGNATURE_BYTES];
	signing_key key;
	int rc = -1;

	if (decode_secret(secret, index, &key, err, errlen) != 0) {
		goto done;
	}
	if (compute_signature(hmac, &key, content, mac) != 0) {
		mih_set_err(err, errlen, "HMAC-SHA256 failed");
		goto done;
	}
	memcpy(out, "v1,", 3);
	mih_sign_base64_encode(mac, sizeof(mac), out + 3, MIH_SIGN_ENTRY_LEN - 3 + 1);
	rc = 0;
done:
	forget_key(&key);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

int mih_sign_sign(const char *msg_id, int64_t timestamp, const char *body, size_t len,
	const char *const *secrets, size_t nsecrets, char *out, size_t outlen,
	char *err, size_t errlen)
{
	char ts[24];
	signed_content content = { msg_id, ts, body, len };
	EVP_MAC *hmac;
	size_t i;

	if (outlen > 0) {
		out[0] = '\0';
	}
	if (!msg_id || !*msg_id) {
		mih_set_err(err, errlen, "the message id is empty");
		return -1;
	}
	if (timestamp < 0) {
		mih_set_err(err, errlen, "timestamp %lld is negative", (long long)timestamp);
		return -1;
	}
	if (!body && len > 0) {
		mih_set_err(err, errlen, "body is NULL but its length is %zu", len);
		return -1;
	}
	if (check_secrets(secrets, nsecrets, err, errlen) != 0) {
		return -1;
	}
	if (outlen < MIH_SIGN_HEADER_SIZE(nsecrets)) {
		mih_set_err(err, errlen, "signature buffer of %zu bytes is too small for %zu secrets (%zu needed)",
			outlen, nsecrets, MIH_SIGN_HEADER_SIZE(nsecrets));
		return -1;
	}
	snprintf(ts, sizeof(ts), "%lld", (long long)timestamp);
	if (!(hmac = fetch_hmac(err, errlen))) {
		return -1;
	}
	for (i = 0; i < nsecrets; i++) {
		char *entry = out + i * (MIH_SIGN_ENTRY_LEN + 1);

		if (append_entry(hmac, secrets[i], i + 1, &content, entry, err, errlen) != 0) {
			EVP_MAC_free(hmac);
			out[0] = '\0';
			return -1;
		}
		entry[MIH_SIGN_ENTRY_LEN] = i + 1 < nsecrets ? ' ' : '\0';
	}
	EVP_MAC_free(hmac);
	return 0;
}

/* ---- verification ---- */

static int header_missing(const char *value)
{
	return !value || !*value;
}

/* Plain decimal digits that fit in int64_t, nothing else. */
static int parse_timestamp(const char *text, int64_t *out)
{
	int64_t value = 0;
	const char *p;

	for (p = text; *p; p++) {
		if (*p < '0' || *p > '9') {
			return -1;
		}
		if (__builtin_mul_overflow(value, 10, &value)
				|| __builtin_add_overflow(value, *p - '0', &value)) {
			return -1;
		}
	}
	*out = value;
	return 0;
}

typedef struct {
	const char *version;
	size_t version_len;
	const char *payload;
	size_t payload_len;
} signature_entry;

/* Splits the next space-separated "version,payload" entry off *cursor.
 * Returns 1 with the entry, 0 at the end of the list, -1 when malformed. */
static int next_entry(const char **cursor, signature_entry *entry)
{
	const char *p = *cursor, *end, *comma;
	size_t i;

	while (*p == ' ') {
		p++;
	}
	if (!*p) {
		*cursor = p;
		return 0;
	}
	end = p + strcspn(p, " ");
	*cursor = end;
	comma = memchr(p, ',', (size_t)(end - p));
	if (!comma || comma == p || comma + 1 == end) {
		return -1;
	}
	entry->version = p;
	entry->version_len = (size_t)(comma - p);
	entry->payload = comma + 1;
	entry->payload_len = (size_t)(end - comma - 1);
	for (i = 0; i < entry->version_len; i++) {
		char c = p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
			return -1;
		}
	}
	return 1;
}

static int is_v1(const signature_entry *entry)
{
	return entry->version_len == 2 && memcmp(entry->version, "v1", 2) == 0;
}

static int decode_v1(const signature_entry *entry, unsigned char out[SIGNATURE_BYTES])
{
	size_t len;

	return mih_sign_base64_decode(entry->payload, entry->payload_len, out, SIGNATURE_BYTES,
			&len, NULL, 0) == 0 && len == SIGNATURE_BYTES ? 0 : -1;
}

/* Validates the whole list before anything is compared, so a malformed header
 * is reported as such whatever the secrets. *v1_count receives the number of
 * v1 entries. */
static int check_signature_list(const char *header, size_t *v1_count, char *err, size_t errlen)
{
	unsigned char sig[SIGNATURE_BYTES];
	signature_entry entry;
	const char *cursor = header;
	size_t n = 0;
	int rc;

	*v1_count = 0;
	while ((rc = next_entry(&cursor, &entry)) == 1) {
		n++;
		if (is_v1(&entry)) {
			if (decode_v1(&entry, sig) != 0) {
				mih_set_err(err, errlen, "webhook-signature entry %zu is not a v1 signature "
					"(base64 of 32 bytes)", n);
				return -1;
			}
			(*v1_count)++;
		}
	}
	if (rc < 0) {
		mih_set_err(err, errlen, "webhook-signature entry %zu is not of the form \"version,signature\"",
			n + 1);
		return -1;
	}
	if (n == 0) {
		mih_set_err(err, errlen, "webhook-signature has no entries");
		return -1;
	}
	return 0;
}

static mih_sign_result check_window(int64_t ts, int64_t now_s, int64_t tolerance_s, char *err,
	size_t errlen)
{
	int64_t ahead;

	if (tolerance_s < 0) {
		tolerance_s = 0;
	}
	if (ts <= now_s) {
		/* ts >= 0, so now_s - ts cannot overflow. */
		if (now_s - ts > tolerance_s) {
			mih_set_err(err, errlen, "webhook-timestamp is %lld s old, beyond the %lld s tolerance",
				(long long)(now_s - ts), (long long)tolerance_s);
			return MIH_SIGN_TOO_OLD;
		}
		return MIH_SIGN_OK;
	}
	if (__builtin_sub_overflow(ts, now_s, &ahead) || ahead > tolerance_s) {
		mih_set_err(err, errlen, "webhook-timestamp is more than the %lld s tolerance in the future",
			(long long)tolerance_s);
		return MIH_SIGN_TOO_NEW;
	}
	return MIH_SIGN_OK;
}

static int mac_in_list(const unsigned char mac[SIGNATURE_BYTES], const char *header)
{
	unsigned char sig[SIGNATURE_BYTES];
	signature_entry entry;
	const char *cursor = header;
	int found = 0;

	while (!found && next_entry(&cursor, &entry) == 1) {
		if (is_v1(&entry) && decode_v1(&entry, sig) == 0) {
			found = CRYPTO_memcmp(mac, sig, SIGNATURE_BYTES) == 0;
		}
	}
	return found;
}

static mih_sign_result match_secrets(const signed_content *content, const char *header,
	const char *const *secrets, size_t nsecrets, char *err, size_t errlen)
{
	unsigned char mac[SIGNATURE_BYTES];
	mih_sign_result result = MIH_SIGN_NO_MATCH;
	signing_key key;
	EVP_MAC *hmac;
	size_t i;

	if (!(hmac = fetch_hmac(err, errlen))) {
		return MIH_SIGN_ERROR;
	}
	for (i = 0; i < nsecrets && result == MIH_SIGN_NO_MATCH; i++) {
		/* Already validated by check_secrets(). */
		decode_secret(secrets[i], i + 1, &key, NULL, 0);
		if (compute_signature(hmac, &key, content, mac) != 0) {
			mih_set_err(err, errlen, "HMAC-SHA256 failed");
			result = MIH_SIGN_ERROR;
		} else if (mac_in_list(mac, header)) {
			result = MIH_SIGN_OK;
		}
	}
	forget_key(&key);
	OPENSSL_cleanse(mac, sizeof(mac));
	EVP_MAC_free(hmac);
	if (result == MIH_SIGN_NO_MATCH) {
		mih_set_err(err, errlen, "no v1 signature in webhook-signature matches the configured secrets");
	}
	return result;
}

mih_sign_result mih_sign_verify(const char *id, const char *timestamp, const char *signature,
	const char *body, size_t len, const char *const *secrets, size_t nsecrets,
	int64_t now_s, int64_t tolerance_s, char *err, size_t errlen)
{
	signed_content content = { id, timestamp, body, len };
	mih_sign_result result;
	size_t v1_count;
	int64_t ts;

	if (header_missing(id) || header_missing(timestamp) || header_missing(signature)) {
		mih_set_err(err, errlen, "the %s header is missing", header_missing(id) ? "webhook-id"
			: header_missing(timestamp) ? "webhook-timestamp" : "webhook-signature");
		return MIH_SIGN_MISSING_HEADER;
	}
	if (!body && len > 0) {
		mih_set_err(err, errlen, "body is NULL but its length is %zu", len);
		return MIH_SIGN_BAD_FORMAT;
	}
	if (check_secrets(secrets, nsecrets, err, errlen) != 0) {
		return MIH_SIGN_BAD_FORMAT;
	}
	if (parse_timestamp(timestamp, &ts) != 0) {
		mih_set_err(err, errlen, "webhook-timestamp is not a non-negative integer of Unix seconds");
		return MIH_SIGN_BAD_FORMAT;
	}
	if (check_signature_list(signature, &v1_count, err, errlen) != 0) {
		return MIH_SIGN_BAD_FORMAT;
	}
	if ((result = check_window(ts, now_s, tolerance_s, err, errlen)) != MIH_SIGN_OK) {
		return result;
	}
	if (v1_count == 0) {
		mih_set_err(err, errlen, "webhook-signature has no v1 entry");
		return MIH_SIGN_NO_MATCH;
	}
	return match_secrets(&content, signature, secrets, nsecrets, err, errlen);
}

/* ---- secrets, ids and masks for humans ---- */

int mih_sign_generate_secret(char *out, size_t outlen)
{
	unsigned char key[MIH_SIGN_SECRET_KEY_BYTES];
	size_t prefix = strlen(MIH_SIGN_SECRET_PREFIX);
	int rc = -1;

	if (outlen > 0) {
		out[0] = '\0';
	}
	if (outlen < MIH_SIGN_SECRET_SIZE || RAND_bytes(key, sizeof(key)) != 1) {
		return -1;
	}
	memcpy(out, MIH_SIGN_SECRET_PREFIX, prefix);
	rc = mih_sign_base64_encode(key, sizeof(key), out + prefix, outlen - prefix);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

/* The 5 bits at position pos of the 128-bit value in bytes, counted from the
 * top of the 130 bits that 26 base32 digits hold (the first 2 are zero). */
static unsigned int base32_digit(const unsigned char bytes[16], int pos)
{
	unsigned int v = 0;
	int k;

	for (k = 0; k < 5; k++) {
		int bit = pos + k - 2;

		v = (v << 1) | (bit < 0 ? 0u : (bytes[bit / 8] >> (7 - bit % 8)) & 1u);
	}
	return v;
}

int mih_sign_format_msg_id(int64_t now_ms, const unsigned char random[ULID_RANDOM_BYTES], char *out,
	size_t outlen)
{
	size_t prefix = strlen(MSG_ID_PREFIX);
	unsigned char bytes[16];
	uint64_t ms = now_ms < 0 ? 0 : (uint64_t)now_ms;
	int i;

	if (outlen < MIH_SIGN_MSG_ID_SIZE) {
		if (outlen > 0) {
			out[0] = '\0';
		}
		return -1;
	}
	for (i = 0; i < 6; i++) {
		bytes[i] = (unsigned char)(ms >> (8 * (5 - i)));
	}
	memcpy(bytes + 6, random, ULID_RANDOM_BYTES);
	memcpy(out, MSG_ID_PREFIX, prefix);
	for (i = 0; i < ULID_CHARS; i++) {
		out[prefix + (size_t)i] = crockford_alphabet[base32_digit(bytes, i * 5)];
	}
	out[prefix + ULID_CHARS] = '\0';
	return 0;
}

int mih_sign_new_msg_id(char *out, size_t outlen)
{
	unsigned char random[ULID_RANDOM_BYTES];
	struct timespec now;

	if (outlen > 0) {
		out[0] = '\0';
	}
	if (RAND_bytes(random, sizeof(random)) != 1 || clock_gettime(CLOCK_REALTIME, &now) != 0) {
		return -1;
	}
	return mih_sign_format_msg_id((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, random,
		out, outlen);
}

int mih_sign_mask(const char *secret, size_t len, char *out, size_t outlen)
{
	size_t start;

	if (outlen < MIH_SIGN_MASK_SIZE) {
		if (outlen > 0) {
			out[0] = '\0';
		}
		return -1;
	}
	memcpy(out, "****", 5);
	if (!secret || len < MIH_SIGN_MASK_MIN_REVEAL_LEN) {
		return 0;
	}
	/* Skip UTF-8 continuation bytes so no half character is printed. */
	start = len - 4;
	while (start < len && ((unsigned char)secret[start] & 0xC0) == 0x80) {
		start++;
	}
	memcpy(out + 4, secret + start, len - start);
	out[4 + len - start] = '\0';
	return 0;
}
