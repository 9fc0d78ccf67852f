/* Moodle's proxybypass list (is_proxybypass() in lib/moodlelib.php, with
 * ip_utils::is_domain_in_allowed_list() and address_in_subnet()): whether a
 * URL's host goes direct rather than through the proxy. The entries and
 * how they match are described in proxy.h. No Zend types; built once, then
 * only read. */
#ifndef MIH_PROXY_BYPASS_H
#define MIH_PROXY_BYPASS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mih_proxy_bypass mih_proxy_bypass;

/* NULL when out of memory. */
mih_proxy_bypass *mih_proxy_bypass_new(void);
void mih_proxy_bypass_free(mih_proxy_bypass *bypass);
/* One entry of len bytes, trimmed; one Moodle cannot read is ignored (0).
 * -1 only when out of memory. */
int mih_proxy_bypass_add(mih_proxy_bypass *bypass, const char *entry, size_t len);
/* A list separated by commas or line breaks. */
int mih_proxy_bypass_parse(mih_proxy_bypass *bypass, const char *list);
/* host as libcurl's URL parser gives it (an IPv6 literal in brackets). */
bool mih_proxy_bypass_match(const mih_proxy_bypass *bypass, const char *host);

#endif
