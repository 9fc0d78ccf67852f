/* Small text helpers the cores share: a printable, bounded copy of
 * untrusted text for messages, a control-character test, a bounded
 * duplicate. Plain C. */
#ifndef MIH_TEXT_H
#define MIH_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of untrusted text a message quotes; longer text ends in "...". */
#define MIH_QUOTE_MAX 64

/* out gets at most MIH_QUOTE_MAX bytes of s, each byte outside printable
 * ASCII as '?', then "..." when s was longer; always terminated. Never for
 * secrets: a message quoting a value must be one that may be shown. */
void mih_quote(const char *s, size_t len, char out[MIH_QUOTE_MAX + 4]);

/* Whether s holds a control character (below 0x20, or DEL). */
bool mih_has_control(const char *s, size_t len);

/* A malloc'ed, terminated copy of len bytes of s; NULL without memory. */
char *mih_strndup(const char *s, size_t len);

#endif
