/* Inbound token credentials (see inbound.h). */
#include "inbound.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <strings.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

const char *mih_inbound_trim(const char *value, size_t vlen, size_t *len)
{
	size_t start = 0, end = vlen;

	if (!value) {
		*len = 0;
		return value;
	}
	while (start < end && is_blank(value[start])) {
		start++;
	}
	while (end > start && is_blank(value[end - 1])) {
		end--;
	}
	*len = end - start;
	return value + start;
}

bool mih_inbound_bearer(const char *value, size_t vlen, const char **token, size_t *len)
{
	static const char scheme[] = "bearer";
	const size_t slen = sizeof(scheme) - 1;
	const char *t;
	size_t start = 0, tlen;

	if (!value) {
		return false;
	}
	while (start < vlen && is_blank(value[start])) {
		start++;
	}
	/* The scheme, then at least one blank: "Bearerx" is another scheme. */
	if (vlen - start <= slen || strncasecmp(value + start, scheme, slen) != 0 || !is_blank(value[start + slen])) {
		return false;
	}
	t = mih_inbound_trim(value + start + slen, vlen - start - slen, &tlen);
	if (tlen == 0) {
		return false;
	}
	*token = t;
	*len = tlen;
	return true;
}

static bool digest(const char *s, size_t len, unsigned char out[32])
{
	unsigned int n = 0;

	return EVP_Digest(s, len, out, &n, EVP_sha256(), NULL) == 1 && n == 32;
}

bool mih_inbound_token_equals(const char *expected, size_t elen, const char *given, size_t glen)
{
	unsigned char a[32], b[32];
	bool ok;

	if (!expected || elen == 0 || !given) {
		return false;
	}
	if (!digest(expected, elen, a) || !digest(given, glen, b)) {
		return false;
	}
	ok = CRYPTO_memcmp(a, b, sizeof(a)) == 0;
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
	return ok;
}
