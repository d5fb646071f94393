/*
 * gen_hierarchy.c — a deterministic, SNOMED CT-sized is-a hierarchy for the
 * codelist benchmark (tests/bench/bench_codelist.sh).
 *
 *   gen_hierarchy OUTDIR [CODES]        (default 360000 codes)
 *
 * Writes CSV files without header or quoting into OUTDIR:
 *   edges_a.csv, terms_a.csv   release A: code,parent / code,term
 *   edges_b.csv, terms_b.csv   release B: A plus 3,000 new codes, minus 500
 *                              leaves, with 1,000 codes moved under another
 *                              parent of the same level
 *   rules.csv                  code,status: 50 explicit rules (+ and -),
 *                              whose descendants number about 20,000
 *   searches.csv               term,code: 5 searches (3 terms, 2 codes)
 *
 * The shape follows SNOMED CT: one root, 19 top-level hierarchies, levels up
 * to 30 with most codes around level 8-12, about 40% of codes with more than
 * one parent (extra parents one to three levels up, in the same top-level
 * hierarchy), so about 1.67 edges per code.  Every edge goes from a level to
 * a deeper one, so there is no cycle.  Rows are written in a shuffled order.
 * The pseudo-random generator is a fixed 64-bit LCG: the same files on
 * every machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEVELS 31
#define TOPS 19

static unsigned long long seed = 20240101;

static unsigned
rnd(unsigned n)
{
	seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned) ((seed >> 33) % n);
}

static double
unit(void)
{
	return rnd(1u << 30) / (double) (1u << 30);
}

typedef struct
{
	int			level;
	int			top;
	int			nparents;
	int			parents[6];
	long		sctid;
	int			alive;
	int			word;			/* 1..3: the term contains search word word - 1 */
} code_t;

static code_t *codes;
static int	ncodes;
/* codes by (level, top): start offsets into by_lt */
static int *by_lt;
static int	lt_start[LEVELS][TOPS + 1];

static const char *syllables[] = {
	"ab", "ac", "ad", "al", "am", "an", "ar", "as", "at", "ba", "be", "bi", "bo", "ca", "ce",
	"ci", "co", "cu", "da", "de", "di", "do", "el", "em", "en", "er", "es", "fa", "fe", "fi",
	"ga", "ge", "go", "ha", "he", "hi", "ho", "il", "im", "in", "ir", "is", "la", "le", "li",
	"lo", "lu", "ma", "me", "mi", "mo", "mu", "na", "ne", "ni", "no", "nu", "ol", "om", "on",
	"or", "os", "pa", "pe", "pi", "po", "ra", "re", "ri", "ro", "ru", "sa", "se", "si", "so",
	"ta", "te", "ti", "to", "tu", "ul", "um", "un", "ur", "va", "ve", "vi", "vo"
};
static const char *tags[] = {
	"disorder", "finding", "procedure", "body structure", "substance", "organism",
	"observable entity", "qualifier value", "situation", "event"
};
#define NSYL (sizeof(syllables) / sizeof(syllables[0]))
#define VOCAB 3000

static char vocab[VOCAB][16];

static void
make_vocab(void)
{
	for (int w = 0; w < VOCAB; w++)
	{
		int			n = 2 + (int) rnd(3);

		vocab[w][0] = '\0';
		for (int k = 0; k < n; k++)
			strcat(vocab[w], syllables[rnd(NSYL)]);
	}
}

/* The words the three term searches look for, each in the terms of 60 deep codes. */
static const char *search_words[] = {"asthmatic", "fracturous", "Zygomatic"};

/* A word of a term: words at the end of the vocabulary are rare. */
static int
pick_word(void)
{
	double		u = unit();

	return (int) (u * u * VOCAB) % VOCAB;
}

/* Code i's term: two to five words and a semantic tag. */
static void
make_term(int i, char *buf, size_t cap)
{
	int			n = 2 + (int) rnd(4);
	size_t		used = 0;

	for (int k = 0; k < n; k++)
		used += (size_t) snprintf(buf + used, cap - used, "%s%s", k ? " " : "", vocab[pick_word()]);
	if (codes[i].word)
		used += (size_t) snprintf(buf + used, cap - used, " %s", search_words[codes[i].word - 1]);
	snprintf(buf + used, cap - used, " (%s)", tags[codes[i].top % 10]);
}

static int
level_size(int level, int total)
{
	/* A profile peaking around level 9, with a thin tail to level 30. */
	static const double profile[LEVELS] = {
		0, 0.00005, 0.002, 0.008, 0.02, 0.04, 0.07, 0.10, 0.12, 0.13, 0.12, 0.10, 0.08, 0.06,
		0.045, 0.033, 0.024, 0.017, 0.012, 0.008, 0.0055, 0.0038, 0.0026, 0.0018, 0.0012,
		0.0008, 0.0005, 0.0003, 0.0002, 0.00012, 0.00008
	};
	double		sum = 0;

	if (level == 0)
		return 1;
	for (int l = 1; l < LEVELS; l++)
		sum += profile[l];
	if (level == 1)
		return TOPS;
	return (int) (profile[level] / sum * (total - 1 - TOPS)) + 1;
}

static int
random_in(int level, int top)
{
	int			n = lt_start[level][top + 1] - lt_start[level][top];

	if (n == 0)
		return -1;
	/* Skewed: a few codes have many children, as in SNOMED CT. */
	return by_lt[lt_start[level][top] + (int) (unit() * unit() * n)];
}

static void
add_parent(int c, int p)
{
	for (int k = 0; k < codes[c].nparents; k++)
		if (codes[c].parents[k] == p)
			return;
	if (codes[c].nparents < 6)
		codes[c].parents[codes[c].nparents++] = p;
}

/* Children by first (primary) parent, a CSR built once the primary parents are known. */
static int *primary_start,
		   *primary_list;

static void
index_primary_children(void)
{
	int		   *pos;

	primary_start = calloc((size_t) ncodes + 1, sizeof(int));
	primary_list = malloc(sizeof(int) * (size_t) ncodes);
	pos = malloc(sizeof(int) * (size_t) ncodes);
	for (int i = 1; i < ncodes; i++)
		primary_start[codes[i].parents[0] + 1]++;
	for (int i = 0; i < ncodes; i++)
		primary_start[i + 1] += primary_start[i];
	memcpy(pos, primary_start, sizeof(int) * (size_t) ncodes);
	for (int i = 1; i < ncodes; i++)
		primary_list[pos[codes[i].parents[0]]++] = i;
	free(pos);
}

/* A random child of p (by first parent) other than not, or -1. */
static int
random_primary_child(int p, int not)
{
	int			n = primary_start[p + 1] - primary_start[p];
	int			c;

	if (n < 2)
		return -1;
	do
		c = primary_list[primary_start[p] + (int) rnd((unsigned) n)];
	while (c == not);
	return c;
}

/* Mean number of ancestors of a sample of codes, for the record (stderr). */
static void
report_ancestors(void)
{
	char	   *seen = calloc((size_t) ncodes, 1);
	int		   *stack = malloc(sizeof(int) * (size_t) ncodes),
			   *visited = malloc(sizeof(int) * (size_t) ncodes);
	long		total = 0;
	int			sample = 5000,
				max = 0;

	for (int k = 0; k < sample; k++)
	{
		int			c = (int) ((long) k * ncodes / sample),
					top = 0,
					nv = 0;

		stack[top++] = c;
		while (top > 0)
		{
			int			v = stack[--top];

			for (int p = 0; p < codes[v].nparents; p++)
				if (!seen[codes[v].parents[p]])
				{
					seen[codes[v].parents[p]] = 1;
					visited[nv++] = codes[v].parents[p];
					stack[top++] = codes[v].parents[p];
				}
		}
		total += nv;
		if (nv > max)
			max = nv;
		for (int q = 0; q < nv; q++)
			seen[visited[q]] = 0;
	}
	fprintf(stderr, "gen_hierarchy: %d codes, mean %.1f ancestors per code (largest %d, of %d sampled)\n",
			ncodes, (double) total / sample, max, sample);
	free(seen);
	free(stack);
	free(visited);
}

static void
build(int total)
{
	int			n = 0;

	codes = calloc((size_t) total + 4000, sizeof(code_t));
	by_lt = calloc((size_t) total + 4000, sizeof(int));
	for (int level = 0; level < LEVELS && n < total; level++)
	{
		int			size = level_size(level, total);

		if (level == LEVELS - 1 || n + size > total)
			size = total - n;
		for (int k = 0; k < size; k++, n++)
		{
			codes[n].level = level;
			codes[n].top = level == 0 ? 0 : level == 1 ? k : (int) rnd(TOPS);
			codes[n].alive = 1;
			codes[n].sctid = 100000000L + (long) n * 7919 % 900000000L;
		}
	}
	ncodes = n;
	/* Index codes by (level, top), a counting sort. */
	{
		static int	count[LEVELS][TOPS],
					fill[LEVELS][TOPS];
		int			pos = 0;

		for (int i = 0; i < ncodes; i++)
			count[codes[i].level][codes[i].top]++;
		for (int level = 0; level < LEVELS; level++)
		{
			for (int top = 0; top < TOPS; top++)
			{
				lt_start[level][top] = pos;
				pos += count[level][top];
			}
			lt_start[level][TOPS] = pos;
		}
		for (int i = 0; i < ncodes; i++)
			by_lt[lt_start[codes[i].level][codes[i].top] + fill[codes[i].level][codes[i].top]++] = i;
	}
	/* Primary parents: one level up, in the same top-level hierarchy. */
	for (int i = 1; i < ncodes; i++)
	{
		code_t	   *c = &codes[i];
		int			p;

		if (c->level == 1)
		{
			add_parent(i, 0);
			continue;
		}
		p = random_in(c->level - 1, c->top);
		/* A thin level may lack this top-level hierarchy: adopt the code into another. */
		for (int t = 0; p < 0; t++)
		{
			p = random_in(c->level - 1, t);
			c->top = t;
		}
		add_parent(i, p);
	}
	index_primary_children();

	/*
	 * Extra parents, as SNOMED CT has them: mostly near the first one (a
	 * sibling of it, or of its parent: "fracture of femur" is a "fracture of
	 * lower limb" and an "injury of femur"), so that ancestor sets stay about
	 * as large as SNOMED CT's; sometimes anywhere one to three levels up in
	 * the same top-level hierarchy.
	 */
	for (int i = 1; i < ncodes; i++)
	{
		code_t	   *c = &codes[i];
		double		u = unit();
		int			extra = u < 0.45 ? 0 : u < 0.75 ? 1 : u < 0.92 ? 2 : 3;

		for (int k = 0; k < extra && c->level > 2; k++)
		{
			int			p = -1;

			if (unit() < 0.9)
			{
				int			gp = codes[c->parents[0]].parents[0];

				p = random_primary_child(gp, c->parents[0]);
				if (p < 0 && c->level > 3)
					p = random_primary_child(codes[gp].parents[0], gp);
			}
			else
			{
				int			up = 1 + (int) rnd(3);
				int			level = c->level - up < 2 ? 2 : c->level - up;

				p = random_in(level, c->top);
			}
			if (p >= 0)
				add_parent(i, p);
		}
	}
	for (int w = 1; w <= 3; w++)
		for (int k = 0; k < 60;)
		{
			int			i = 1 + (int) rnd((unsigned) ncodes - 1);

			if (codes[i].level >= 11 && !codes[i].word)
			{
				codes[i].word = w;
				k++;
			}
		}
}

/* A permutation of 0..n-1, for writing rows in no particular order. */
static int *
shuffled(int n)
{
	int		   *p = malloc(sizeof(int) * (size_t) n);

	for (int i = 0; i < n; i++)
		p[i] = i;
	for (int i = n - 1; i > 0; i--)
	{
		int			j = (int) rnd((unsigned) i + 1),
					t = p[i];

		p[i] = p[j];
		p[j] = t;
	}
	return p;
}

static void
write_release(const char *dir, const char *suffix)
{
	char		path[4096];
	FILE	   *e,
			   *t;
	int		   *order = shuffled(ncodes);
	unsigned long long keep = seed;

	snprintf(path, sizeof(path), "%s/edges_%s.csv", dir, suffix);
	e = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/terms_%s.csv", dir, suffix);
	t = fopen(path, "w");
	if (e == NULL || t == NULL)
	{
		perror(path);
		exit(1);
	}
	for (int k = 0; k < ncodes; k++)
	{
		int			i = order[k];

		if (!codes[i].alive)
			continue;
		for (int p = 0; p < codes[i].nparents; p++)
			fprintf(e, "%ld,%ld\n", codes[i].sctid, codes[codes[i].parents[p]].sctid);
	}
	seed = 77;					/* the same terms in both releases */
	for (int i = 0; i < ncodes; i++)
	{
		char		term[256];

		/* Drawn even for a removed code, so that later codes keep their terms. */
		make_term(i, term, sizeof(term));
		if (codes[i].alive)
			fprintf(t, "%ld,%s\n", codes[i].sctid, term);
	}
	fclose(e);
	fclose(t);
	free(order);
	seed = keep;
}

static int
has_children(int c, const char *is_parent)
{
	return is_parent[c];
}

/* Release B: new leaves, removed leaves, moved codes. */
static void
evolve(void)
{
	char	   *is_parent = calloc((size_t) ncodes + 4000, 1);
	int			removed = 0,
				moved = 0;
	int			first_new = ncodes;

	for (int i = 0; i < ncodes; i++)
		for (int p = 0; p < codes[i].nparents; p++)
			is_parent[codes[i].parents[p]] = 1;
	while (moved < 1000)
	{
		int			i = 1 + (int) rnd((unsigned) ncodes - 1);
		int			p;

		if (codes[i].level < 3)
			continue;
		p = random_in(codes[i].level - 1, codes[i].top);
		if (p < 0 || p == codes[i].parents[0])
			continue;
		codes[i].parents[0] = p;
		moved++;
	}
	while (removed < 500)
	{
		int			i = 1 + (int) rnd((unsigned) ncodes - 1);

		if (!codes[i].alive || has_children(i, is_parent))
			continue;
		codes[i].alive = 0;
		removed++;
	}
	for (int k = 0; k < 3000; k++)
	{
		int			i = ncodes++;
		int			under;

		do
			under = 1 + (int) rnd((unsigned) first_new - 1);
		while (!codes[under].alive || codes[under].level >= LEVELS - 1);
		codes[i].level = codes[under].level + 1;
		codes[i].top = codes[under].top;
		codes[i].alive = 1;
		codes[i].sctid = 1000000000L + k;
		add_parent(i, under);
		if (rnd(3) == 0)
		{
			int			p = random_in(codes[under].level, codes[under].top);

			if (p >= 0 && codes[p].alive)
				add_parent(i, p);
		}
	}
	free(is_parent);
}

/* Descendant counts by breadth-first search over a child index. */
static int *child_start,
		   *child_list;

static void
index_children(void)
{
	int			m = 0;

	child_start = calloc((size_t) ncodes + 2, sizeof(int));
	for (int i = 0; i < ncodes; i++)
		for (int p = 0; p < codes[i].nparents; p++)
			child_start[codes[i].parents[p] + 1]++, m++;
	for (int i = 0; i < ncodes; i++)
		child_start[i + 1] += child_start[i];
	child_list = malloc(sizeof(int) * (size_t) (m + 1));
	{
		int		   *pos = malloc(sizeof(int) * (size_t) ncodes);

		memcpy(pos, child_start, sizeof(int) * (size_t) ncodes);
		for (int i = 0; i < ncodes; i++)
			for (int p = 0; p < codes[i].nparents; p++)
				child_list[pos[codes[i].parents[p]]++] = i;
		free(pos);
	}
}

/* Marks the descendants-or-self of c with mark; returns how many were new. */
static int
mark_below(int c, char *seen, int *queue)
{
	int			head = 0,
				tail = 0,
				added = 0;

	if (!seen[c])
	{
		seen[c] = 1;
		added++;
	}
	queue[tail++] = c;
	while (head < tail)
	{
		int			v = queue[head++];

		for (int k = child_start[v]; k < child_start[v + 1]; k++)
		{
			int			ch = child_list[k];

			if (seen[ch] == 2)
				continue;
			if (!seen[ch])
				added++;
			seen[ch] = 2;
			queue[tail++] = ch;
		}
	}
	for (int k = 0; k < tail; k++)
		seen[queue[k]] = 1;
	return added;
}

static int
count_below(int c, int *queue, char *tmp)
{
	int			head = 0,
				tail = 0;

	queue[tail++] = c;
	tmp[c] = 1;
	while (head < tail)
	{
		int			v = queue[head++];

		for (int k = child_start[v]; k < child_start[v + 1]; k++)
			if (!tmp[child_list[k]])
			{
				tmp[child_list[k]] = 1;
				queue[tail++] = child_list[k];
			}
	}
	for (int k = 0; k < tail; k++)
		tmp[queue[k]] = 0;
	return tail;
}

static void
write_codelist(const char *dir)
{
	char		path[4096];
	FILE	   *f;
	char	   *seen = calloc((size_t) ncodes, 1),
			   *tmp = calloc((size_t) ncodes, 1);
	int		   *queue = malloc(sizeof(int) * (size_t) ncodes);
	int			covered = 0,
				nrules = 0,
				anchors[20],
				nanchors = 0;
	int			rule_code[50];
	char		rule_sign[50];

	index_children();
	/* Included anchors: subtrees of 800 to 4,000 codes, until about 21,000. */
	while (covered < 21000 && nanchors < 18)
	{
		int			c = 1 + (int) rnd((unsigned) ncodes - 1),
					n;

		if (codes[c].level < 3 || codes[c].level > 7 || seen[c])
			continue;
		n = count_below(c, queue, tmp);
		if (n < 800 || n > 4000 || covered + n > 23000)
			continue;
		covered += mark_below(c, seen, queue);
		anchors[nanchors++] = c;
		rule_code[nrules] = c;
		rule_sign[nrules++] = '+';
	}
	/* Exclusions inside them, then re-inclusions inside those. */
	for (int tries = 0; nrules < 50 && tries < 1000000; tries++)
	{
		int			want = nrules < 38 ? '-' : '+';
		int			c = 1 + (int) rnd((unsigned) ncodes - 1),
					dup = 0;

		if (!seen[c] || child_start[c + 1] == child_start[c])
			continue;
		for (int k = 0; k < nrules; k++)
			dup |= rule_code[k] == c;
		if (dup)
			continue;
		if (want == '-')
		{
			int			n = count_below(c, queue, tmp);

			if (n < 40 || n > 600)
				continue;
		}
		if (want == '+')
		{
			/* under an exclusion: some parent chain reaches an excluded code */
			int			ok = 0;

			for (int k = 0; k < nrules && !ok; k++)
				if (rule_sign[k] == '-')
				{
					int			n = count_below(rule_code[k], queue, tmp);

					for (int q = 0; q < n && !ok; q++)
						ok = queue[q] == c && c != rule_code[k];
				}
			if (!ok)
				continue;
		}
		rule_code[nrules] = c;
		rule_sign[nrules++] = (char) want;
	}
	snprintf(path, sizeof(path), "%s/rules.csv", dir);
	f = fopen(path, "w");
	for (int k = 0; k < nrules; k++)
		fprintf(f, "%ld,%c\n", codes[rule_code[k]].sctid, rule_sign[k]);
	fclose(f);

	snprintf(path, sizeof(path), "%s/searches.csv", dir);
	f = fopen(path, "w");
	fprintf(f, "asthmatic,\nFRACTUROUS,\nzygomatic,\n");
	for (int k = 0, found = 0; found < 2; k++)
	{
		int			c = 1 + (int) rnd((unsigned) ncodes - 1);

		if (codes[c].level == 8 && !seen[c] && child_start[c + 1] > child_start[c])
		{
			fprintf(f, ",%ld\n", codes[c].sctid);
			found++;
		}
	}
	fclose(f);
	free(seen);
	free(tmp);
	free(queue);
	(void) anchors;
}

int
main(int argc, char **argv)
{
	int			total = argc > 2 ? atoi(argv[2]) : 360000;

	if (argc < 2 || total < 1000)
	{
		fprintf(stderr, "usage: gen_hierarchy OUTDIR [CODES >= 1000]\n");
		return 2;
	}
	make_vocab();
	build(total);
	report_ancestors();
	write_codelist(argv[1]);
	write_release(argv[1], "a");
	evolve();
	write_release(argv[1], "b");
	return 0;
}
