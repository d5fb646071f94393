/*
 * hierarchy.c — interned codes, CSR edge lists, topological order and cycle
 * detection; see hierarchy.h.
 */
#include "hierarchy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/arena.h"

/* The cycle spelt out in an error's detail stops after this many codes. */
#define CYCLE_DETAIL_CODES 12

/*
 * A code's key: most codes fit in 64 bits exactly, so a probe need not look
 * at their bytes at all.  Digits only, no leading zero, at most 18 of them
 * (SNOMED CT, dm+d): the number with bit 63 set.  Otherwise at most 7 bytes
 * (ICD-10, CTV3, Read): the bytes with the length in bits 56-58.  Anything
 * else: KEY_LONG, and the bytes are compared.
 */
#define KEY_LONG 0
#define KEY_NUMBER (UINT64_C(1) << 63)

typedef struct intern_slot
{
	uint64_t	key;
	uint32_t	hash;
	uint32_t	id_plus_1;		/* 0: empty */
} intern_slot;

#define QUEUE_ROWS 256
#define QUEUE_PREFETCH 32

typedef struct queued_row
{
	uint32_t	off[2];			/* code, parent: offsets into queue_bytes */
	uint32_t	len[2];
	bool		has_parent;
} queued_row;

struct dbk_hierarchy
{
	const dbk_allocator *a;
	dbk_arena	names_arena;
	bool		finished;

	/*
	 * Interned codes: the name of each id.  A name is stored in the arena
	 * after its length (4 bytes, unaligned) and before a NUL, so a probe
	 * finds length and bytes in one place.
	 */
	size_t		n;
	size_t		cap;
	const char **names;
	size_t		names_bytes;	/* what the arena holds for them */

	/*
	 * Open-addressing table, load <= 1/2, with the key and hash in the slot:
	 * a look-up touches the table once, and a code's bytes only for a long
	 * code whose hash agrees.  (Reading 600,000 edges is 1.2 million look-ups
	 * in a table far larger than the CPU caches: each extra memory access
	 * per look-up shows in the time of a regeneration.)
	 */
	intern_slot *slots;
	size_t		nslots;			/* a power of two */

	/* Rows queued by dbk_hierarchy_queue, their bytes, keys and hashes. */
	queued_row	queue[QUEUE_ROWS];
	size_t		nqueued;
	char	   *queue_bytes;
	size_t		queue_used;
	size_t		queue_cap;
	uint64_t	queue_key[2 * QUEUE_ROWS + QUEUE_PREFETCH];
	uint32_t	queue_hash[2 * QUEUE_ROWS + QUEUE_PREFETCH];

	/* Edges as collected, freed by finish. */
	size_t		nedges;
	size_t		edge_cap;
	dbk_code   *edge_child;
	dbk_code   *edge_parent;

	/* After finish: CSR lists and the topological order. */
	uint32_t   *parent_start;	/* n + 1 */
	dbk_code   *parents;
	size_t		parents_len;	/* entries allocated for parents */
	uint32_t   *child_start;	/* n + 1 */
	dbk_code   *children;
	dbk_code   *topo;			/* n */
};

static inline uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ull;
	h ^= h >> 33;
	return h;
}

static inline uint64_t
code_key(const char *s, size_t len)
{
	uint64_t	v = 0;
	size_t		i;

	if (len >= 1 && len <= 18 && s[0] >= '1' && s[0] <= '9')
	{
		for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			v = v * 10 + (uint64_t) (s[i] - '0');
		if (i == len)
			return v | KEY_NUMBER;
	}
	if (len >= 1 && len <= 7)
	{
		v = 0;
		memcpy(&v, s, len);
		return v | ((uint64_t) len << 56);
	}
	return KEY_LONG;
}

static inline uint32_t
hash_code(const char *s, size_t len, uint64_t key)
{
	uint64_t	h = 0x9E3779B97F4A7C15ull ^ len;
	uint64_t	w;

	if (key != KEY_LONG)
		return (uint32_t) mix64(key);
	while (len >= 8)
	{
		memcpy(&w, s, 8);
		h = mix64(h ^ w);
		s += 8;
		len -= 8;
	}
	w = 0;
	memcpy(&w, s, len);
	return (uint32_t) mix64(h ^ w);
}

static int
nomem(dbk_error *err)
{
	return dbk_fail(err, DBK_E_NOMEM, "out of memory building a code hierarchy");
}

dbk_hierarchy *
dbk_hierarchy_new(const dbk_allocator *a, dbk_error *err)
{
	dbk_hierarchy *h = dbk_alloc(a, sizeof(*h));

	if (h == NULL)
	{
		nomem(err);
		return NULL;
	}
	memset(h, 0, sizeof(*h));
	h->a = a;
	dbk_arena_init(&h->names_arena, a);
	h->nslots = 1024;
	h->slots = dbk_alloc(a, h->nslots * sizeof(intern_slot));
	if (h->slots == NULL)
	{
		dbk_free(a, h);
		nomem(err);
		return NULL;
	}
	memset(h->slots, 0, h->nslots * sizeof(intern_slot));
	return h;
}

void
dbk_hierarchy_free(dbk_hierarchy *h)
{
	if (h == NULL)
		return;
	dbk_arena_free(&h->names_arena);
	dbk_free(h->a, h->names);
	dbk_free(h->a, h->queue_bytes);
	dbk_free(h->a, h->slots);
	dbk_free(h->a, h->edge_child);
	dbk_free(h->a, h->edge_parent);
	dbk_free(h->a, h->parent_start);
	dbk_free(h->a, h->parents);
	dbk_free(h->a, h->child_start);
	dbk_free(h->a, h->children);
	dbk_free(h->a, h->topo);
	dbk_free(h->a, h);
}

static inline uint32_t
name_len(const char *name)
{
	uint32_t	len;

	memcpy(&len, name - sizeof(uint32_t), sizeof(uint32_t));
	return len;
}

/* The slot holding code (len bytes, key, hash hv), or the empty slot where it goes. */
static inline size_t
probe(const dbk_hierarchy *h, const char *code, size_t len, uint64_t key, uint32_t hv)
{
	size_t		mask = h->nslots - 1;
	size_t		i = hv & mask;

	for (;;)
	{
		const intern_slot *s = &h->slots[i];

		if (s->id_plus_1 == 0)
			return i;
		if (s->key == key && s->hash == hv)
		{
			const char *name;

			if (key != KEY_LONG)
				return i;
			name = h->names[s->id_plus_1 - 1];
			if (name_len(name) == len && memcmp(name, code, len) == 0)
				return i;
		}
		i = (i + 1) & mask;
	}
}

static int
grow_slots(dbk_hierarchy *h, dbk_error *err)
{
	size_t		nslots = h->nslots * 2;
	intern_slot *slots = dbk_alloc(h->a, nslots * sizeof(intern_slot));

	if (slots == NULL)
		return nomem(err);
	memset(slots, 0, nslots * sizeof(intern_slot));
	for (size_t k = 0; k < h->nslots; k++)
	{
		size_t		i;

		if (h->slots[k].id_plus_1 == 0)
			continue;
		for (i = h->slots[k].hash & (nslots - 1); slots[i].id_plus_1 != 0; i = (i + 1) & (nslots - 1))
			;
		slots[i] = h->slots[k];
	}
	dbk_free(h->a, h->slots);
	h->slots = slots;
	h->nslots = nslots;
	return 0;
}

static int
grow_codes(dbk_hierarchy *h, dbk_error *err)
{
	size_t		cap = h->cap ? h->cap * 2 : 1024;
	const char **names;

	if (cap >= DBK_NO_CODE)
		return dbk_fail(err, DBK_E_INVALID, "too many codes in one hierarchy");
	names = dbk_resize(h->a, h->names, h->n * sizeof(*names), cap * sizeof(*names));
	if (names == NULL)
		return nomem(err);
	h->names = names;
	h->cap = cap;
	return 0;
}

static int
intern_hashed(dbk_hierarchy *h, const char *code, size_t len, uint64_t key, uint32_t hv,
			  dbk_code *id, dbk_error *err)
{
	size_t		slot = probe(h, code, len, key, hv);
	char	   *copy;
	uint32_t	len32 = (uint32_t) len;

	if (h->slots[slot].id_plus_1 != 0)
	{
		*id = h->slots[slot].id_plus_1 - 1;
		return 0;
	}
	if (h->finished)
		return dbk_fail(err, DBK_E_INTERNAL, "code hierarchy is already finished");
	if (len > UINT32_MAX || memchr(code, '\0', len) != NULL)
		return dbk_fail(err, DBK_E_INVALID, "a code cannot contain a NUL byte");
	if (h->n == h->cap && grow_codes(h, err) != 0)
		return -1;
	if ((h->n + 1) * 2 > h->nslots)
	{
		if (grow_slots(h, err) != 0)
			return -1;
		slot = probe(h, code, len, key, hv);
	}
	copy = dbk_arena_alloc(&h->names_arena, sizeof(uint32_t) + len + 1);
	if (copy == NULL)
		return nomem(err);
	h->names_bytes += sizeof(uint32_t) + len + 1;
	memcpy(copy, &len32, sizeof(uint32_t));
	copy += sizeof(uint32_t);
	memcpy(copy, code, len);
	copy[len] = '\0';
	h->names[h->n] = copy;
	h->slots[slot].key = key;
	h->slots[slot].hash = hv;
	h->slots[slot].id_plus_1 = (uint32_t) h->n + 1;
	*id = (dbk_code) h->n++;
	return 0;
}

int
dbk_hierarchy_intern(dbk_hierarchy *h, const char *code, size_t len, dbk_code *id,
					 dbk_error *err)
{
	uint64_t	key = code_key(code, len);

	return intern_hashed(h, code, len, key, hash_code(code, len, key), id, err);
}

/*
 * Interns the queued rows.  Keys and hashes first, then the look-ups in
 * order, each prefetching the slot of the one QUEUE_PREFETCH further on, so
 * that several cache misses are in flight at once instead of one.
 */
static int
flush_queue(dbk_hierarchy *h, dbk_error *err)
{
	size_t		m = 0;

	for (size_t r = 0; r < h->nqueued; r++)
	{
		queued_row *q = &h->queue[r];

		for (int k = 0; k < (q->has_parent ? 2 : 1); k++)
		{
			const char *code = h->queue_bytes + q->off[k];

			h->queue_key[m] = code_key(code, q->len[k]);
			h->queue_hash[m] = hash_code(code, q->len[k], h->queue_key[m]);
			m++;
		}
	}
	for (size_t i = 0; i < m && i < QUEUE_PREFETCH; i++)
		__builtin_prefetch(&h->slots[h->queue_hash[i] & (h->nslots - 1)]);
	m = 0;
	for (size_t r = 0; r < h->nqueued; r++)
	{
		queued_row *q = &h->queue[r];
		dbk_code	ids[2];

		for (int k = 0; k < (q->has_parent ? 2 : 1); k++, m++)
		{
			__builtin_prefetch(&h->slots[h->queue_hash[m + QUEUE_PREFETCH] & (h->nslots - 1)]);
			if (intern_hashed(h, h->queue_bytes + q->off[k], q->len[k], h->queue_key[m],
							  h->queue_hash[m], &ids[k], err) != 0)
				return -1;
		}
		if (q->has_parent && dbk_hierarchy_add_edge(h, ids[0], ids[1], err) != 0)
			return -1;
	}
	h->nqueued = 0;
	h->queue_used = 0;
	return 0;
}

int
dbk_hierarchy_flush(dbk_hierarchy *h, dbk_error *err)
{
	return flush_queue(h, err);
}

static int
queue_bytes(dbk_hierarchy *h, const char *s, size_t len, uint32_t *off, dbk_error *err)
{
	if (len > UINT32_MAX / 4)
		return dbk_fail(err, DBK_E_INVALID, "a code is too long");
	if (h->queue_used + len > h->queue_cap)
	{
		size_t		cap = h->queue_cap ? h->queue_cap : 8192;
		char	   *p;

		while (cap < h->queue_used + len)
			cap *= 2;
		p = dbk_resize(h->a, h->queue_bytes, h->queue_used, cap);
		if (p == NULL)
			return nomem(err);
		h->queue_bytes = p;
		h->queue_cap = cap;
	}
	memcpy(h->queue_bytes + h->queue_used, s, len);
	*off = (uint32_t) h->queue_used;
	h->queue_used += len;
	return 0;
}

int
dbk_hierarchy_queue(dbk_hierarchy *h, const char *code, size_t code_len, const char *parent,
					size_t parent_len, dbk_error *err)
{
	queued_row *q = &h->queue[h->nqueued];

	if (h->finished)
		return dbk_fail(err, DBK_E_INTERNAL, "code hierarchy is already finished");
	if (queue_bytes(h, code, code_len, &q->off[0], err) != 0)
		return -1;
	q->len[0] = (uint32_t) code_len;
	q->has_parent = parent != NULL;
	if (parent)
	{
		if (queue_bytes(h, parent, parent_len, &q->off[1], err) != 0)
			return -1;
		q->len[1] = (uint32_t) parent_len;
	}
	if (++h->nqueued == QUEUE_ROWS)
		return flush_queue(h, err);
	return 0;
}

int
dbk_hierarchy_add_edge(dbk_hierarchy *h, dbk_code child, dbk_code parent, dbk_error *err)
{
	if (h->finished || child >= h->n || parent >= h->n)
		return dbk_fail(err, DBK_E_INTERNAL, "edge added to a finished hierarchy or with an unknown code");
	if (h->nedges == h->edge_cap)
	{
		size_t		cap = h->edge_cap ? h->edge_cap * 2 : 4096;
		dbk_code   *c,
				   *p;

		if (cap >= UINT32_MAX)
			return dbk_fail(err, DBK_E_INVALID, "too many edges in one hierarchy");
		c = dbk_resize(h->a, h->edge_child, h->nedges * sizeof(*c), cap * sizeof(*c));
		if (c == NULL)
			return nomem(err);
		h->edge_child = c;
		p = dbk_resize(h->a, h->edge_parent, h->nedges * sizeof(*p), cap * sizeof(*p));
		if (p == NULL)
			return nomem(err);
		h->edge_parent = p;
		h->edge_cap = cap;
	}
	h->edge_child[h->nedges] = child;
	h->edge_parent[h->nedges] = parent;
	h->nedges++;
	return 0;
}

dbk_code
dbk_hierarchy_find(const dbk_hierarchy *h, const char *code, size_t len)
{
	uint64_t	key = code_key(code, len);
	uint32_t	s = h->slots[probe(h, code, len, key, hash_code(code, len, key))].id_plus_1;

	return s == 0 ? DBK_NO_CODE : s - 1;
}

size_t
dbk_hierarchy_count(const dbk_hierarchy *h)
{
	return h->n;
}

size_t
dbk_hierarchy_bytes(const dbk_hierarchy *h)
{
	size_t		bytes = sizeof(*h) + h->names_bytes + h->cap * sizeof(char *) +
		h->nslots * sizeof(intern_slot) + h->queue_cap + h->edge_cap * 2 * sizeof(dbk_code);

	if (h->finished)
		bytes += (h->n + 1) * 2 * sizeof(uint32_t) + h->parents_len * sizeof(dbk_code) +
			h->parent_start[h->n] * sizeof(dbk_code) + h->n * sizeof(dbk_code);
	return bytes;
}

size_t
dbk_hierarchy_edge_count(const dbk_hierarchy *h)
{
	return h->finished ? h->parent_start[h->n] : h->nedges;
}

const char *
dbk_hierarchy_name(const dbk_hierarchy *h, dbk_code id, size_t *len)
{
	if (len)
		*len = name_len(h->names[id]);
	return h->names[id];
}

const dbk_code *
dbk_hierarchy_parents(const dbk_hierarchy *h, dbk_code id, size_t *n)
{
	*n = h->parent_start[id + 1] - h->parent_start[id];
	return h->parents + h->parent_start[id];
}

const dbk_code *
dbk_hierarchy_children(const dbk_hierarchy *h, dbk_code id, size_t *n)
{
	*n = h->child_start[id + 1] - h->child_start[id];
	return h->children + h->child_start[id];
}

const dbk_code *
dbk_hierarchy_topological(const dbk_hierarchy *h)
{
	return h->topo;
}

void
dbk_hierarchy_mark_descendants(const dbk_hierarchy *h, uint8_t *mark, uint8_t value)
{
	for (size_t i = 0; i < h->n; i++)
	{
		dbk_code	v = h->topo[i];

		if (mark[v] != 0)
			continue;
		for (uint32_t e = h->parent_start[v]; e < h->parent_start[v + 1]; e++)
		{
			if (mark[h->parents[e]] != 0)
			{
				mark[v] = value;
				break;
			}
		}
	}
}

size_t
dbk_hierarchy_below(const dbk_hierarchy *h, const dbk_code *from, size_t nfrom, uint8_t *mark,
					dbk_code *queue, uint32_t *pending, dbk_code *out)
{
	size_t		n = 0,
				head = 0,
				m = 0;

	/* The part reached, breadth first. */
	for (size_t i = 0; i < nfrom; i++)
		if (!mark[from[i]])
		{
			mark[from[i]] = 1;
			queue[n++] = from[i];
		}
	while (head < n)
	{
		dbk_code	v = queue[head++];

		for (uint32_t e = h->child_start[v]; e < h->child_start[v + 1]; e++)
			if (!mark[h->children[e]])
			{
				mark[h->children[e]] = 1;
				queue[n++] = h->children[e];
			}
	}
	/*
	 * Kahn's algorithm on that part: a code waits for its parents inside
	 * it.  (Picking the part out of the whole order, a byte per code, took
	 * the same time on a SNOMED CT-sized release, and grows with it.)
	 */
	for (size_t i = 0; i < n; i++)
	{
		dbk_code	v = queue[i];
		uint32_t	k = 0;

		for (uint32_t e = h->parent_start[v]; e < h->parent_start[v + 1]; e++)
			k += mark[h->parents[e]] != 0;
		pending[v] = k;
		if (k == 0)
			out[m++] = v;
	}
	for (head = 0; head < m; head++)
	{
		dbk_code	v = out[head];

		for (uint32_t e = h->child_start[v]; e < h->child_start[v + 1]; e++)
			if (--pending[h->children[e]] == 0)
				out[m++] = h->children[e];
	}
	return m;
}

void
dbk_hierarchy_find_many(const dbk_hierarchy *h, const char *const *codes, const size_t *lens,
						size_t n, dbk_code *ids)
{
	enum
	{
		AHEAD = 16
	};
	uint64_t	key[AHEAD];
	uint32_t	hv[AHEAD];

	/* Key and hash AHEAD codes ahead, prefetching their slots, then probe. */
	for (size_t i = 0; i < n + AHEAD; i++)
	{
		if (i >= AHEAD)
		{
			size_t		j = i - AHEAD;
			uint32_t	s = h->slots[probe(h, codes[j], lens[j], key[j % AHEAD], hv[j % AHEAD])].id_plus_1;

			ids[j] = s == 0 ? DBK_NO_CODE : s - 1;
		}
		if (i < n)
		{
			key[i % AHEAD] = code_key(codes[i], lens[i]);
			hv[i % AHEAD] = hash_code(codes[i], lens[i], key[i % AHEAD]);
			__builtin_prefetch(&h->slots[hv[i % AHEAD] & (h->nslots - 1)]);
		}
	}
}

int
dbk_code_compare(const void *x, const void *y)
{
	dbk_code	a = *(const dbk_code *) x,
				b = *(const dbk_code *) y;

	return (a > b) - (a < b);
}

/* Sorts a short list in place and returns its length without duplicates. */
static size_t
sort_unique(dbk_code *v, size_t n)
{
	size_t		out = 0;

	if (n < 2)
		return n;
	if (n <= 16)
	{
		for (size_t i = 1; i < n; i++)
		{
			dbk_code	x = v[i];
			size_t		j = i;

			while (j > 0 && v[j - 1] > x)
			{
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
	}
	else
		qsort(v, n, sizeof(*v), dbk_code_compare);
	for (size_t i = 0; i < n; i++)
		if (out == 0 || v[out - 1] != v[i])
			v[out++] = v[i];
	return out;
}

/* Parent lists from the collected edges, sorted and without duplicates. */
static int
build_parents(dbk_hierarchy *h, dbk_error *err)
{
	size_t		n = h->n;
	uint32_t   *start = dbk_alloc(h->a, (n + 1) * sizeof(uint32_t));
	dbk_code   *list = dbk_alloc(h->a, h->nedges * sizeof(dbk_code));
	uint32_t	out = 0;

	if (start == NULL || list == NULL)
	{
		dbk_free(h->a, start);
		dbk_free(h->a, list);
		return nomem(err);
	}
	memset(start, 0, (n + 1) * sizeof(uint32_t));
	for (size_t e = 0; e < h->nedges; e++)
		start[h->edge_child[e] + 1]++;
	for (size_t i = 0; i < n; i++)
		start[i + 1] += start[i];
	/* Place each edge, using start[child] as a cursor that ends one list further. */
	for (size_t e = 0; e < h->nedges; e++)
		list[start[h->edge_child[e]]++] = h->edge_parent[e];
	/* Now start[i] is the end of list i; compact each list after deduplication. */
	for (size_t i = 0, begin = 0; i < n; i++)
	{
		size_t		end = start[i];
		size_t		k = sort_unique(list + begin, end - begin);

		memmove(list + out, list + begin, k * sizeof(dbk_code));
		start[i] = out;
		out += (uint32_t) k;
		begin = end;
	}
	start[n] = out;
	h->parent_start = start;
	h->parents = list;
	h->parents_len = h->nedges;
	dbk_free(h->a, h->edge_child);
	dbk_free(h->a, h->edge_parent);
	h->edge_child = h->edge_parent = NULL;
	h->nedges = h->edge_cap = 0;
	return 0;
}

/* Child lists, the transpose of the parent lists; each comes out sorted. */
static int
build_children(dbk_hierarchy *h, dbk_error *err)
{
	size_t		n = h->n;
	uint32_t	m = h->parent_start[n];
	uint32_t   *start = dbk_alloc(h->a, (n + 1) * sizeof(uint32_t));
	dbk_code   *list = dbk_alloc(h->a, (m ? m : 1) * sizeof(dbk_code));

	if (start == NULL || list == NULL)
	{
		dbk_free(h->a, start);
		dbk_free(h->a, list);
		return nomem(err);
	}
	memset(start, 0, (n + 1) * sizeof(uint32_t));
	for (uint32_t e = 0; e < m; e++)
		start[h->parents[e] + 1]++;
	for (size_t i = 0; i < n; i++)
		start[i + 1] += start[i];
	for (size_t c = 0; c < n; c++)
		for (uint32_t e = h->parent_start[c]; e < h->parent_start[c + 1]; e++)
			list[start[h->parents[e]]++] = (dbk_code) c;
	/* Each cursor now sits at the start of the next list: shift back by one. */
	memmove(start + 1, start, n * sizeof(uint32_t));
	start[0] = 0;
	h->child_start = start;
	h->children = list;
	return 0;
}

static int
compare_names(const dbk_hierarchy *h, dbk_code a, dbk_code b)
{
	size_t		la = name_len(h->names[a]),
				lb = name_len(h->names[b]);
	int			c = memcmp(h->names[a], h->names[b], la < lb ? la : lb);

	return c != 0 ? c : (la > lb) - (la < lb);
}

/*
 * Names a cycle among the codes Kahn's algorithm could not order (those with
 * pending[] > 0: each has a parent that is also pending).
 */
static int
report_cycle(dbk_hierarchy *h, const uint32_t *pending, dbk_error *err)
{
	dbk_code	cur = DBK_NO_CODE,
				first;
	uint32_t   *seen = dbk_alloc(h->a, h->n * sizeof(uint32_t));
	char		detail[sizeof(err->detail)];
	size_t		used = 0,
				len;
	int			count = 0;

	if (seen == NULL)
		return nomem(err);
	memset(seen, 0, h->n * sizeof(uint32_t));
	for (size_t i = 0; i < h->n && cur == DBK_NO_CODE; i++)
		if (pending[i] > 0)
			cur = (dbk_code) i;
	/* Follow the first pending parent until a code comes round again. */
	for (uint32_t step = 1; seen[cur] == 0; step++)
	{
		seen[cur] = step;
		for (uint32_t e = h->parent_start[cur]; e < h->parent_start[cur + 1]; e++)
			if (pending[h->parents[e]] > 0)
			{
				cur = h->parents[e];
				break;
			}
	}
	/* cur is on the cycle; start it at the code that sorts first. */
	first = cur;
	for (dbk_code c = cur;;)
	{
		for (uint32_t e = h->parent_start[c]; e < h->parent_start[c + 1]; e++)
			if (pending[h->parents[e]] > 0)
			{
				c = h->parents[e];
				break;
			}
		if (c == cur)
			break;
		if (compare_names(h, c, first) < 0)
			first = c;
	}
	dbk_free(h->a, seen);

	dbk_fail(err, DBK_E_DATA, "the edges contain a cycle through code \"%s\"", h->names[first]);
	len = (size_t) snprintf(detail, sizeof(detail), "Following parents from \"%s\":", h->names[first]);
	used = len < sizeof(detail) ? len : sizeof(detail) - 1;
	for (dbk_code c = first;; count++)
	{
		if (count == CYCLE_DETAIL_CODES)
		{
			snprintf(detail + used, sizeof(detail) - used, " ...");
			break;
		}
		for (uint32_t e = h->parent_start[c]; e < h->parent_start[c + 1]; e++)
			if (pending[h->parents[e]] > 0)
			{
				c = h->parents[e];
				break;
			}
		len = (size_t) snprintf(detail + used, sizeof(detail) - used, " \"%s\"%s", h->names[c],
								c == first ? "." : ",");
		used = used + len < sizeof(detail) ? used + len : sizeof(detail) - 1;
		if (c == first)
			break;
	}
	dbk_error_detail(err, "%s", detail);
	return -1;
}

/* Kahn's algorithm: the topological order, or a cycle. */
static int
build_order(dbk_hierarchy *h, dbk_error *err)
{
	size_t		n = h->n,
				head = 0,
				tail = 0;
	uint32_t   *pending = dbk_alloc(h->a, (n ? n : 1) * sizeof(uint32_t));
	dbk_code   *order = dbk_alloc(h->a, (n ? n : 1) * sizeof(dbk_code));
	int			rc = 0;

	if (pending == NULL || order == NULL)
	{
		dbk_free(h->a, pending);
		dbk_free(h->a, order);
		return nomem(err);
	}
	for (size_t i = 0; i < n; i++)
	{
		pending[i] = h->parent_start[i + 1] - h->parent_start[i];
		if (pending[i] == 0)
			order[tail++] = (dbk_code) i;
	}
	while (head < tail)
	{
		dbk_code	v = order[head++];

		for (uint32_t e = h->child_start[v]; e < h->child_start[v + 1]; e++)
			if (--pending[h->children[e]] == 0)
				order[tail++] = h->children[e];
	}
	if (tail < n)
	{
		rc = report_cycle(h, pending, err);
		dbk_free(h->a, order);
	}
	else
		h->topo = order;
	dbk_free(h->a, pending);
	return rc;
}

int
dbk_hierarchy_finish(dbk_hierarchy *h, dbk_error *err)
{
	if (h->finished)
		return 0;
	if (flush_queue(h, err) != 0)
		return -1;
	if (build_parents(h, err) != 0 || build_children(h, err) != 0 || build_order(h, err) != 0)
		return -1;
	h->finished = true;
	return 0;
}
