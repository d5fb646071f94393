/*
 * sha256.c — SHA-256 through libcrypto's EVP interface; see sha256.h.
 *
 * libcrypto is opened at the first digest, not linked: mapping and
 * initialising it costs a new process 10–30 ms on this machine, and most
 * loads of the SQLite extension (an application's connection, a maintenance
 * check from cron) never hash anything.  A PostgreSQL backend has it mapped
 * already, so there dlopen only returns the existing handle.
 */
#include "sha256.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <openssl/evp.h>

/* Debian 12 to forky ship OpenSSL 3; the Makefiles pass the SONAME they find. */
#ifndef DBK_LIBCRYPTO_SONAME
#define DBK_LIBCRYPTO_SONAME "libcrypto.so.3"
#endif

/* The libcrypto functions dbkeeper calls, resolved once per process. */
static struct
{
	EVP_MD_CTX *(*ctx_new) (void);
	void		(*ctx_free) (EVP_MD_CTX *);
	const EVP_MD *(*sha256) (void);
	int			(*init) (EVP_MD_CTX *, const EVP_MD *, ENGINE *);
	int			(*update) (EVP_MD_CTX *, const void *, size_t);
	int			(*final) (EVP_MD_CTX *, unsigned char *, unsigned int *);
	char		why[256];		/* empty when every function resolved */
}			crypto;

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static void *
resolve(void *lib, const char *name)
{
	void	   *f = dlsym(lib, name);

	if (f == NULL && crypto.why[0] == '\0')
		snprintf(crypto.why, sizeof(crypto.why), "%s has no %s", DBK_LIBCRYPTO_SONAME, name);
	return f;
}

static void
open_crypto(void)
{
	void	   *lib = dlopen(DBK_LIBCRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL)
	{
		const char *e = dlerror();

		snprintf(crypto.why, sizeof(crypto.why), "%s", e ? e : DBK_LIBCRYPTO_SONAME);
		return;
	}
	/* The handle stays open for the life of the process, as libcrypto asks. */
	*(void **) &crypto.ctx_new = resolve(lib, "EVP_MD_CTX_new");
	*(void **) &crypto.ctx_free = resolve(lib, "EVP_MD_CTX_free");
	*(void **) &crypto.sha256 = resolve(lib, "EVP_sha256");
	*(void **) &crypto.init = resolve(lib, "EVP_DigestInit_ex");
	*(void **) &crypto.update = resolve(lib, "EVP_DigestUpdate");
	*(void **) &crypto.final = resolve(lib, "EVP_DigestFinal_ex");
}

int
dbk_sha256_init(dbk_sha256 *h, dbk_error *err)
{
	EVP_MD_CTX *ctx;

	h->evp = NULL;
	pthread_once(&crypto_once, open_crypto);
	if (crypto.why[0] != '\0')
		return dbk_fail(err, DBK_E_INTERNAL, "could not load libcrypto for SHA-256: %s",
						crypto.why);
	ctx = crypto.ctx_new();
	h->evp = ctx;
	if (ctx == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory creating a SHA-256 context");
	if (crypto.init(ctx, crypto.sha256(), NULL) != 1)
	{
		dbk_sha256_abandon(h);
		return dbk_fail(err, DBK_E_INTERNAL, "could not initialise SHA-256");
	}
	return 0;
}

void
dbk_sha256_update(dbk_sha256 *h, const void *data, size_t len)
{
	/* EVP_DigestUpdate cannot fail for an initialised SHA-256 context. */
	if (h->evp && len > 0)
		(void) crypto.update((EVP_MD_CTX *) h->evp, data, len);
}

void
dbk_sha256_final_hex(dbk_sha256 *h, char hex[DBK_SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (h->evp == NULL || crypto.final((EVP_MD_CTX *) h->evp, md, &mdlen) != 1)
		mdlen = 0;
	for (unsigned int i = 0; i < DBK_SHA256_LEN; i++)
	{
		unsigned char b = i < mdlen ? md[i] : 0;

		hex[2 * i] = digits[b >> 4];
		hex[2 * i + 1] = digits[b & 15];
	}
	hex[DBK_SHA256_HEX_LEN] = '\0';
	dbk_sha256_abandon(h);
}

void
dbk_sha256_abandon(dbk_sha256 *h)
{
	if (h->evp != NULL)
		crypto.ctx_free((EVP_MD_CTX *) h->evp);
	h->evp = NULL;
}

int
dbk_sha256_hex(const void *data, size_t len, char hex[DBK_SHA256_HEX_LEN + 1],
			   dbk_error *err)
{
	dbk_sha256	h;

	if (dbk_sha256_init(&h, err) != 0)
		return -1;
	dbk_sha256_update(&h, data, len);
	dbk_sha256_final_hex(&h, hex);
	return 0;
}
