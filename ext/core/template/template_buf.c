/* The template engine's growable output buffer and its error reports (a
 * message with the line and column of a byte in the source). */
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
