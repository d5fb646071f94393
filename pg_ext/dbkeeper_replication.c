/*
 * dbkeeper_replication.c — the login module's check for WAL senders
 * connected to a database (replication=database), a library of its own for
 * shared_preload_libraries:
 *
 *   shared_preload_libraries = 'dbkeeper_replication'   (restart)
 *
 * Such a WAL sender runs SQL, but PostgreSQL 15 does not load
 * session_preload_libraries in WAL senders (postgres.c passes
 * load_session_libraries = !am_walsender to InitPostgres), so
 * dbkeeper_login never sees it.  Loaded into the postmaster, this library
 * is in every WAL sender, and a post_parse_analyze_hook makes the login
 * module's check (dbkeeper_login.c, compiled here again with
 * DBK_LOGIN_REPLICATION) at the sender's first SQL statement: during
 * maintenance that statement ends the connection with the same FATAL error
 * a login gets.  Replication commands (IDENTIFY_SYSTEM, START_REPLICATION)
 * are not SQL and are not checked: a physical or logical replica keeps
 * streaming, as it must while an application is in maintenance.  Every
 * other process does nothing more than take one function call per parsed
 * statement.
 */
#define DBK_LOGIN_REPLICATION 1
#include "dbkeeper_login.c"
