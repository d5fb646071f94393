/*
 * guc.h — dbkeeper.* settings; see guc.c.
 */
#ifndef DBK_PG_GUC_H
#define DBK_PG_GUC_H

#define DBK_PG_PATH_MAX 4096

extern char *dbk_pg_backup_dir_setting;
extern int	dbk_pg_keep_backups;
extern int	dbk_pg_keep_days;
extern int	dbk_pg_compression_level;
extern int	dbk_pg_lock_wait_timeout;

/* Called once from _PG_init: the backup settings (guc.c) and the banner's (banner.c). */
void		dbk_pg_define_gucs(void);
void		dbk_banner_define_gucs(void);

/* The backup directory in effect: the setting, or the default beside the data directory. */
void		dbk_pg_backup_dir(char *buf, size_t cap);
bool		dbk_pg_backup_dir_is_default(void);

#endif
