/* JSON text out of the template engine: string escaping, number formatting
 * and json_encode-compatible serialization of values read through
 * mih_tpl_value_ops. The buffer is template_buf.c's, the UTF-8 rules
 * template_utf8.c's, checking rendered JSON template_json_check.c's and the
 * compile-time validity proof template_json_proof.c's. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "template_internal.h"
static const char hex_lower[] = "0123456789abcdef";

/* 1 for the bytes a JSON string holds as they are (printable ASCII but '"'
 * and '\\'). */
const unsigned char tpl_json_plain[256] = {
	['\x20'] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x20-0x2F, '"' */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,			/* 0x30-0x3F */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,			/* 0x40-0x4F */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,			/* 0x50-0x5F, '\\' */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,			/* 0x60-0x6F */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1			/* 0x70-0x7F */
};

/* Scans and copies in one pass, 8 bytes at a time while no byte needs
 * attention, straight into the buffer: room for the rest of the input plus
 * one escape is kept reserved ahead of the write position. */
size_t tpl_json_escape(tpl_buf *b, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	char *d;

	if (tpl_buf_room(b, len + 8) != 0) {
		return tpl_utf8_valid_prefix(s, len);	/* nothing written: b->failed tells */
	}
	d = b->data + b->len;
	while (i < len) {
		unsigned char c;
		size_t n;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		while (i + 8 <= len) {
			uint64_t w, special;
			memcpy(&w, s + i, 8);
			special = tpl_json_special_bytes(w);
			/* the whole word is stored; only the bytes before the first
			 * special one count as written */
			memcpy(d, &w, 8);
			if (special) {
				size_t plain = (size_t)__builtin_ctzll(special) / 8;
				d += plain;
				i += plain;
				break;
			}
			d += 8;
			i += 8;
		}
#endif
		while (i < len && tpl_json_plain[s[i]]) {
			*d++ = (char)s[i++];
		}
		if (i == len) {
			break;
		}
		c = s[i];
		if (c >= 0x80) {
			n = tpl_utf8_sequence_len(s + i, len - i);
			if (n == 0) {
				b->len = (size_t)(d - b->data);
				return i;
			}
			/* JSON allows U+2028/U+2029 raw but JavaScript did not: escape like PHP */
			if (n != 3 || c != 0xE2 || s[i + 1] != 0x80 || (s[i + 2] != 0xA8 && s[i + 2] != 0xA9)) {
				memcpy(d, s + i, n);
				d += n;
				i += n;
				continue;
			}
		}
		/* an escape writes up to 6 bytes for 1 to 3 read: keep the room */
		b->len = (size_t)(d - b->data);
		if (tpl_buf_room(b, len - i + 14) != 0) {
			return i + tpl_utf8_valid_prefix(s + i, len - i);
		}
		d = b->data + b->len;
		*d++ = '\\';
		switch (c) {
			case '"': *d++ = '"'; break;
			case '\\': *d++ = '\\'; break;
			case '\b': *d++ = 'b'; break;
			case '\f': *d++ = 'f'; break;
			case '\n': *d++ = 'n'; break;
			case '\r': *d++ = 'r'; break;
			case '\t': *d++ = 't'; break;
			case 0xE2:	/* U+2028 or U+2029 */
				memcpy(d, s[i + 2] == 0xA8 ? "u2028" : "u2029", 5);
				d += 5;
				i += 2;
				break;
			default:
				memcpy(d, "u00", 3);
				d[3] = hex_lower[c >> 4];
				d[4] = hex_lower[c & 15];
				d += 5;
		}
		i++;
	}
	b->len = (size_t)(d - b->data);
	return len;
}

size_t tpl_format_int(json_int_t value, char *buf)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	char tmp[24];
	char *p = tmp + sizeof(tmp);
	/* negate in unsigned arithmetic so that the most negative value works */
	unsigned long long u = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
	size_t n;

	while (u >= 100) {
		unsigned d = (unsigned)(u % 100) * 2;
		u /= 100;
		*--p = pairs[d + 1];
		*--p = pairs[d];
	}
	if (u >= 10) {
		*--p = pairs[u * 2 + 1];
		*--p = pairs[u * 2];
	} else {
		*--p = (char)('0' + u);
	}
	if (value < 0) {
		*--p = '-';
	}
	n = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(buf, p, n);
	buf[n] = '\0';
	return n;
}

/* The fast path of shortest_digits, for value (> 0) = m / 10^k with m below
 * 10^15 and k <= 15 (most reals in event data: 87.5, 0.25, 1700000000.5).
 * m and 10^k are exact doubles and IEEE division rounds correctly, so
 * m / 10^k == value proves that the decimal m e-k reads back as value; no
 * two decimals of at most 15 significant digits (DBL_DIG) read as the same
 * double, so the smallest such k gives the only shortest digits. The error
 * of value * 10^k is far below 0.5 at these magnitudes, so rounding it
 * finds m. 1 with digits and decpt set, or 0 to take the general path. */
static int shortest_digits_exact(double value, char *digits, int *decpt)
{
	static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
		1e11, 1e12, 1e13, 1e14, 1e15};
	int k, n;

	if (!(value >= 1e-15 && value < 1e15)) {
		return 0;
	}
	for (k = 0; k <= 15; k++) {
		double scaled = value * pow10[k];
		uint64_t m;
		char tmp[24];
		if (scaled >= 1e15) {
			return 0;
		}
		m = (uint64_t)(scaled + 0.5);
		if (m == 0 || (double)m / pow10[k] != value) {
			continue;
		}
		n = (int)tpl_format_int((json_int_t)m, tmp);
		*decpt = n - k;
		while (n > 1 && tmp[n - 1] == '0') {
			n--;
		}
		memcpy(digits, tmp, (size_t)n);
		digits[n] = '\0';
		return 1;
	}
	return 0;
}

static void shortest_digits(double value, char *digits, int *decpt)
{
	char tmp[40];
	int prec, exp10 = 0, n = 0;
	char *p;

	if (shortest_digits_exact(value, digits, decpt)) {
		return;
	}

	/* subnormals carry fewer digits than DBL_DIG: search from one digit */
	for (prec = value < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, value);
		if (prec == 17 || strtod(tmp, NULL) == value) {
			break;
		}
	}
	for (p = tmp; *p && *p != 'e'; p++) {
		if (*p >= '0' && *p <= '9') {
			digits[n++] = *p;
		}
	}
	if (*p == 'e') {
		exp10 = atoi(p + 1);
	}
	while (n > 1 && digits[n - 1] == '0') {
		n--;
	}
	digits[n] = '\0';
	*decpt = exp10 + 1;
}

/* Mirrors php_gcvt(value, 17, '.', 'e') with zend_dtoa mode 0, which is what
 * json_encode uses under serialize_precision = -1. */
size_t tpl_format_real(double value, char *buf)
{
	char digits[24];
	int decpt, i;
	char *d = buf;
	const char *s;

	if (value == 0) {
		return (size_t)sprintf(buf, "%s", signbit(value) ? "-0" : "0");
	}
	if (value < 0) {
		*d++ = '-';
		value = -value;
	}
	shortest_digits(value, digits, &decpt);
	if (decpt < 0 ? decpt < -3 : decpt > 17) {
		int e = decpt - 1;
		*d++ = digits[0];
		*d++ = '.';
		if (digits[1] == '\0') {
			*d++ = '0';
		} else {
			for (s = digits + 1; *s; s++) {
				*d++ = *s;
			}
		}
		d += sprintf(d, "e%c%d", e < 0 ? '-' : '+', e < 0 ? -e : e);
	} else if (decpt <= 0) {
		*d++ = '0';
		*d++ = '.';
		for (i = decpt; i < 0; i++) {
			*d++ = '0';
		}
		for (s = digits; *s; s++) {
			*d++ = *s;
		}
		*d = '\0';
	} else {
		s = digits;
		for (i = 0; i < decpt; i++) {
			*d++ = *s ? *s++ : '0';
		}
		if (*s) {
			*d++ = '.';
			while (*s) {
				*d++ = *s++;
			}
		}
		*d = '\0';
	}
	return (size_t)(d - buf);
}

int tpl_json_string(tpl_buf *b, const char *s, size_t len, char *why, size_t whylen)
{
	size_t ok;

	tpl_buf_putc(b, '"');
	ok = tpl_json_escape_inline(b, s, len);
	if (ok != len) {
		snprintf(why, whylen, "invalid UTF-8 (byte 0x%02x at offset %zu of a string)",
			(unsigned char)s[ok], ok);
		return -1;
	}
	tpl_buf_putc(b, '"');
	return 0;
}

typedef struct {
	tpl_buf *b;
	const mih_tpl_value_ops *ops;
	void *ctx;
	char *why;
	size_t whylen;
} serializer;

static int serialize_value(const serializer *sr, const void *v, int depth);

/* One map entry: its key and value, after a comma unless it is the first. */
typedef struct {
	const serializer *sr;
	int depth, first;
} map_visit;

static int serialize_entry(void *arg, const char *key, size_t key_len, const void *value)
{
	map_visit *mv = arg;
	tpl_buf *b = mv->sr->b;

	if (!mv->first) {
		tpl_buf_putc(b, ',');
	}
	mv->first = 0;
	if (tpl_json_string(b, key, key_len, mv->sr->why, mv->sr->whylen) != 0) {
		return -1;
	}
	tpl_buf_putc(b, ':');
	return serialize_value(mv->sr, value, mv->depth + 1);
}

static int serialize_value(const serializer *sr, const void *v, int depth)
{
	const mih_tpl_value_ops *ops = sr->ops;
	tpl_buf *b = sr->b;
	mih_tpl_scalar sc;
	size_t i, n;
	map_visit mv;
	int rc;

	tpl_read_scalar(ops, sr->ctx, v, &sc);
	rc = tpl_json_scalar(b, &sc, sr->why, sr->whylen);
	if (rc != 0) {
		return rc > 0 ? 0 : -1;
	}
	if (depth >= MIH_TPL_MAX_VALUE_DEPTH) {
		snprintf(sr->why, sr->whylen, "value nested deeper than %d levels", MIH_TPL_MAX_VALUE_DEPTH);
		return -1;
	}
	if (sc.type == MIH_TPL_VALUE_LIST) {
		n = ops->size(sr->ctx, v);
		tpl_buf_putc(b, '[');
		for (i = 0; i < n; i++) {
			if (i) {
				tpl_buf_putc(b, ',');
			}
			if (serialize_value(sr, ops->item(sr->ctx, v, i), depth + 1) != 0) {
				return -1;
			}
		}
		tpl_buf_putc(b, ']');
		return 0;
	}
	mv.sr = sr;
	mv.depth = depth;
	mv.first = 1;
	tpl_buf_putc(b, '{');
	if (ops->map_each(sr->ctx, v, serialize_entry, &mv) != 0) {
		return -1;
	}
	tpl_buf_putc(b, '}');
	return 0;
}

int tpl_json_serialize(tpl_buf *b, const mih_tpl_value_ops *ops, void *ctx, const void *v,
	char *why, size_t whylen)
{
	serializer sr;

	sr.b = b;
	sr.ops = ops;
	sr.ctx = ctx;
	sr.why = why;
	sr.whylen = whylen;
	return serialize_value(&sr, v, 0);
}
