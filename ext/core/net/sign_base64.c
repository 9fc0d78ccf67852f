/* Strict base64 of the signing core (mih_sign_base64_*, declared in
 * sign.h): the secrets and signatures of Standard Webhooks, and the sealed
 * envelopes of seal.c. */
#include "sign.h"
#include "err.h"

#include <string.h>

static const char base64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 26;
	}
	if (c >= '0' && c <= '9') {
		return c - '0' + 52;
	}
	if (c == '+') {
		return 62;
	}
	if (c == '/') {
		return 63;
	}
	return -1;
}

/* Number of '=' at the end of a base64 text whose length is a multiple of 4,
 * or -1 when padding appears anywhere but in the last two places. */
static int base64_padding(const char *in, size_t len, size_t *bad_offset)
{
	size_t i;
	int pad = 0;

	if (len >= 1 && in[len - 1] == '=') {
		pad = (len >= 2 && in[len - 2] == '=') ? 2 : 1;
	}
	for (i = 0; i < len - (size_t)pad; i++) {
		if (in[i] == '=') {
			*bad_offset = i;
			return -1;
		}
	}
	return pad;
}

int mih_sign_base64_decode(const char *in, size_t len, unsigned char *out, size_t outcap,
	size_t *outlen, char *err, size_t errlen)
{
	size_t i, o = 0, decoded, bad_offset = 0;
	unsigned int acc = 0;
	int pad, bits = 0;

	*outlen = 0;
	if (len % 4 != 0) {
		mih_set_err(err, errlen, "length %zu is not a multiple of 4", len);
		return -1;
	}
	if (len == 0) {
		return 0;
	}
	pad = base64_padding(in, len, &bad_offset);
	if (pad < 0) {
		mih_set_err(err, errlen, "padding '=' at offset %zu before the end", bad_offset);
		return -1;
	}
	decoded = len / 4 * 3 - (size_t)pad;
	if (decoded > outcap) {
		mih_set_err(err, errlen, "decodes to %zu bytes, more than the %zu allowed", decoded, outcap);
		return -1;
	}
	for (i = 0; i < len - (size_t)pad; i++) {
		int v = base64_value((unsigned char)in[i]);

		if (v < 0) {
			mih_set_err(err, errlen, "invalid character at offset %zu", i);
			return -1;
		}
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits must be zero, or two texts would decode to the same bytes. */
	if (acc != 0) {
		mih_set_err(err, errlen, "non-zero bits after the last byte (not canonical base64)");
		return -1;
	}
	*outlen = o;
	return 0;
}

int mih_sign_base64_encode(const unsigned char *in, size_t len, char *out, size_t outcap)
{
	size_t i, o = 0;

	if (outcap < (len + 2) / 3 * 4 + 1) {
		if (outcap > 0) {
			out[0] = '\0';
		}
		return -1;
	}
	for (i = 0; i + 2 < len; i += 3) {
		unsigned long n = ((unsigned long)in[i] << 16) | ((unsigned long)in[i + 1] << 8) | in[i + 2];

		out[o++] = base64_alphabet[(n >> 18) & 63];
		out[o++] = base64_alphabet[(n >> 12) & 63];
		out[o++] = base64_alphabet[(n >> 6) & 63];
		out[o++] = base64_alphabet[n & 63];
	}
	if (i < len) {
		unsigned long n = (unsigned long)in[i] << 16;

		if (i + 1 < len) {
			n |= (unsigned long)in[i + 1] << 8;
		}
		out[o++] = base64_alphabet[(n >> 18) & 63];
		out[o++] = base64_alphabet[(n >> 12) & 63];
		out[o++] = i + 1 < len ? base64_alphabet[(n >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return 0;
}
