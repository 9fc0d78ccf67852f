dnl config.m4 for the mih extension (Integration Hub for Moodle, native)

PHP_ARG_ENABLE([mih],
  [whether to enable the mih extension],
  [AS_HELP_STRING([--enable-mih], [Enable mih (Integration Hub for Moodle)])],
  [yes])

if test "$PHP_MIH" != "no"; then
  PKG_PROG_PKG_CONFIG

  dnl One block per library; variables are prefixed MIH_ so they never clash
  dnl with php-src's own CURL_CFLAGS and friends in a static build.
  PKG_CHECK_MODULES([MIH_CURL], [libcurl >= 7.61.0], [],
    [AC_MSG_ERROR([libcurl >= 7.61.0 not found by pkg-config: on Debian install libcurl4-openssl-dev])])
  PHP_EVAL_LIBLINE($MIH_CURL_LIBS, MIH_SHARED_LIBADD)
  PHP_EVAL_INCLINE($MIH_CURL_CFLAGS)

  PKG_CHECK_MODULES([MIH_JANSSON], [jansson >= 2.11], [],
    [AC_MSG_ERROR([jansson >= 2.11 not found by pkg-config: on Debian install libjansson-dev])])
  PHP_EVAL_LIBLINE($MIH_JANSSON_LIBS, MIH_SHARED_LIBADD)
  PHP_EVAL_INCLINE($MIH_JANSSON_CFLAGS)

  PKG_CHECK_MODULES([MIH_SQLITE], [sqlite3 >= 3.22.0], [],
    [AC_MSG_ERROR([sqlite3 >= 3.22.0 not found by pkg-config: on Debian install libsqlite3-dev])])
  PHP_EVAL_LIBLINE($MIH_SQLITE_LIBS, MIH_SHARED_LIBADD)
  PHP_EVAL_INCLINE($MIH_SQLITE_CFLAGS)

  PKG_CHECK_MODULES([MIH_CRYPTO], [libcrypto >= 1.1.1], [],
    [AC_MSG_ERROR([libcrypto >= 1.1.1 not found by pkg-config: on Debian install libssl-dev])])
  PHP_EVAL_LIBLINE($MIH_CRYPTO_LIBS, MIH_SHARED_LIBADD)
  PHP_EVAL_INCLINE($MIH_CRYPTO_CFLAGS)

  dnl Link tests: a header found but a library that does not link is a broken install.
  PHP_CHECK_LIBRARY(curl, curl_url_set,
    [], [AC_MSG_ERROR([libcurl does not link (curl_url_set missing): install libcurl4-openssl-dev])],
    [$MIH_CURL_LIBS])
  PHP_CHECK_LIBRARY(jansson, json_loadb,
    [], [AC_MSG_ERROR([jansson does not link: install libjansson-dev])],
    [$MIH_JANSSON_LIBS])

  PHP_SUBST(MIH_SHARED_LIBADD)

  dnl Zend glue first, then the Zend-free cores (ext/core) it sits on.
  MIH_SOURCES="ext/mih.c ext/mih_class.c ext/mih_args.c ext/mih_call.c ext/mih_policy.c ext/mih_request.c ext/mih_response.c \
    ext/mih_exceptions.c ext/mih_json.c ext/mih_http.c \
    ext/mih_template.c ext/mih_store_api.c ext/mih_emit.c ext/mih_queue_api.c ext/mih_breaker.c \
    ext/mih_worker.c ext/mih_dbstore.c ext/mih_sign_api.c ext/mih_privacy_api.c ext/mih_secrets.c ext/mih_inbound_api.c \
    ext/core/service.c ext/core/netpolicy.c ext/core/sign.c ext/core/inbound.c \
    ext/core/template.c ext/core/template_parse.c ext/core/template_render.c ext/core/template_json.c \
    ext/core/store.c ext/core/store_services.c ext/core/store_rules.c ext/core/store_queue.c \
    ext/core/store_dlq.c ext/core/store_log.c ext/core/store_privacy.c ext/core/store_secrets.c \
    ext/core/store_sqlite.c ext/core/store_sqlite_file.c ext/core/seal.c ext/core/breaker.c ext/core/shm.c \
    ext/core/retry.c ext/core/clock.c"
  PHP_NEW_EXTENSION(mih, $MIH_SOURCES, $ext_shared,,
    [-Wall -Wextra -DZEND_ENABLE_STATIC_TSRMLS_CACHE=1 -I$ext_srcdir/ext -I$ext_srcdir/ext/core])
  PHP_ADD_BUILD_DIR([$ext_builddir/ext])
  PHP_ADD_BUILD_DIR([$ext_builddir/ext/core])
fi
