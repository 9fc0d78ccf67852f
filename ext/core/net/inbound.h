/* Credentials of an inbound call that is not signed: the pure-PHP plugin's
 * per-service token, sent as "Authorization: Bearer <token>" or as the value
 * of an X-API-Key header. Signed calls are verified by the signing core
 * (sign.h); this covers what upgraded senders still send.
 *
 * No state, no allocation; nothing here ever copies or prints a token. */
#ifndef MIH_INBOUND_H
#define MIH_INBOUND_H

#include <stdbool.h>
#include <stddef.h>

/* Finds the token of an Authorization value of the Bearer scheme (the scheme
 * name in any case, then at least one space or tab). Leading and trailing
 * spaces and tabs around the token are not part of it. Returns true and sets
 * *token / *len (pointing into value) when the value is a Bearer credential
 * with a non-empty token; false otherwise (NULL, another scheme, no token). */
bool mih_inbound_bearer(const char *value, size_t vlen, const char **token, size_t *len);

/* The token with leading and trailing spaces and tabs left out (an X-API-Key
 * value); *len is 0 for a blank value. */
const char *mih_inbound_trim(const char *value, size_t vlen, size_t *len);

/* Whether given equals expected, in time that depends on neither the content
 * nor the lengths: both are hashed (SHA-256) and the digests compared with
 * CRYPTO_memcmp. An empty expected token never matches (a service without a
 * token is closed, not open). */
bool mih_inbound_token_equals(const char *expected, size_t elen, const char *given, size_t glen);

#endif
