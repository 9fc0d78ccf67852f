/* UTF-8 checks of the template engine (strict: no overlong forms, no
 * surrogates, nothing above U+10FFFF); the one-sequence test is inline in
 * template_internal.h for the escaping and validating loops. */
#include "template_internal.h"

size_t tpl_utf8_valid_prefix(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = tpl_utf8_sequence_len(s + i, len - i);
		if (n == 0) {
			return i;
		}
		i += n;
	}
	return len;
}
