/* The one error-message helper of the extension: the cores (and the glue
 * that speaks their convention) report a failure by writing a message into
 * a caller's buffer (char *err, size_t errlen), which may be NULL. Plain C. */
#ifndef MIH_ERR_H
#define MIH_ERR_H

#include <stddef.h>

/* printf-style message into err (truncated to errlen - 1 bytes, always
 * terminated); nothing when err is NULL or errlen is 0. */
void mih_set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
