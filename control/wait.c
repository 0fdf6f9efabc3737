/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lanctl wait PORT link-up | dhcp-server | arp IP: return 0 as soon as that holds, 1 with a
 * message when --timeout (else -t) runs out. What replaces `sleep 30` before the guests
 * that need the router's DHCP.
 *
 * Subscribed to the switch's events first, then asked: nothing that happens between the
 * question and the subscription can be missed. link-up asks `port list` once and waits for a
 * link event; dhcp-server makes the switch send a DHCPDISCOVER into PORT (probe) every
 * WAIT_PROBE_S until a server's offer comes in on PORT; arp asks who has IP the same way,
 * every second, until the answer comes from behind PORT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lanctl.h"

#define WAIT_PROBE_S 3.0     /* a DHCP server may take 2 s to offer (it checks the address) */
#define WAIT_ARP_PROBE_S 1.0 /* a host answers ARP at once */

enum wait_what { WAIT_LINK, WAIT_DHCP, WAIT_ARP };

struct wait_req {
	enum wait_what what;
	const char *port;
	const char *ip;   /* arp: as given, checked */
	const char *vlan; /* --vlan N, or NULL */
	double timeout_s;
};

/* The words after "wait": PORT WHAT [IP] [--vlan N] [--timeout S]; the grammar checked them. */
static int wait_parse(const struct lanctl_opts *opts, int argc, char **argv, struct wait_req *w)
{
	struct in_addr a;
	char *end;
	int i;

	*w = (struct wait_req){ .port = argv[0], .timeout_s = opts->timeout_s };
	w->what = !strcmp(argv[1], "link-up") ? WAIT_LINK
	          : !strcmp(argv[1], "arp")   ? WAIT_ARP
	                                      : WAIT_DHCP;
	i = 2;
	if (w->what == WAIT_ARP) {
		w->ip = argv[i++];
		if (inet_pton(AF_INET, w->ip, &a) != 1) {
			fprintf(stderr, "lanctl: wait: bad IPv4 address \"%s\"\n", w->ip);
			return LANCTL_EXIT_USAGE;
		}
	}
	for (; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--vlan")) {
			w->vlan = argv[i + 1];
			continue;
		}
		w->timeout_s = strtod(argv[i + 1], &end);
		if (*end != '\0' || end == argv[i + 1] || w->timeout_s < 0 ||
		    w->timeout_s > 86400) {
			fprintf(stderr,
			        "lanctl: wait: bad timeout \"%s\": want 0 to 86400 seconds\n",
			        argv[i + 1]);
			return LANCTL_EXIT_USAGE;
		}
	}
	return 0;
}

/* Does this event say it holds? Prints what it found when it does. */
static bool wait_event_holds(const struct wait_req *w, struct json_object *ev)
{
	const char *kind = print_get_str(ev, "event"), *port = print_get_str(ev, "port");
	uint64_t vlan = 0;

	if (kind == NULL || port == NULL || strcmp(port, w->port) != 0)
		return false;
	if (w->vlan != NULL &&
	    (!print_get_u64(ev, "vlan", &vlan) || vlan != strtoul(w->vlan, 0, 10)))
		return false;
	if (w->what == WAIT_LINK && !strcmp(kind, "link") &&
	    !strcmp(print_get_str(ev, "link") ?: "", "up")) {
		printf("port %s: link up (%s)\n", port, print_get_str(ev, "reason") ?: "?");
		return true;
	}
	if (w->what == WAIT_DHCP && !strcmp(kind, "dhcp_server")) {
		printf("port %s: DHCP server %s (%s) answered\n", port,
		       print_get_str(ev, "ip") ?: "?", print_get_str(ev, "mac") ?: "?");
		return true;
	}
	if (w->what == WAIT_ARP && (!strcmp(kind, "arp_reply") || !strcmp(kind, "host_seen")) &&
	    !strcmp(print_get_str(ev, "ip") ?: "", w->ip)) {
		printf("port %s: %s is at %s\n", port, w->ip, print_get_str(ev, "mac") ?: "?");
		return true;
	}
	return false;
}

/* link-up: the link may be up already; asked after subscribing, so no change is missed. */
static int wait_link_now(const struct lanctl_opts *opts, const struct wait_req *w, bool *up)
{
	char *words[] = { "port", "list" };
	struct json_object *ports, *p;
	size_t i;
	int rc;

	rc = client_command(opts, words, 2, &ports);
	if (rc != 0)
		return rc;
	*up = false;
	rc = LANCTL_EXIT_REFUSED;
	for (i = 0; print_is_object_array(ports) && i < json_object_array_length(ports); i++) {
		p = json_object_array_get_idx(ports, i);
		if (strcmp(print_get_str(p, "name") ?: "", w->port) != 0)
			continue;
		*up = !strcmp(print_get_str(p, "link") ?: "", "up");
		rc = 0;
	}
	json_object_put(ports);
	if (rc != 0)
		fprintf(stderr, "lanctl: port \"%s\": no such port\n", w->port);
	else if (*up)
		printf("port %s: link up\n", w->port);
	return rc;
}

/* dhcp-server and arp: the switch asks into the port (lanctl's words: probe PORT ...). */
static int wait_probe(const struct lanctl_opts *opts, const struct wait_req *w)
{
	char *words[7] = { "probe", (char *)w->port };
	struct json_object *result;
	int n = 2, rc;

	words[n++] = w->what == WAIT_DHCP ? "dhcp" : "arp";
	if (w->what == WAIT_ARP)
		words[n++] = (char *)w->ip;
	if (w->vlan != NULL) {
		words[n++] = "--vlan";
		words[n++] = (char *)w->vlan;
	}
	rc = client_command(opts, words, n, &result);
	if (rc == 0)
		json_object_put(result);
	return rc;
}

static double wait_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int wait_timed_out(const struct wait_req *w)
{
	static const char *const what[] = { "the link did not come up", "no DHCP server answered",
		                            "no host answered for the address" };

	fprintf(stderr, "lanctl: wait: port \"%s\": %s within %g s\n", w->port, what[w->what],
	        w->timeout_s);
	return LANCTL_EXIT_REFUSED;
}

/* Events until one says it holds; a probe each period; the deadline. An exit code. */
static int wait_loop(const struct lanctl_opts *opts, const struct wait_req *w,
                     struct monitor_reader *r)
{
	double end = wait_now() + w->timeout_s,
	       period = w->what == WAIT_ARP ? WAIT_ARP_PROBE_S : WAIT_PROBE_S;
	double next = w->what == WAIT_LINK ? end : wait_now();
	struct json_object *ev;
	struct timespec dl;
	ssize_t n;
	bool held;
	int rc;

	for (;;) {
		if (w->what != WAIT_LINK && wait_now() >= next) {
			rc = wait_probe(opts, w);
			if (rc != 0)
				return rc;
			next = wait_now() + period;
		}
		dl = client_deadline((next < end ? next : end) - wait_now());
		n = monitor_read_line(r, &dl);
		if (n == -ETIMEDOUT && wait_now() >= end)
			return wait_timed_out(w);
		if (n == -ETIMEDOUT)
			continue;
		if (n <= 0) {
			client_fail(opts, "reading events",
			            n == 0 ? "the switch closed the stream" : strerror((int)-n));
			return n == -EINTR ? LANCTL_EXIT_REFUSED : LANCTL_EXIT_SOCKET;
		}
		ev = json_tokener_parse(r->buf);
		held = ev != NULL && wait_event_holds(w, ev);
		json_object_put(ev);
		if (held)
			return LANCTL_EXIT_OK;
	}
}

int wait_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv)
{
	static struct monitor_reader r = { .fd = -1 };
	struct wait_req w;
	bool up = false;
	int rc;

	rc = wait_parse(opts, argc, argv, &w);
	if (rc != 0)
		return rc;
	rc = monitor_subscribe(opts, &r, false);
	if (rc >= 0)
		return rc;
	rc = w.what == WAIT_LINK ? wait_link_now(opts, &w, &up) : 0;
	if (rc == 0 && !up)
		rc = wait_loop(opts, &w, &r);
	close(r.fd);
	r.fd = -1;
	return rc;
}
