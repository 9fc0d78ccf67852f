/* Shared text helpers; see text.h. */
#include "text.h"

#include <stdlib.h>
#include <string.h>

void mih_quote(const char *s, size_t len, char out[MIH_QUOTE_MAX + 4])
{
	size_t i, n = len > MIH_QUOTE_MAX ? MIH_QUOTE_MAX : len;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	strcpy(out + n, len > MIH_QUOTE_MAX ? "..." : "");
}

bool mih_has_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f) {
			return true;
		}
	}
	return false;
}

char *mih_strndup(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}
