/* Byte-level helpers of the template engine: the growable output buffer,
 * UTF-8 checks, JSON string escaping, json_encode-compatible serialization
 * of jansson values and a validator for rendered JSON payloads. */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "template_internal.h"

void tpl_set_error(mih_tpl_error *err, unsigned line, unsigned column, const char *fmt, ...)
{
	va_list ap;

	if (!err) {
		return;
	}
	err->line = line;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

void tpl_position_of(const char *src, size_t off, unsigned *line, unsigned *column)
{
	unsigned l = 1, c = 1;
	size_t i;

	for (i = 0; i < off; i++) {
		unsigned char ch = (unsigned char)src[i];
		if (ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*column = c;
}

int tpl_buf_reserve(tpl_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->failed) {
		return -1;
	}
	need = b->len + extra + 1;	/* room for the final NUL */
	if (need <= b->cap) {
		return 0;
	}
	cap = b->cap ? b->cap : 256;
	while (cap < need) {
		cap *= 2;
	}
	p = realloc(b->data, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is invalid. */
static size_t utf8_sequence_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];

	if (c < 0x80) {
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		return avail >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	}
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
		return avail >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
		return avail >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80
			&& (s[3] & 0xC0) == 0x80 ? 4 : 0;
	}
	return 0;
}

size_t tpl_utf8_valid_prefix(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_sequence_len(s + i, len - i);
		if (n == 0) {
			return i;
		}
		i += n;
	}
	return len;
}

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
			n = utf8_sequence_len(s + i, len - i);
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

/* The validator: a plain recursive-descent-free scanner with an explicit
 * stack, so hostile nesting cannot exhaust the C stack. */
#define VALIDATE_MAX_DEPTH 1024

typedef struct {
	const unsigned char *s;
	size_t len, pos;
	char *why;
	size_t whylen;
} json_scanner;

static int scan_fail(json_scanner *sc, const char *reason)
{
	snprintf(sc->why, sc->whylen, "%s", reason);
	return -1;
}

static void skip_ws(json_scanner *sc)
{
	while (sc->pos < sc->len) {
		unsigned char c = sc->s[sc->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			return;
		}
		sc->pos++;
	}
}

static int hex4(json_scanner *sc, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned char c;
		if (sc->pos >= sc->len) {
			return scan_fail(sc, "unterminated \\u escape");
		}
		c = sc->s[sc->pos];
		if (c >= '0' && c <= '9') {
			v = v * 16 + (c - '0');
		} else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
			v = v * 16 + ((c | 0x20) - 'a' + 10);
		} else {
			return scan_fail(sc, "invalid hex digit in a \\u escape");
		}
		sc->pos++;
	}
	*out = v;
	return 0;
}

static int scan_escape(json_scanner *sc)
{
	unsigned cp, lo;
	unsigned char c;

	if (sc->pos >= sc->len) {
		return scan_fail(sc, "unterminated string");
	}
	c = sc->s[sc->pos];
	if (strchr("\"\\/bfnrt", c) && c) {
		sc->pos++;
		return 0;
	}
	if (c != 'u') {
		return scan_fail(sc, "invalid escape sequence in a string");
	}
	sc->pos++;
	if (hex4(sc, &cp) != 0) {
		return -1;
	}
	if (cp >= 0xDC00 && cp <= 0xDFFF) {
		return scan_fail(sc, "lone low surrogate escape in a string");
	}
	if (cp < 0xD800 || cp > 0xDBFF) {
		return 0;
	}
	if (sc->pos + 1 >= sc->len || sc->s[sc->pos] != '\\' || sc->s[sc->pos + 1] != 'u') {
		return scan_fail(sc, "high surrogate escape not followed by a low surrogate");
	}
	sc->pos += 2;
	if (hex4(sc, &lo) != 0) {
		return -1;
	}
	if (lo < 0xDC00 || lo > 0xDFFF) {
		sc->pos -= 6;
		return scan_fail(sc, "high surrogate escape not followed by a low surrogate");
	}
	return 0;
}

static int scan_string(json_scanner *sc)
{
	sc->pos++;	/* opening quote */
	for (;;) {
		unsigned char c;
		size_t n;
		if (sc->pos >= sc->len) {
			return scan_fail(sc, "unterminated string");
		}
		c = sc->s[sc->pos];
		if (c == '"') {
			sc->pos++;
			return 0;
		}
		if (c == '\\') {
			sc->pos++;
			if (scan_escape(sc) != 0) {
				return -1;
			}
			continue;
		}
		if (c < 0x20) {
			return scan_fail(sc, "control character inside a string");
		}
		n = utf8_sequence_len(sc->s + sc->pos, sc->len - sc->pos);
		if (n == 0) {
			return scan_fail(sc, "invalid UTF-8 inside a string");
		}
		sc->pos += n;
	}
}

static int scan_digits(json_scanner *sc)
{
	size_t start = sc->pos;

	while (sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9') {
		sc->pos++;
	}
	return sc->pos > start ? 0 : scan_fail(sc, "malformed number");
}

static int scan_number(json_scanner *sc)
{
	if (sc->s[sc->pos] == '-') {
		sc->pos++;
	}
	if (sc->pos < sc->len && sc->s[sc->pos] == '0') {
		sc->pos++;
	} else if (scan_digits(sc) != 0) {
		return -1;
	}
	if (sc->pos < sc->len && sc->s[sc->pos] == '.') {
		sc->pos++;
		if (scan_digits(sc) != 0) {
			return -1;
		}
	}
	if (sc->pos < sc->len && (sc->s[sc->pos] | 0x20) == 'e') {
		sc->pos++;
		if (sc->pos < sc->len && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-')) {
			sc->pos++;
		}
		if (scan_digits(sc) != 0) {
			return -1;
		}
	}
	return 0;
}

static int scan_literal(json_scanner *sc, const char *word)
{
	size_t n = strlen(word);

	if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, word, n) != 0) {
		return scan_fail(sc, "unexpected character");
	}
	sc->pos += n;
	return 0;
}

/* A scalar, or the opening bracket of a container (pushed on stack). */
static int scan_value_start(json_scanner *sc, char *stack, int *depth)
{
	unsigned char c;

	if (sc->pos >= sc->len) {
		return scan_fail(sc, "unexpected end, a value was expected");
	}
	c = sc->s[sc->pos];
	switch (c) {
		case '{':
		case '[':
			if (*depth >= VALIDATE_MAX_DEPTH) {
				return scan_fail(sc, "nested deeper than 1024 levels");
			}
			stack[(*depth)++] = (char)c;
			sc->pos++;
			return 1;
		case '"':
			return scan_string(sc);
		case 't':
			return scan_literal(sc, "true");
		case 'f':
			return scan_literal(sc, "false");
		case 'n':
			return scan_literal(sc, "null");
		default:
			if (c == '-' || (c >= '0' && c <= '9')) {
				return scan_number(sc);
			}
			return scan_fail(sc, "unexpected character, a value was expected");
	}
}

static int scan_object_key(json_scanner *sc)
{
	skip_ws(sc);
	if (sc->pos >= sc->len || sc->s[sc->pos] != '"') {
		return scan_fail(sc, sc->pos >= sc->len ? "unexpected end, an object key was expected"
			: "an object key (a string) was expected");
	}
	if (scan_string(sc) != 0) {
		return -1;
	}
	skip_ws(sc);
	if (sc->pos >= sc->len || sc->s[sc->pos] != ':') {
		return scan_fail(sc, "':' expected after an object key");
	}
	sc->pos++;
	return 0;
}

int tpl_json_validate(const char *s, size_t len, size_t *bad_offset, char *why, size_t whylen)
{
	json_scanner sc = {(const unsigned char *)s, len, 0, why, whylen};
	char stack[VALIDATE_MAX_DEPTH];
	int depth = 0, r;

	skip_ws(&sc);
	if (sc.pos >= len) {
		*bad_offset = 0;
		snprintf(why, whylen, "the output is empty");
		return -1;
	}
	for (;;) {
		/* here a value is expected */
		skip_ws(&sc);
		r = scan_value_start(&sc, stack, &depth);
		if (r < 0) {
			break;
		}
		if (r == 1) {
			char close = stack[depth - 1] == '{' ? '}' : ']';
			skip_ws(&sc);
			if (sc.pos < len && (unsigned char)sc.s[sc.pos] == (unsigned char)close) {
				sc.pos++;
				depth--;
			} else {
				if (stack[depth - 1] == '{' && scan_object_key(&sc) != 0) {
					r = -1;
					break;
				}
				continue;
			}
		}
		/* a value ended: close containers or expect the next member */
		for (;;) {
			skip_ws(&sc);
			if (depth == 0) {
				if (sc.pos < len) {
					r = scan_fail(&sc, "unexpected text after the JSON value");
				}
				break;
			}
			if (sc.pos >= len) {
				r = scan_fail(&sc, stack[depth - 1] == '{' ? "unexpected end, '}' expected"
					: "unexpected end, ']' expected");
				break;
			}
			if (sc.s[sc.pos] == ',') {
				sc.pos++;
				if (stack[depth - 1] == '{' && scan_object_key(&sc) != 0) {
					r = -1;
				}
				break;
			}
			if (sc.s[sc.pos] == (stack[depth - 1] == '{' ? '}' : ']')) {
				sc.pos++;
				depth--;
				continue;
			}
			r = scan_fail(&sc, stack[depth - 1] == '{' ? "',' or '}' expected"
				: "',' or ']' expected");
			break;
		}
		if (r < 0 || depth == 0) {
			break;
		}
	}
	if (r < 0) {
		*bad_offset = sc.pos;
		return -1;
	}
	return 0;
}

/* Compile-time proof that every render of a JSON-mode template is valid
 * JSON, so the per-render validation can be skipped.
 *
 * A recognizer that accepts only what tpl_json_validate accepts (or less)
 * runs over the literal text, with every tag treated as what it is known to
 * write whatever the data:
 * - a {{tag}} in value position writes exactly one complete JSON value (or
 *   fails the render): it is accepted where a value may start, between
 *   tokens, and leaves the recognizer after a value, so the next byte must be
 *   whitespace, ',', '}', ']' or the end, which delimit any value's text;
 * - a {{tag}} inside a string writes complete escapes and whole UTF-8
 *   sequences and never a quote: it is accepted only between characters of a
 *   string (not inside an escape or a UTF-8 sequence) and changes nothing;
 * - a section or inverted section writes its body any number of times: it
 *   is accepted when its body, run from the state at its opening tag, comes
 *   back to exactly that state (same containers, same expectation, same
 *   token), so repeating or skipping it leaves the rest of the run unchanged.
 * Raw tags, partials and inheritance write text not known at compile time:
 * such templates keep the validation. Containers nest at most
 * PROOF_MAX_DEPTH deep in the literal text, so with values (at most
 * MIH_TPL_MAX_VALUE_DEPTH deep) the output stays within the validator's
 * limit of VALIDATE_MAX_DEPTH. */
#define PROOF_MAX_DEPTH 64

typedef enum {
	EXPECT_TOP_VALUE,	/* the start: a value */
	EXPECT_VALUE,		/* after ':' or ',' in a list */
	EXPECT_VALUE_OR_CLOSE,	/* after '[' */
	EXPECT_KEY,		/* after ',' in an object */
	EXPECT_KEY_OR_CLOSE,	/* after '{' */
	EXPECT_COLON,		/* after a key */
	EXPECT_AFTER_VALUE	/* ',' or a closing bracket, or the end at depth 0 */
} proof_expect;

typedef enum {
	TOKEN_NONE,		/* between tokens */
	TOKEN_STRING,
	TOKEN_NUMBER,
	TOKEN_LITERAL
} proof_token;

/* Where a number stands: the states after which it may end are marked. */
typedef enum {
	NUM_MINUS, NUM_ZERO /* may end */, NUM_INT /* may end */, NUM_DOT,
	NUM_FRAC /* may end */, NUM_E, NUM_E_SIGN, NUM_EXP /* may end */
} proof_number;

typedef struct {
	uint64_t objects;	/* bit d set: the open container at depth d is an object */
	unsigned depth;
	uint8_t expect;		/* proof_expect; for a token in progress: once it ends */
	uint8_t token;		/* proof_token */
	/* inside a string */
	uint8_t escape;		/* 1 after a backslash, 2-5: \u hex digits still due + 1 */
	uint8_t utf8_left;	/* UTF-8 continuation bytes still due */
	uint8_t utf8_lo, utf8_hi;	/* allowed range of the next continuation byte */
	unsigned uvalue;	/* the \u escape read so far */
	/* inside a number or true/false/null */
	uint8_t number;		/* proof_number */
	const char *literal;
	uint8_t literal_pos;
} proof_lexer;

static int proof_open(proof_lexer *lx, int object)
{
	if (lx->depth >= PROOF_MAX_DEPTH) {
		return -1;
	}
	if (object) {
		lx->objects |= (uint64_t)1 << lx->depth;
	}
	lx->depth++;
	lx->expect = object ? EXPECT_KEY_OR_CLOSE : EXPECT_VALUE_OR_CLOSE;
	return 0;
}

static int proof_close(proof_lexer *lx, unsigned char c)
{
	int object;

	if (lx->depth == 0) {
		return -1;
	}
	object = (lx->objects >> (lx->depth - 1)) & 1;
	if (c != (object ? '}' : ']')) {
		return -1;
	}
	lx->depth--;
	lx->objects &= ~((uint64_t)1 << lx->depth);
	lx->expect = EXPECT_AFTER_VALUE;
	return 0;
}

static int proof_value_start(proof_lexer *lx, unsigned char c)
{
	lx->expect = EXPECT_AFTER_VALUE;
	switch (c) {
		case '{':
			return proof_open(lx, 1);
		case '[':
			return proof_open(lx, 0);
		case '"':
			lx->token = TOKEN_STRING;
			return 0;
		case 't':
			lx->literal = "true";
			break;
		case 'f':
			lx->literal = "false";
			break;
		case 'n':
			lx->literal = "null";
			break;
		default:
			if (c == '-' || (c >= '0' && c <= '9')) {
				lx->token = TOKEN_NUMBER;
				lx->number = c == '-' ? NUM_MINUS : c == '0' ? NUM_ZERO : NUM_INT;
				return 0;
			}
			return -1;
	}
	lx->token = TOKEN_LITERAL;
	lx->literal_pos = 1;
	return 0;
}

/* A byte between tokens. */
static int proof_between(proof_lexer *lx, unsigned char c)
{
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
		return 0;
	}
	switch (lx->expect) {
		case EXPECT_VALUE_OR_CLOSE:
			if (c == ']') {
				return proof_close(lx, c);
			}
			/* fallthrough */
		case EXPECT_TOP_VALUE:
		case EXPECT_VALUE:
			return proof_value_start(lx, c);
		case EXPECT_KEY_OR_CLOSE:
			if (c == '}') {
				return proof_close(lx, c);
			}
			/* fallthrough */
		case EXPECT_KEY:
			if (c != '"') {
				return -1;
			}
			lx->token = TOKEN_STRING;
			lx->expect = EXPECT_COLON;
			return 0;
		case EXPECT_COLON:
			if (c != ':') {
				return -1;
			}
			lx->expect = EXPECT_VALUE;
			return 0;
		default:
			if (lx->depth == 0) {
				return -1;
			}
			if (c == ',') {
				lx->expect = (lx->objects >> (lx->depth - 1)) & 1 ? EXPECT_KEY : EXPECT_VALUE;
				return 0;
			}
			return proof_close(lx, c);
	}
}

static int proof_hex(unsigned char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
		return (c | 0x20) - 'a' + 10;
	}
	return -1;
}

/* A byte inside a string literal. Surrogate escapes are refused even when
 * paired: a template spelling one out keeps the validation. */
static int proof_in_string(proof_lexer *lx, unsigned char c)
{
	if (lx->utf8_left) {
		if (c < lx->utf8_lo || c > lx->utf8_hi) {
			return -1;
		}
		lx->utf8_left--;
		lx->utf8_lo = 0x80;
		lx->utf8_hi = 0xBF;
		return 0;
	}
	if (lx->escape == 1) {
		if (c == 'u') {
			lx->escape = 5;
			lx->uvalue = 0;
			return 0;
		}
		lx->escape = 0;
		return c && strchr("\"\\/bfnrt", c) ? 0 : -1;
	}
	if (lx->escape > 1) {
		int h = proof_hex(c);
		if (h < 0) {
			return -1;
		}
		lx->uvalue = lx->uvalue * 16 + (unsigned)h;
		if (--lx->escape == 1) {
			lx->escape = 0;
			return lx->uvalue >= 0xD800 && lx->uvalue <= 0xDFFF ? -1 : 0;
		}
		return 0;
	}
	if (c == '"') {
		lx->token = TOKEN_NONE;
		return 0;
	}
	if (c == '\\') {
		lx->escape = 1;
		return 0;
	}
	if (c < 0x20) {
		return -1;
	}
	if (c < 0x80) {
		return 0;
	}
	/* the same ranges as utf8_sequence_len() */
	lx->utf8_lo = 0x80;
	lx->utf8_hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		lx->utf8_left = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		lx->utf8_left = 2;
		lx->utf8_lo = c == 0xE0 ? 0xA0 : 0x80;
		lx->utf8_hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c >= 0xF0 && c <= 0xF4) {
		lx->utf8_left = 3;
		lx->utf8_lo = c == 0xF0 ? 0x90 : 0x80;
		lx->utf8_hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		return -1;
	}
	return 0;
}

/* A byte inside a number: 1 when the number ended before c (c not used). */
static int proof_in_number(proof_lexer *lx, unsigned char c)
{
	int digit = c >= '0' && c <= '9';

	switch (lx->number) {
		case NUM_MINUS:
			if (!digit) {
				return -1;
			}
			lx->number = c == '0' ? NUM_ZERO : NUM_INT;
			return 0;
		case NUM_INT:
			if (digit) {
				return 0;
			}
			/* fallthrough */
		case NUM_ZERO:
			if (c == '.') {
				lx->number = NUM_DOT;
				return 0;
			}
			/* fallthrough */
		case NUM_FRAC:
			if (digit && lx->number == NUM_FRAC) {
				return 0;
			}
			if ((c | 0x20) == 'e') {
				lx->number = NUM_E;
				return 0;
			}
			break;
		case NUM_DOT:
			if (!digit) {
				return -1;
			}
			lx->number = NUM_FRAC;
			return 0;
		case NUM_E:
			if (c == '+' || c == '-') {
				lx->number = NUM_E_SIGN;
				return 0;
			}
			/* fallthrough */
		case NUM_E_SIGN:
			if (!digit) {
				return -1;
			}
			lx->number = NUM_EXP;
			return 0;
		default:
			if (digit) {
				return 0;
			}
			break;
	}
	lx->token = TOKEN_NONE;
	return 1;
}

static int proof_byte(proof_lexer *lx, unsigned char c)
{
	switch (lx->token) {
		case TOKEN_STRING:
			return proof_in_string(lx, c);
		case TOKEN_NUMBER: {
			int r = proof_in_number(lx, c);
			return r == 1 ? proof_between(lx, c) : r;
		}
		case TOKEN_LITERAL:
			if (c != (unsigned char)lx->literal[lx->literal_pos]) {
				return -1;
			}
			if (lx->literal[++lx->literal_pos] == '\0') {
				lx->token = TOKEN_NONE;
			}
			return 0;
		default:
			return proof_between(lx, c);
	}
}

/* A number that may end here ends here: whatever a tag or section writes
 * next, or the text after a skipped section, then cannot continue it (a
 * digit after it is refused), which only makes the recognizer stricter. */
static void proof_end_number(proof_lexer *lx)
{
	if (lx->token == TOKEN_NUMBER && (lx->number == NUM_ZERO || lx->number == NUM_INT
		|| lx->number == NUM_FRAC || lx->number == NUM_EXP)) {
		lx->token = TOKEN_NONE;
	}
}

/* Where a tag or a section boundary may stand: between tokens, or between
 * whole characters of a string. */
static int proof_at_boundary(proof_lexer *lx)
{
	proof_end_number(lx);
	return lx->token == TOKEN_NONE
		|| (lx->token == TOKEN_STRING && lx->escape == 0 && lx->utf8_left == 0);
}

static int proof_same_state(const proof_lexer *a, const proof_lexer *b)
{
	return a->objects == b->objects && a->depth == b->depth && a->expect == b->expect
		&& a->token == b->token;
}

static int proof_range(proof_lexer *lx, const mih_tpl *t, uint32_t from, uint32_t to)
{
	uint32_t i = from;

	while (i < to) {
		const tpl_op *op = &t->ops[i];
		proof_lexer before;
		size_t k;

		switch (op->kind) {
			case TPL_OP_TEXT:
				for (k = 0; k < op->len; k++) {
					if (proof_byte(lx, (unsigned char)t->src[op->start + k]) != 0) {
						return -1;
					}
				}
				i++;
				break;
			case TPL_OP_VAR:
				if (!proof_at_boundary(lx)) {
					return -1;
				}
				if (op->json_ctx == TPL_JSON_STRING) {
					if (lx->token != TOKEN_STRING) {
						return -1;
					}
				} else if (lx->token != TOKEN_NONE || (lx->expect != EXPECT_TOP_VALUE
					&& lx->expect != EXPECT_VALUE && lx->expect != EXPECT_VALUE_OR_CLOSE)) {
					return -1;
				} else {
					lx->expect = EXPECT_AFTER_VALUE;
				}
				i++;
				break;
			case TPL_OP_SECTION:
			case TPL_OP_INVERTED:
				if (!proof_at_boundary(lx)) {
					return -1;
				}
				before = *lx;
				if (proof_range(lx, t, i + 1, op->end) != 0 || !proof_at_boundary(lx)
					|| !proof_same_state(lx, &before)) {
					return -1;
				}
				i = op->end;
				break;
			default:
				return -1;
		}
	}
	return 0;
}

int tpl_json_prove_always_valid(const mih_tpl *tpl)
{
	proof_lexer lx;

	if (tpl->mode != MIH_TPL_JSON || tpl->start_ctx != TPL_JSON_VALUE) {
		return 0;
	}
	memset(&lx, 0, sizeof(lx));
	lx.expect = EXPECT_TOP_VALUE;
	if (proof_range(&lx, tpl, 0, tpl->nops) != 0) {
		return 0;
	}
	/* the end: a number may end here, nothing else may be open */
	proof_end_number(&lx);
	return lx.token == TOKEN_NONE && lx.depth == 0 && lx.expect == EXPECT_AFTER_VALUE;
}
