/*
 * sha256.c — SHA-256 through libcrypto; see sha256.h.
 */
#include "sha256.h"

#include <openssl/evp.h>

int
dbk_sha256_init(dbk_sha256 *h, dbk_error *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	h->evp = ctx;
	if (ctx == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory creating a SHA-256 context");
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
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
		(void) EVP_DigestUpdate((EVP_MD_CTX *) h->evp, data, len);
}

void
dbk_sha256_final_hex(dbk_sha256 *h, char hex[DBK_SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (h->evp == NULL || EVP_DigestFinal_ex((EVP_MD_CTX *) h->evp, md, &mdlen) != 1)
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
	EVP_MD_CTX_free((EVP_MD_CTX *) h->evp);
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
