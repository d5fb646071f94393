/*
 * sha256.h — incremental SHA-256 through libcrypto's EVP interface.
 *
 * A dbk_sha256 owns an OpenSSL digest context from dbk_sha256_init until
 * dbk_sha256_final or dbk_sha256_abandon, whichever comes first; both are
 * safe to call on a context that failed to initialise.
 */
#ifndef DBK_SHA256_H
#define DBK_SHA256_H

#include <stddef.h>
#include "error.h"

#define DBK_SHA256_LEN 32
#define DBK_SHA256_HEX_LEN 64

typedef struct dbk_sha256
{
	void	   *evp;			/* EVP_MD_CTX * */
} dbk_sha256;

int			dbk_sha256_init(dbk_sha256 *h, dbk_error *err);
void		dbk_sha256_update(dbk_sha256 *h, const void *data, size_t len);
/* Writes 64 lowercase hex digits and a NUL into hex[65]; frees the context. */
void		dbk_sha256_final_hex(dbk_sha256 *h, char hex[DBK_SHA256_HEX_LEN + 1]);
void		dbk_sha256_abandon(dbk_sha256 *h);

/* One-shot digest of a buffer, as hex. */
int			dbk_sha256_hex(const void *data, size_t len,
						   char hex[DBK_SHA256_HEX_LEN + 1], dbk_error *err);

#endif
