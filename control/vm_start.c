/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lanctl vm start-order FILE: the guests started in the order a file gives, each when what
 * it needs is ready, instead of `sleep 30` before them. The file is lanctl's, not the
 * switch's, with its grammar of words (api/words.h), one step a line:
 *
 *	start pfsense
 *	wait pfsense dhcp-server --timeout 120
 *	start homeassistant windows
 *
 * `start DOMAIN...` starts domains (and turns their libvirt autostart off: two starters would
 * race; said aloud); `wait DOMAIN ...` is `lanctl wait` on the domain's port (its first in the
 * lanswitch metadata), in wait's own words. The whole file is checked before anything starts:
 * an unknown domain, a domain started twice, a wait on a domain not started yet, a line that
 * is neither, each stop it with the file and line. A wait that times out says so and the rest
 * start anyway: a slow router must not keep the desktop from booting. Exit 0 when every step
 * held, 1 when one did not (all the rest done), as lanctl's codes otherwise.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/grammar.h"
#include "api/words.h"
#include "virt.h"
#include "vm_cmd.h"

#define START_STEPS_MAX 64
#define START_DOMAINS_MAX 64

struct start_step {
	unsigned int line;
	struct words w;                  /* "start" DOMAIN... or "wait" DOMAIN ... */
	char port[VM_PORT_NAME_MAX + 1]; /* wait: the domain's port */
};

struct start_plan {
	const char *file;
	unsigned int n;
	struct start_step step[START_STEPS_MAX];
};

static int start_fail(const struct start_plan *p, unsigned int line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int start_fail(const struct start_plan *p, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lanctl: %s:%u: ", p->file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EINVAL;
}

/* The file's lines into steps; words only, nothing looked up yet. */
static int start_read(struct start_plan *p)
{
	char *buf = NULL;
	size_t cap = 0;
	const char *why;
	unsigned int line = 0;
	int ret = 0;
	FILE *f;

	f = fopen(p->file, "r");
	if (f == NULL) {
		fprintf(stderr, "lanctl: %s: %s\n", p->file, strerror(errno));
		return -errno;
	}
	while (getline(&buf, &cap, f) >= 0) {
		struct start_step *s = &p->step[p->n];

		line++;
		if (p->n == START_STEPS_MAX) {
			ret = start_fail(p, line, "more than %d steps", START_STEPS_MAX);
			break;
		}
		if (words_split(buf, &s->w, &why) < 0) {
			ret = start_fail(p, line, "%s", why);
			break;
		}
		if (s->w.argc == 0)
			continue;
		s->line = line;
		p->n++;
	}
	free(buf);
	fclose(f);
	return ret;
}

/* The domain called name, said with the file and line when there is none. */
static virDomainPtr start_lookup(struct virt *v, const struct start_plan *p,
                                 const struct start_step *s, const char *name)
{
	virDomainPtr dom = virDomainLookupByName(v->conn, name);

	if (dom == NULL && virt_error_code() == VIR_ERR_NO_DOMAIN)
		start_fail(p, s->line, "domain \"%s\": not found on %s", name, v->uri);
	else if (dom == NULL)
		start_fail(p, s->line, "domain \"%s\": %s", name, virt_error());
	return dom;
}

/* The domain's first port on the switch, from its lanswitch metadata. */
static int start_domain_port(struct virt *v, const struct start_plan *p, const struct start_step *s,
                             const char *domain, char *port)
{
	struct vm_port ports[VM_PORTS_MAX];
	char err[256];
	virDomainPtr dom;
	xmlDocPtr doc;
	int n;

	dom = start_lookup(v, p, s, domain);
	if (dom == NULL)
		return -ENOENT;
	doc = virt_domain_read(dom, true);
	virDomainFree(dom);
	if (doc == NULL)
		return -EIO;
	n = vm_xml_metadata_read(doc, ports, VM_PORTS_MAX, err, sizeof(err));
	xmlFreeDoc(doc);
	if (n < 0)
		return start_fail(p, s->line, "domain \"%s\": %s", domain, err);
	if (n == 0)
		return start_fail(p, s->line,
		                  "domain \"%s\" has no port on the switch (lanctl vm attach, or "
		                  "vm convert)",
		                  domain);
	snprintf(port, VM_PORT_NAME_MAX + 1, "%s", ports[0].name);
	return 0;
}

static bool start_seen(char *const *list, unsigned int n, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

/* Every step checked before the first runs: nothing starts from a file with a typo in it. */
static int start_check(struct virt *v, struct start_plan *p)
{
	const struct cmd_def *wait = &cmd_defs[CMD_WAIT];
	char *started[START_DOMAINS_MAX], err[GRAMMAR_ERR_MAX];
	unsigned int i, nstarted = 0;
	struct start_step *s;
	virDomainPtr dom;
	int j;

	for (i = 0; i < p->n; i++) {
		s = &p->step[i];
		if (strcmp(s->w.argv[0], "start") == 0 && s->w.argc > 1) {
			for (j = 1; j < s->w.argc; j++) {
				if (start_seen(started, nstarted, s->w.argv[j]))
					return start_fail(p, s->line,
					                  "domain \"%s\" is started twice",
					                  s->w.argv[j]);
				dom = start_lookup(v, p, s, s->w.argv[j]);
				if (dom == NULL)
					return -ENOENT;
				virDomainFree(dom);
				if (nstarted == START_DOMAINS_MAX)
					return start_fail(p, s->line, "more than %d domains",
					                  START_DOMAINS_MAX);
				started[nstarted++] = s->w.argv[j];
			}
		} else if (strcmp(s->w.argv[0], "wait") == 0) {
			if (grammar_check(wait, s->w.argc - 1, s->w.argv + 1, err, sizeof(err)) < 0)
				return start_fail(p, s->line, "%s", err);
			if (!start_seen(started, nstarted, s->w.argv[1]))
				return start_fail(
				        p, s->line,
				        "a wait on domain \"%s\", which no line above starts",
				        s->w.argv[1]);
			if (start_domain_port(v, p, s, s->w.argv[1], s->port) < 0)
				return -EINVAL;
		} else {
			return start_fail(p, s->line,
			                  "expected \"start DOMAIN...\" or \"wait DOMAIN link-up | "
			                  "dhcp-server | arp IP ...\", got \"%s\"",
			                  s->w.argv[0]);
		}
	}
	return 0;
}

/* One domain started, autostart off first. 0, or 1 when it could not be started. */
static int start_domain(struct virt *v, const char *name)
{
	virDomainPtr dom;
	int autostart = 0, ret = 0;

	if (virt_domain_find(v, name, &dom) < 0)
		return 1;
	if (virDomainGetAutostart(dom, &autostart) == 0 && autostart) {
		if (virDomainSetAutostart(dom, 0) == 0)
			printf("domain %s: libvirt's autostart turned off: this start order starts "
			       "it\n",
			       name);
		else
			fprintf(stderr, "lanctl: domain \"%s\": autostart stays on: %s\n", name,
			        virt_error());
	}
	if (virt_domain_running(dom)) {
		printf("domain %s: running already\n", name);
	} else if (virDomainCreate(dom) < 0) {
		fprintf(stderr, "lanctl: domain \"%s\": not started: %s\n", name, virt_error());
		ret = 1;
	} else {
		printf("domain %s: started\n", name);
	}
	fflush(stdout);
	virDomainFree(dom);
	return ret;
}

static int start_run(const struct lanctl_opts *opts, struct virt *v, struct start_plan *p)
{
	int i, status = LANCTL_EXIT_OK, rc;
	struct start_step *s;
	unsigned int k;

	for (k = 0; k < p->n; k++) {
		s = &p->step[k];
		if (strcmp(s->w.argv[0], "start") == 0) {
			for (i = 1; i < s->w.argc; i++)
				if (start_domain(v, s->w.argv[i]) != 0)
					status = LANCTL_EXIT_REFUSED;
			continue;
		}
		s->w.argv[1] = s->port; /* wait's PORT: the domain's */
		rc = wait_run(opts, &cmd_defs[CMD_WAIT], s->w.argc - 1, s->w.argv + 1);
		fflush(stdout);
		if (rc == LANCTL_EXIT_SOCKET)
			return rc; /* no switch: nothing after this could hold */
		if (rc != LANCTL_EXIT_OK) {
			fprintf(stderr, "lanctl: %s:%u: did not hold; starting the rest anyway\n",
			        p->file, s->line);
			status = LANCTL_EXIT_REFUSED;
		}
	}
	return status;
}

int vm_start_order_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc,
                       char **argv)
{
	static struct start_plan plan;
	struct virt v;
	int ret;

	memset(&plan, 0, sizeof(plan));
	plan.file = argv[0];
	if (start_read(&plan) < 0)
		return LANCTL_EXIT_REFUSED;
	if (virt_open(&v, opts->uri) < 0)
		return LANCTL_EXIT_REFUSED;
	ret = start_check(&v, &plan) < 0 ? LANCTL_EXIT_REFUSED : start_run(opts, &v, &plan);
	virt_close(&v);
	return ret;
}
