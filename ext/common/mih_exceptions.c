/* The one helper that throws the hub's exceptions. */
#include "mih_private.h"

void php_mih_throw(zend_class_entry *ce, zend_long code, const char *fmt, ...)
{
	va_list ap;
	zend_string *msg;

	va_start(ap, fmt);
	msg = zend_vstrpprintf(0, fmt, ap);
	va_end(ap);
	zend_throw_exception(ce, ZSTR_VAL(msg), code);
	zend_string_release(msg);
}
