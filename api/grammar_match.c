/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading the grammar: finding a command by its words, matching its arguments against its
 * forms, and saying what went wrong where no form matches (grammar.h has the syntax).
 *
 * A form is parsed, each time it is matched, into a flat tree of nodes: a group is followed
 * by what it holds, and its end says where that stops. Matching backtracks through optional
 * groups: forms are a few words long, commands a few dozen at most. Options are chosen by
 * their first word, so they need no backtracking. Every place where a form stops matching
 * is noted with what it expected there; the furthest one any form reached is where the
 * message points.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/grammar.h"

#define GM_NODES_MAX 48
#define GM_EXPECT_MAX 24
#define GM_OPTIONS_MAX 32 /* options in a form: one bit each in a frame's mask */

enum gm_kind {
	GM_WORD,  /* a literal, or literals a|b|c */
	GM_PLACE, /* a placeholder: one word */
	GM_GROUP, /* [ ... ]: optional, what it holds follows it */
};

struct gm_node {
	enum gm_kind kind;
	const char *text; /* into the form; NULL for a group */
	unsigned int len;
	bool repeat; /* a group written [ ... ]... */
	bool option; /* a group whose first node is a literal --x */
	int end;     /* the index past this node and all it holds */
};

struct gm_form {
	struct gm_node node[GM_NODES_MAX];
	int n;
	int noptions;
};

/* What was expected at the furthest word reached (pos == argc: past the last word). */
struct gm_reach {
	int pos;
	struct {
		const char *text;
		unsigned int len;
		bool option; /* the key of an optional option group: left out of "expected" */
	} expect[GM_EXPECT_MAX];
	int nexpect;
	bool twice; /* the word there is an option that was given already */
};

/*
 * What is left to match: SEQ the nodes [i, end) of one sequence, REP another round of the
 * repeating group at i (begun at word pos), OPTS the run of options [i, end) with the ones
 * in used already taken; then up. Frames live on the matcher's stack, so up is always valid.
 */
enum gm_frame_kind { GM_SEQ, GM_REP, GM_OPTS };

struct gm_frame {
	enum gm_frame_kind kind;
	int i, end;
	unsigned int used;
	int pos;
	const struct gm_frame *up;
};

struct gm_ctx {
	const struct gm_form *f;
	int argc;
	char *const *argv;
	struct gm_reach *reach;
};

static int gm_bad(const char **why, const char *what)
{
	*why = what;
	return -EINVAL;
}

/* A placeholder's word runs to a blank or an unmatched ']': "N[,M...]" is one word. */
static int gm_parse_word(struct gm_form *f, const char **s, const char **why)
{
	const char *start = *s, *c;
	struct gm_node *nd = &f->node[f->n];
	int depth = 0;

	for (; **s != '\0' && **s != ' ' && (**s != ']' || depth > 0); (*s)++)
		depth += **s == '[' ? 1 : **s == ']' ? -1 : 0;
	if (depth != 0)
		return gm_bad(why, "\"[\" without \"]\" in a word");
	*nd = (struct gm_node){ .kind = isupper((unsigned char)*start) ? GM_PLACE : GM_WORD,
		                .text = start,
		                .len = (unsigned int)(*s - start),
		                .end = f->n + 1 };
	if (nd->kind == GM_WORD) {
		for (c = start; c < *s; c++) {
			if (isupper((unsigned char)*c) || *c == '[' || *c == '.')
				return gm_bad(why, "a literal holds upper case, \"[\" or \".\"");
			if (*c == '|' && (c == start || c + 1 == *s || c[1] == '|'))
				return gm_bad(why, "an empty alternative");
		}
	}
	f->n++;
	return 0;
}

/* The nodes of one sequence, up to the ']' that closes it (in_group) or the end. */
static int gm_parse_seq(struct gm_form *f, const char **s, bool in_group, const char **why)
{
	struct gm_node *g;
	int i;

	for (;;) {
		while (**s == ' ')
			(*s)++;
		if (**s == '\0')
			return in_group ? gm_bad(why, "\"[\" without \"]\"") : 0;
		if (**s == ']')
			return in_group ? 0 : gm_bad(why, "\"]\" without \"[\"");
		if (f->n == GM_NODES_MAX)
			return gm_bad(why, "too many words");
		if (**s != '[') {
			if (gm_parse_word(f, s, why) < 0)
				return -EINVAL;
			continue;
		}
		i = f->n++;
		g = &f->node[i];
		*g = (struct gm_node){ .kind = GM_GROUP };
		(*s)++; /* the '[' */
		if (gm_parse_seq(f, s, true, why) < 0)
			return -EINVAL;
		(*s)++; /* the ']' */
		if (strncmp(*s, "...", 3) == 0) {
			g->repeat = true;
			*s += 3;
		}
		if (**s != '\0' && **s != ' ' && **s != ']')
			return gm_bad(why, "a word right after \"]\"");
		if (f->n == i + 1)
			return gm_bad(why, "an empty group");
		g->end = f->n;
		g->option = f->node[i + 1].kind == GM_WORD && f->node[i + 1].len > 2 &&
		            strncmp(f->node[i + 1].text, "--", 2) == 0;
		if (g->option && ++f->noptions > GM_OPTIONS_MAX)
			return gm_bad(why, "too many options");
	}
}

static int gm_parse(struct gm_form *f, const char *args, const char **why)
{
	const char *s = args;

	f->n = 0;
	f->noptions = 0;
	return gm_parse_seq(f, &s, false, why);
}

int grammar_form_check(const char *args, const char **why)
{
	struct gm_form f;

	return gm_parse(&f, args, why);
}

static bool gm_is_option(const char *word)
{
	return strncmp(word, "--", 2) == 0;
}

/* Whether word is one of a literal's alternatives. */
static bool gm_literal_has(const struct gm_node *nd, const char *word)
{
	const char *alt = nd->text, *end = nd->text + nd->len, *bar;
	size_t len = strlen(word);

	for (; alt < end; alt = bar + 1) {
		bar = memchr(alt, '|', (size_t)(end - alt));
		if (bar == NULL)
			bar = end;
		if ((size_t)(bar - alt) == len && strncmp(alt, word, len) == 0)
			return true;
	}
	return false;
}

/*
 * A form stopped at word pos, where it wanted nd (NULL: the end of the command); option: nd
 * is the key of an optional option group, which "expected ..." does not list (a required
 * literal such as "--bridge" it does).
 */
static void gm_reach_at(struct gm_ctx *c, int pos, const struct gm_node *nd, bool twice,
                        bool option)
{
	struct gm_reach *r = c->reach;
	const char *alt, *end, *bar;
	int k;

	if (pos < r->pos)
		return;
	if (pos > r->pos) {
		r->pos = pos;
		r->nexpect = 0;
		r->twice = false;
	}
	r->twice |= twice;
	if (nd == NULL)
		return;
	/* each alternative of a|b|c on its own: "expected a, b or c" */
	for (alt = nd->text, end = nd->text + nd->len; alt < end; alt = bar + 1) {
		bar = nd->kind == GM_WORD ? memchr(alt, '|', (size_t)(end - alt)) : NULL;
		if (bar == NULL)
			bar = end;
		for (k = 0; k < r->nexpect; k++) {
			if (r->expect[k].len == (unsigned int)(bar - alt) &&
			    strncmp(r->expect[k].text, alt, r->expect[k].len) == 0)
				break;
		}
		if (k == r->nexpect && r->nexpect < GM_EXPECT_MAX) {
			r->expect[k].text = alt;
			r->expect[k].len = (unsigned int)(bar - alt);
			r->expect[k].option = option;
			r->nexpect++;
		} else if (k < r->nexpect) {
			r->expect[k].option &= option; /* required by one form: listed */
		}
	}
}

static bool gm_match(struct gm_ctx *c, const struct gm_frame *fr, int pos);

/* The run of options [fr->i, fr->end): any one not taken yet (or repeating), or none more. */
static bool gm_match_options(struct gm_ctx *c, const struct gm_frame *fr, int pos)
{
	const struct gm_node *n = c->f->node, *key;
	unsigned int k, bit;
	int g;

	for (g = fr->i, k = 0; g < fr->end; g = n[g].end, k++) {
		key = &n[g + 1];
		bit = 1u << k;
		if (pos < c->argc && gm_literal_has(key, c->argv[pos])) {
			struct gm_frame after = {
				GM_OPTS, fr->i, fr->end, fr->used | bit, 0, fr->up
			};
			struct gm_frame body = { GM_SEQ, g + 2, n[g].end, 0, 0, &after };

			if ((fr->used & bit) && !n[g].repeat)
				gm_reach_at(c, pos, NULL, true, false);
			else if (gm_match(c, &body, pos + 1))
				return true;
		} else if (!(fr->used & bit) || n[g].repeat) {
			gm_reach_at(c, pos, key, false, true);
		}
	}
	return gm_match(c, fr->up, pos);
}

/* One node of a sequence at word pos, then the rest. */
static bool gm_match_node(struct gm_ctx *c, const struct gm_frame *fr, int pos)
{
	const struct gm_node *n = c->f->node, *nd = &n[fr->i];
	struct gm_frame next = { GM_SEQ, nd->end, fr->end, 0, 0, fr->up }, opts, rep, body;
	const char *word = pos < c->argc ? c->argv[pos] : NULL;
	int j;

	switch (nd->kind) {
	case GM_WORD:
		if (word != NULL && gm_literal_has(nd, word))
			return gm_match(c, &next, pos + 1);
		break;
	case GM_PLACE:
		/* "--queues" is an option out of place, never a value (NAME, IFACE, ...) */
		if (word != NULL && !gm_is_option(word))
			return gm_match(c, &next, pos + 1);
		break;
	case GM_GROUP:
		if (nd->option) {
			/* the options that follow one another, taken in any order */
			for (j = fr->i; j < fr->end && n[j].kind == GM_GROUP && n[j].option;)
				j = n[j].end;
			next.i = j;
			opts = (struct gm_frame){ GM_OPTS, fr->i, j, 0, 0, &next };
			return gm_match_options(c, &opts, pos);
		}
		rep = (struct gm_frame){ GM_REP, fr->i, 0, 0, pos, &next };
		body = (struct gm_frame){ GM_SEQ, fr->i + 1, nd->end,
			                  0,      0,         nd->repeat ? &rep : &next };
		/* with the group, else without it */
		return gm_match(c, &body, pos) || gm_match(c, &next, pos);
	}
	gm_reach_at(c, pos, nd, false, false);
	return false;
}

static bool gm_match(struct gm_ctx *c, const struct gm_frame *fr, int pos)
{
	const struct gm_node *n = c->f->node;

	if (fr == NULL) {
		if (pos == c->argc)
			return true;
		gm_reach_at(c, pos, NULL, false, false); /* a word past the end of the form */
		return false;
	}
	switch (fr->kind) {
	case GM_SEQ:
		if (fr->i == fr->end)
			return gm_match(c, fr->up, pos);
		return gm_match_node(c, fr, pos);
	case GM_REP:
		/* another round only if the last one took a word: no endless empty rounds */
		if (pos > fr->pos) {
			struct gm_frame rep = { GM_REP, fr->i, 0, 0, pos, fr->up };
			struct gm_frame body = { GM_SEQ, fr->i + 1, n[fr->i].end, 0, 0, &rep };

			if (gm_match(c, &body, pos))
				return true;
		}
		return gm_match(c, fr->up, pos);
	case GM_OPTS:
		return gm_match_options(c, fr, pos);
	}
	return false;
}

/* snprintf at *o into buf, never past its end; *o counts what did not fit too. */
static void gm_append(char *buf, size_t len, int *o, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void gm_append(char *buf, size_t len, int *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if ((size_t)*o >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *o, len - (size_t)*o, fmt, ap);
	va_end(ap);
	*o += n > 0 ? n : 0;
}

static bool gm_expect_is_option(const struct gm_reach *r, int k)
{
	return r->expect[k].option;
}

/* "a", "a or b", "a, b or c": what the reach expected, optional options left out. */
static void gm_expect_list(const struct gm_reach *r, char *buf, size_t len)
{
	int k, last = -1, o = 0;

	for (k = 0; k < r->nexpect; k++)
		last = gm_expect_is_option(r, k) ? last : k;
	buf[0] = '\0';
	for (k = 0; k < r->nexpect; k++) {
		if (!gm_expect_is_option(r, k))
			gm_append(buf, len, &o, "%s%.*s",
			          o == 0      ? ""
			          : k == last ? " or "
			                      : ", ",
			          (int)r->expect[k].len, r->expect[k].text);
	}
}

static void gm_explain(const struct cmd_def *def, int argc, char *const *argv,
                       const struct gm_reach *r, char *err, size_t errlen)
{
	const char *word = r->pos < argc ? argv[r->pos] : NULL;
	char name[64], list[256];

	grammar_name(def, name, sizeof(name));
	gm_expect_list(r, list, sizeof(list));
	if (r->pos < 0)
		snprintf(err, errlen, "%s: no form of it can be read", name);
	else if (word == NULL && r->pos == 0)
		snprintf(err, errlen, "%s: missing %s", name, list);
	else if (word == NULL)
		snprintf(err, errlen, "%s: missing %s after \"%s\"", name, list, argv[r->pos - 1]);
	else if (r->twice)
		snprintf(err, errlen, "%s: \"%s\" given twice", name, word);
	else if (list[0] != '\0')
		snprintf(err, errlen, "%s: expected %s, got \"%s\"", name, list, word);
	else if (gm_is_option(word))
		snprintf(err, errlen, "%s: unknown option \"%s\"", name, word);
	else
		snprintf(err, errlen, "%s: unexpected \"%s\"", name, word);
}

int grammar_check(const struct cmd_def *def, int argc, char *const *argv, char *err, size_t errlen)
{
	struct gm_reach reach = { .pos = -1 };
	struct gm_form form;
	struct gm_ctx c = { &form, argc, argv, &reach };
	struct gm_frame all = { GM_SEQ, 0, 0, 0, 0, NULL };
	const char *why;
	int k;

	for (k = 0; k < CMD_FORMS_MAX && def->forms[k].args != NULL; k++) {
		/* a form that cannot be read matches nothing; grammar_test reads every one */
		if (gm_parse(&form, def->forms[k].args, &why) < 0)
			continue;
		all.end = form.n;
		if (gm_match(&c, &all, 0))
			return 0;
	}
	gm_explain(def, argc, argv, &reach, err, errlen);
	return -EINVAL;
}

int grammar_name(const struct cmd_def *def, char *buf, size_t len)
{
	return snprintf(buf, len, "%s%s%s", def->words[0], def->words[1] != NULL ? " " : "",
	                def->words[1] != NULL ? def->words[1] : "");
}

int grammar_usage(const struct cmd_def *def, const char *sep, char *buf, size_t len)
{
	char name[64];
	int k, o = 0;

	grammar_name(def, name, sizeof(name));
	buf[0] = '\0';
	for (k = 0; k < CMD_FORMS_MAX && def->forms[k].args != NULL; k++)
		gm_append(buf, len, &o, "%s%s%s%s", k == 0 ? "" : sep, name,
		          def->forms[k].args[0] != '\0' ? " " : "", def->forms[k].args);
	return o;
}

bool grammar_is_group(const char *word)
{
	int i;

	for (i = 0; i < CMD_MAX; i++) {
		if (cmd_defs[i].words[1] != NULL && strcmp(cmd_defs[i].words[0], word) == 0)
			return true;
	}
	return false;
}

/* "add, del, list or set": the second words of a group. */
static void gm_group_list(const char *group, char *buf, size_t len)
{
	int i, n = 0, seen = 0, o = 0;

	for (i = 0; i < CMD_MAX; i++)
		n += cmd_defs[i].words[1] != NULL && strcmp(cmd_defs[i].words[0], group) == 0;
	buf[0] = '\0';
	for (i = 0; i < CMD_MAX; i++) {
		if (cmd_defs[i].words[1] == NULL || strcmp(cmd_defs[i].words[0], group) != 0)
			continue;
		seen++;
		gm_append(buf, len, &o, "%s%s",
		          seen == 1   ? ""
		          : seen == n ? " or "
		                      : ", ",
		          cmd_defs[i].words[1]);
	}
}

const struct cmd_def *grammar_find(int argc, char *const *argv, int *nwords, char *err,
                                   size_t errlen)
{
	const struct cmd_def *one = NULL;
	char list[256];
	int i;

	if (argc == 0) {
		snprintf(err, errlen, "empty command");
		return NULL;
	}
	for (i = 0; i < CMD_MAX; i++) {
		if (strcmp(cmd_defs[i].words[0], argv[0]) != 0)
			continue;
		if (cmd_defs[i].words[1] == NULL) {
			one = &cmd_defs[i];
		} else if (argc >= 2 && strcmp(cmd_defs[i].words[1], argv[1]) == 0) {
			*nwords = 2;
			return &cmd_defs[i];
		}
	}
	if (one != NULL) {
		*nwords = 1;
		return one;
	}
	if (!grammar_is_group(argv[0])) {
		snprintf(err, errlen, "unknown command \"%s\"", argv[0]);
	} else if (argc == 1) {
		gm_group_list(argv[0], list, sizeof(list));
		snprintf(err, errlen, "incomplete command \"%s\": expected %s", argv[0], list);
	} else {
		snprintf(err, errlen, "unknown command \"%s %s\"", argv[0], argv[1]);
	}
	return NULL;
}
