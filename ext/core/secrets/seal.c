/* Secrets at rest: AES-256-GCM envelopes under a keyring (see seal.h). */
#include "seal.h"
#include "sign.h"
#include "err.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define NONCE_BYTES 12
#define TAG_BYTES 16
/* "$mih1$" + key id + "$" */
#define HEADER_LEN (sizeof(MIH_SEAL_PREFIX) - 1 + MIH_SEAL_KEY_ID_LEN + 1)
/* Secrets are short; this only keeps lengths within what libcrypto takes. */
#define PLAIN_MAX (1024 * 1024)
#define KEY_FILE_MAX 4096

/* ---- keys ----------------------------------------------------------------- */

static int hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	c = (unsigned char)tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A key written out: 64 hex digits or base64 of 32 bytes. */
static int parse_key_text(const char *s, size_t len, unsigned char out[MIH_SEAL_KEY_BYTES])
{
	unsigned char buf[48];
	size_t n = 0;
	char ignored[64];
	int rc = -1;

	if (len == 2 * MIH_SEAL_KEY_BYTES) {
		for (n = 0; n < MIH_SEAL_KEY_BYTES; n++) {
			int hi = hex_digit((unsigned char)s[2 * n]), lo = hex_digit((unsigned char)s[2 * n + 1]);

			if (hi < 0 || lo < 0) {
				break;
			}
			buf[n] = (unsigned char)(hi << 4 | lo);
		}
		if (n == MIH_SEAL_KEY_BYTES) {
			memcpy(out, buf, MIH_SEAL_KEY_BYTES);
			rc = 0;
		}
	} else if (mih_sign_base64_decode(s, len, buf, sizeof(buf), &n, ignored, sizeof(ignored)) == 0
			&& n == MIH_SEAL_KEY_BYTES) {
		memcpy(out, buf, MIH_SEAL_KEY_BYTES);
		rc = 0;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

static void trim(const char **s, size_t *len)
{
	while (*len > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && isspace((unsigned char)(*s)[*len - 1])) {
		(*len)--;
	}
}

static int read_key_file(const char *path, unsigned char out[MIH_SEAL_KEY_BYTES], char *err, size_t errlen)
{
	char buf[KEY_FILE_MAX + 1];
	const char *text = buf;
	size_t len = 0;
	struct stat sb;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int rc = -1;

	if (fd < 0) {
		mih_set_err(err, errlen, "the key file cannot be opened: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		mih_set_err(err, errlen, "the key file is not a regular file");
		close(fd);
		return -1;
	}
	while (len < sizeof(buf) && (got = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (got < 0) {
			if (errno == EINTR) {
				continue;
			}
			mih_set_err(err, errlen, "the key file cannot be read: %s", strerror(errno));
			len = sizeof(buf) + 1;
			break;
		}
		len += (size_t)got;
	}
	close(fd);
	if (len <= KEY_FILE_MAX) {
		trim(&text, &len);
		rc = parse_key_text(text, len, out);
		if (rc != 0) {
			mih_set_err(err, errlen, "the key file does not hold 64 hex digits or base64 of 32 bytes");
		}
	} else if (len == sizeof(buf)) {
		mih_set_err(err, errlen, "the key file is larger than %d bytes", KEY_FILE_MAX);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int mih_seal_parse_key(const char *spec, size_t len, unsigned char out[MIH_SEAL_KEY_BYTES],
	char *err, size_t errlen)
{
	char path[KEY_FILE_MAX];

	trim(&spec, &len);
	if (parse_key_text(spec, len, out) == 0) {
		return 0;
	}
	if (len > 0 && spec[0] == '/' && len < sizeof(path) && !memchr(spec, '\0', len)) {
		memcpy(path, spec, len);
		path[len] = '\0';
		return read_key_file(path, out, err, errlen);
	}
	mih_set_err(err, errlen, "a key must be 64 hex digits, base64 of 32 bytes, or the absolute path of a file holding one");
	return -1;
}

int mih_seal_key_id(const unsigned char key[MIH_SEAL_KEY_BYTES], char *out)
{
	static const char label[] = "mih key id";
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1
		&& EVP_DigestUpdate(md, label, sizeof(label) - 1) == 1
		&& EVP_DigestUpdate(md, key, MIH_SEAL_KEY_BYTES) == 1
		&& EVP_DigestFinal_ex(md, digest, &dlen) == 1 && dlen >= MIH_SEAL_KEY_ID_LEN / 2;

	EVP_MD_CTX_free(md);
	out[0] = '\0';
	if (!ok) {
		return -1;
	}
	for (size_t i = 0; i < MIH_SEAL_KEY_ID_LEN / 2; i++) {
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
	}
	return 0;
}

void mih_keyring_init(mih_keyring *kr)
{
	memset(kr, 0, sizeof(*kr));
}

void mih_keyring_wipe(mih_keyring *kr)
{
	OPENSSL_cleanse(kr, sizeof(*kr));
	mih_keyring_init(kr);
}

static const mih_seal_key *find_key(const mih_keyring *kr, const char *id)
{
	for (size_t i = 0; i < kr->count; i++) {
		if (strcmp(kr->keys[i].id, id) == 0) {
			return &kr->keys[i];
		}
	}
	return NULL;
}

int mih_keyring_add(mih_keyring *kr, const unsigned char key[MIH_SEAL_KEY_BYTES], bool current,
	char *err, size_t errlen)
{
	mih_seal_key k;
	const mih_seal_key *held;
	size_t olds = kr->count - (kr->has_current ? 1 : 0);

	if (mih_seal_key_id(key, k.id) != 0) {
		mih_set_err(err, errlen, "cannot compute a key id (libcrypto failed)");
		return -1;
	}
	if (current && kr->has_current) {
		mih_set_err(err, errlen, "there is already a current key");
		return -1;
	}
	held = find_key(kr, k.id);
	if (held && !current) {
		return 0;
	}
	if (!held && !current && olds == MIH_SEAL_MAX_OLD_KEYS) {
		mih_set_err(err, errlen, "at most %d old keys are accepted", MIH_SEAL_MAX_OLD_KEYS);
		return -1;
	}
	memcpy(k.bytes, key, MIH_SEAL_KEY_BYTES);
	if (held) {
		/* An old key becomes the current one: moved to the front. */
		size_t at = (size_t)(held - kr->keys);

		memmove(&kr->keys[1], &kr->keys[0], at * sizeof(kr->keys[0]));
		kr->keys[0] = k;
		kr->has_current = true;
	} else if (current) {
		memmove(&kr->keys[1], &kr->keys[0], kr->count * sizeof(kr->keys[0]));
		kr->keys[0] = k;
		kr->has_current = true;
		kr->count++;
	} else {
		kr->keys[kr->count++] = k;
	}
	OPENSSL_cleanse(&k, sizeof(k));
	return 0;
}

int mih_keyring_load(mih_keyring *kr, const char *current, const char *old, char *err, size_t errlen)
{
	unsigned char key[MIH_SEAL_KEY_BYTES];
	char why[192];
	size_t len = current ? strlen(current) : 0;
	const char *p = current;
	size_t i = 0;

	mih_keyring_init(kr);
	trim(&p, &len);
	if (len > 0) {
		if (mih_seal_parse_key(p, len, key, why, sizeof(why)) != 0) {
			mih_set_err(err, errlen, "mih.secret_key: %s", why);
			goto fail;
		}
		if (mih_keyring_add(kr, key, true, why, sizeof(why)) != 0) {
			mih_set_err(err, errlen, "mih.secret_key: %s", why);
			goto fail;
		}
	}
	for (p = old ? old : ""; *p; p += len) {
		p += strspn(p, ", \t\r\n");
		len = strcspn(p, ", \t\r\n");
		if (len == 0) {
			continue;
		}
		i++;
		if (mih_seal_parse_key(p, len, key, why, sizeof(why)) != 0
				|| mih_keyring_add(kr, key, false, why, sizeof(why)) != 0) {
			mih_set_err(err, errlen, "mih.secret_keys_old entry %zu: %s", i, why);
			goto fail;
		}
	}
	OPENSSL_cleanse(key, sizeof(key));
	return 0;
fail:
	OPENSSL_cleanse(key, sizeof(key));
	mih_keyring_wipe(kr);
	return -1;
}

const char *mih_keyring_current_id(const mih_keyring *kr)
{
	return kr->has_current ? kr->keys[0].id : NULL;
}

/* ---- envelopes -------------------------------------------------------------- */

bool mih_seal_is_sealed(const char *value, size_t len)
{
	return value && len >= sizeof(MIH_SEAL_PREFIX) - 1
		&& memcmp(value, MIH_SEAL_PREFIX, sizeof(MIH_SEAL_PREFIX) - 1) == 0;
}

bool mih_seal_envelope_key_id(const char *value, size_t len, char out[MIH_SEAL_KEY_ID_LEN + 1])
{
	const char *id = value + sizeof(MIH_SEAL_PREFIX) - 1;

	if (!mih_seal_is_sealed(value, len) || len < HEADER_LEN || value[HEADER_LEN - 1] != '$') {
		return false;
	}
	for (size_t i = 0; i < MIH_SEAL_KEY_ID_LEN; i++) {
		if (!isxdigit((unsigned char)id[i]) || isupper((unsigned char)id[i])) {
			return false;
		}
	}
	memcpy(out, id, MIH_SEAL_KEY_ID_LEN);
	out[MIH_SEAL_KEY_ID_LEN] = '\0';
	return true;
}

bool mih_seal_is_current(const mih_keyring *kr, const char *value, size_t len)
{
	char id[MIH_SEAL_KEY_ID_LEN + 1];

	if (!mih_seal_is_sealed(value, len)) {
		return !kr->has_current;
	}
	return kr->has_current && mih_seal_envelope_key_id(value, len, id) && strcmp(id, kr->keys[0].id) == 0;
}

/* The authenticated data: the envelope's header, then the context. */
static int gcm_aad(EVP_CIPHER_CTX *c, const char *header, const char *context)
{
	int n;

	return EVP_CipherUpdate(c, NULL, &n, (const unsigned char *)header, (int)HEADER_LEN) == 1
		&& EVP_CipherUpdate(c, NULL, &n, (const unsigned char *)(context ? context : ""),
			(int)strlen(context ? context : "")) == 1 ? 0 : -1;
}

int mih_seal(const mih_keyring *kr, const char *context, const char *plain, size_t len,
	char **out, char *err, size_t errlen)
{
	const mih_seal_key *key = kr->has_current ? &kr->keys[0] : NULL;
	size_t raw_len = NONCE_BYTES + len + TAG_BYTES;
	unsigned char *raw = NULL;
	char header[HEADER_LEN + 1];
	char *env = NULL;
	EVP_CIPHER_CTX *c = NULL;
	int n, rc = -1;

	*out = NULL;
	if (!key) {
		mih_set_err(err, errlen, "no current key to encrypt with");
		return -1;
	}
	if (len > PLAIN_MAX) {
		mih_set_err(err, errlen, "a secret of %zu bytes is too long to encrypt (at most %d)", len, PLAIN_MAX);
		return -1;
	}
	snprintf(header, sizeof(header), "%s%s$", MIH_SEAL_PREFIX, key->id);
	raw = malloc(raw_len);
	env = malloc(HEADER_LEN + 4 * ((raw_len + 2) / 3) + 1);
	c = EVP_CIPHER_CTX_new();
	if (!raw || !env || !c) {
		mih_set_err(err, errlen, "out of memory encrypting a secret");
		goto done;
	}
	if (RAND_bytes(raw, NONCE_BYTES) != 1
			|| EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1
			|| EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_BYTES, NULL) != 1
			|| EVP_EncryptInit_ex(c, NULL, NULL, key->bytes, raw) != 1
			|| gcm_aad(c, header, context) != 0
			|| EVP_EncryptUpdate(c, raw + NONCE_BYTES, &n, (const unsigned char *)plain, (int)len) != 1
			|| EVP_EncryptFinal_ex(c, raw + NONCE_BYTES + n, &n) != 1
			|| EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_BYTES, raw + NONCE_BYTES + len) != 1) {
		mih_set_err(err, errlen, "libcrypto failed to encrypt a secret");
		goto done;
	}
	memcpy(env, header, HEADER_LEN);
	if (mih_sign_base64_encode(raw, raw_len, env + HEADER_LEN, 4 * ((raw_len + 2) / 3) + 1) != 0) {
		mih_set_err(err, errlen, "cannot encode an encrypted secret");
		goto done;
	}
	*out = env;
	env = NULL;
	rc = 0;
done:
	EVP_CIPHER_CTX_free(c);
	if (raw) {
		OPENSSL_cleanse(raw, raw_len);
		free(raw);
	}
	free(env);
	return rc;
}

static char *copy_plain(const char *value, size_t len)
{
	char *out = malloc(len + 1);

	if (out) {
		memcpy(out, value, len);
		out[len] = '\0';
	}
	return out;
}

mih_unseal_result mih_unseal(const mih_keyring *kr, const char *context, const char *value,
	size_t len, char **out, size_t *outlen, char *err, size_t errlen)
{
	char id[MIH_SEAL_KEY_ID_LEN + 1];
	const mih_seal_key *key;
	unsigned char *raw = NULL;
	char *plain = NULL;
	size_t raw_len = 0, body_len = len > HEADER_LEN ? len - HEADER_LEN : 0;
	EVP_CIPHER_CTX *c = NULL;
	mih_unseal_result result = MIH_UNSEAL_ERROR;
	char why[64];
	int n, m;

	*out = NULL;
	*outlen = 0;
	if (!mih_seal_is_sealed(value, len)) {
		if (!(*out = copy_plain(value ? value : "", value ? len : 0))) {
			mih_set_err(err, errlen, "out of memory reading a secret");
			return MIH_UNSEAL_ERROR;
		}
		*outlen = value ? len : 0;
		return MIH_UNSEAL_PLAIN;
	}
	if (!mih_seal_envelope_key_id(value, len, id)) {
		mih_set_err(err, errlen, "is not a well-formed encrypted value");
		return MIH_UNSEAL_MALFORMED;
	}
	key = find_key(kr, id);
	if (!key) {
		mih_set_err(err, errlen, "is encrypted with key id %s, which is not configured"
			" (neither mih.secret_key nor in mih.secret_keys_old)", id);
		return MIH_UNSEAL_UNKNOWN_KEY;
	}
	raw = malloc(body_len / 4 * 3 + 3);
	if (!raw) {
		mih_set_err(err, errlen, "out of memory reading a secret");
		return MIH_UNSEAL_ERROR;
	}
	if (mih_sign_base64_decode(value + HEADER_LEN, body_len, raw, body_len / 4 * 3 + 3, &raw_len,
			why, sizeof(why)) != 0 || raw_len < NONCE_BYTES + TAG_BYTES
			|| raw_len - NONCE_BYTES - TAG_BYTES > PLAIN_MAX) {
		mih_set_err(err, errlen, "is not a well-formed encrypted value");
		result = MIH_UNSEAL_MALFORMED;
		goto done;
	}
	plain = malloc(raw_len - NONCE_BYTES - TAG_BYTES + 1);
	c = EVP_CIPHER_CTX_new();
	if (!plain || !c) {
		mih_set_err(err, errlen, "out of memory reading a secret");
		goto done;
	}
	if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1
			|| EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_BYTES, NULL) != 1
			|| EVP_DecryptInit_ex(c, NULL, NULL, key->bytes, raw) != 1
			|| gcm_aad(c, value, context) != 0
			|| EVP_DecryptUpdate(c, (unsigned char *)plain, &n, raw + NONCE_BYTES,
				(int)(raw_len - NONCE_BYTES - TAG_BYTES)) != 1
			|| EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_BYTES,
				raw + raw_len - TAG_BYTES) != 1) {
		mih_set_err(err, errlen, "libcrypto failed to decrypt a secret");
		goto done;
	}
	if (EVP_DecryptFinal_ex(c, (unsigned char *)plain + n, &m) != 1) {
		mih_set_err(err, errlen, "does not decrypt with key id %s (altered, or not this field's value)", id);
		result = MIH_UNSEAL_FAILED;
		goto done;
	}
	plain[n + m] = '\0';
	*out = plain;
	*outlen = (size_t)(n + m);
	plain = NULL;
	result = MIH_UNSEAL_OK;
done:
	EVP_CIPHER_CTX_free(c);
	if (plain) {
		OPENSSL_cleanse(plain, raw_len - NONCE_BYTES - TAG_BYTES + 1);
		free(plain);
	}
	OPENSSL_cleanse(raw, body_len / 4 * 3 + 3);
	free(raw);
	return result;
}
