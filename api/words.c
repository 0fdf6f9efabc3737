/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Words of a command line, split and quoted as a shell does: one grammar for the config
 * file, the state file, lanctl's own files and what lanctl sends (api/words.h).
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "api/words.h"

/* Split one line into words in out->buf; why says what is wrong when it returns < 0. */
int words_split(const char *line, struct words *out, const char **why)
{
	char *o = out->buf, *end = out->buf + sizeof(out->buf) - 1;
	const char *s = line;
	char quote;

	out->argc = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (*s == '\0' || *s == '#')
			return out->argc;
		if (out->argc == WORDS_MAX) {
			*why = "too many words";
			return -E2BIG;
		}
		out->argv[out->argc++] = o;
		quote = 0;
		for (; *s != '\0'; s++) {
			if (quote == 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
				break;
			if (quote == 0 && (*s == '"' || *s == '\'')) {
				quote = *s;
				continue;
			}
			if (quote == *s) {
				quote = 0;
				continue;
			}
			if (*s == '\\' && quote != '\'' && s[1] != '\0')
				s++;
			/* counted in bytes written, not read: the words words_quote writes back,
			 * quotes and all, fit wherever the same words did */
			if (o >= end) {
				*why = "line too long";
				return -E2BIG;
			}
			*o++ = *s;
		}
		if (quote != 0) {
			*why = quote == '"' ? "unterminated double quote"
			                    : "unterminated single quote";
			return -EINVAL;
		}
		*o++ = '\0';
	}
}

/* Write a word so that words_split() reads it back unchanged. */
void words_quote(FILE *out, const char *word)
{
	const char *c;

	for (c = word; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && strchr("_./:,=@%+-", *c) == NULL)
			break;
	if (*c == '\0' && *word != '\0') {
		fputs(word, out);
		return;
	}
	fputc('"', out);
	for (c = word; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			fputc('\\', out);
		fputc(*c, out);
	}
	fputc('"', out);
}
