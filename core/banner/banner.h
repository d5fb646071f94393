/*
 * banner.h — the logon banner and maintenance mode, shared by both engines.
 *
 * The banner is a message shown to whoever connects (PostgreSQL: a NOTICE at
 * login) and, during maintenance, the text of the error that refuses them
 * (PostgreSQL: a FATAL login error; SQLite: the error of a refused write).
 * The rules for a message and the words around it live here so that both
 * engines say the same thing.  The login module (pg_ext/dbkeeper_login.c)
 * is a separate shared library without the core linked in, so everything it
 * needs from here is a macro.
 */
#ifndef DBK_BANNER_H
#define DBK_BANNER_H

#include <stddef.h>

#include "../util/error.h"

/*
 * The longest message accepted, in bytes.  PostgreSQL's NOTIFY payload must
 * stay under 8000 bytes; 4000 leaves room for any encoding conversion.
 */
#define DBK_BANNER_MAX_BYTES 4000

/* The channel dbkeeper_maintenance_begin() notifies on PostgreSQL. */
#define DBK_BANNER_NOTIFY_CHANNEL "dbkeeper_maintenance"

/* Detail of the FATAL error that refuses a login during maintenance. */
#define DBK_BANNER_LOGIN_REFUSED_DETAIL \
	"The database is in maintenance mode: only superusers and members of the roles " \
	"listed in dbkeeper.maintenance_roles may connect."
#define DBK_BANNER_LOGIN_REFUSED_HINT "Try again when the maintenance is over."

/* Detail of the NOTICE a login that is let in during maintenance sees. */
#define DBK_BANNER_LOGIN_ADMITTED_DETAIL \
	"The database is in maintenance mode; ordinary logins are refused until " \
	"dbkeeper_maintenance_end() is called."

/* Detail of the error that refuses a write on SQLite during maintenance. */
#define DBK_BANNER_WRITE_REFUSED_DETAIL \
	"The database is in maintenance mode: writes are refused until " \
	"dbkeeper_maintenance_end() is called."

/*
 * Checks a message given to dbkeeper_banner_set() or
 * dbkeeper_maintenance_begin(): msg (len bytes, may be NULL) must be
 * present, not blank and at most DBK_BANNER_MAX_BYTES long.  Returns 0, or
 * -1 with err filled (DBK_E_INVALID).
 */
int			dbk_banner_check(const char *msg, size_t len, dbk_error *err);

#endif
