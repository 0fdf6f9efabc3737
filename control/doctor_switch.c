/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The doctor's checks of lanswitchd (doctor.h): that it answers (and what it answers: its
 * ports, the hosts it saw and what its start found of its state file, which the later checks
 * read), the upper NIC's link, a DHCP server seen on the LAN, and state files kept aside as
 * damaged.
 *
 * No upper NIC at all is not a finding: a switch of guests and the host alone (the router VM
 * with its own NICs passed through, no other machine on the LAN) is a setup people run, and
 * nothing of it is broken.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "doctor.h"

/* the names lanswitchd keeps a damaged state file under (dataplane/ctl/state_seal.h) */
#define STATE_ASIDE_GLOB ".damaged-*"
#define DOCTOR_START "systemctl start lanswitchd (its log: journalctl -u lanswitchd)"

/* A connect of its own first: client_command's own failure is a line on stderr, not a reason
 * the finding can carry. */
static int doctor_switch_connect(struct doctor *d)
{
	char skipped[256];
	int fd, rc;

	rc = client_connect(d->opts->socket, d->opts->timeout_s, &fd);
	if (rc == 0) {
		close(fd);
		return 0;
	}
	doctor_needing(DOCTOR_NEED_SWITCH, skipped, sizeof(skipped));
	doctor_addf(d,
	            rc == -EACCES ? "run lanctl as root, or as a member of the group lanswitch"
	                          : "start it: " DOCTOR_START,
	            "lanswitchd does not answer on %s: %s (not checked: %s)", d->opts->socket,
	            strerror(-rc), skipped);
	d->switch_silent = true; /* as any lanctl command that cannot connect: exit code 3 */
	return rc;
}

/* One command's result, of the shape type, into *result; a finding when the switch did not
 * give it. */
static int doctor_switch_ask(struct doctor *d, char **words, int nwords, enum json_type type,
                             struct json_object **result)
{
	char skipped[256];
	int rc;

	rc = client_command(d->opts, words, nwords, result);
	if (rc == 0 && json_object_is_type(*result, type))
		return 0;
	if (rc == 0) {
		json_object_put(*result);
		*result = NULL;
		rc = LANCTL_EXIT_SOCKET; /* an answer of another shape is none */
	}
	doctor_needing(DOCTOR_NEED_SWITCH, skipped, sizeof(skipped));
	doctor_addf(d, "its log says why: journalctl -u lanswitchd",
	            "lanswitchd did not answer `%s%s%s` on %s (not checked: %s)", words[0],
	            nwords > 1 ? " " : "", nwords > 1 ? words[1] : "", d->opts->socket, skipped);
	d->switch_silent = rc == LANCTL_EXIT_SOCKET;
	return -EIO;
}

void doctor_switch(struct doctor *d)
{
	char *list[] = { "port", "list" }, *hosts[] = { "hosts" }, *config[] = { "config", "show" };

	if (doctor_switch_connect(d) < 0 ||
	    doctor_switch_ask(d, list, 2, json_type_array, &d->ports) < 0 ||
	    doctor_switch_ask(d, hosts, 1, json_type_array, &d->hosts) < 0 ||
	    doctor_switch_ask(d, config, 2, json_type_object, &d->config) < 0)
		return;
	d->loaded |= DOCTOR_NEED_SWITCH;
}

static void doctor_upper_afxdp(struct doctor *d, struct json_object *p)
{
	const char *name = print_get_str(p, "name"), *ifname = print_get_str(p, "ifname") ?: "?";
	const char *status = print_get_str(p, "status") ?: "";
	char fix[512];
	size_t len = strlen(status);

	if (len >= 17 && strcmp(status + len - 17, "interface deleted") == 0) {
		snprintf(fix, sizeof(fix),
		         "lanctl port del %s, then lanctl port add %s afxdp IFACE, the NIC's name "
		         "now",
		         name, name);
		doctor_addf(d, fix, "port %s (afxdp on %s): the interface was deleted", name,
		            ifname);
		return;
	}
	snprintf(fix, sizeof(fix),
	         "ip link set %s up; if it is up, its cable or the switch at its other end "
	         "(ip link show %s says NO-CARRIER)",
	         ifname, ifname);
	doctor_addf(d, fix, "port %s (afxdp on %s): link down, the LAN beyond it is cut off", name,
	            ifname);
}

void doctor_upper_nic(struct doctor *d)
{
	const char *type, *link;
	struct json_object *p;
	size_t i;

	for (i = 0; i < json_object_array_length(d->ports); i++) {
		p = json_object_array_get_idx(d->ports, i);
		type = print_get_str(p, "type") ?: "";
		link = print_get_str(p, "link") ?: "";
		if (strcmp(link, "up") == 0)
			continue;
		if (strcmp(type, "afxdp") == 0)
			doctor_upper_afxdp(d, p);
		else if (strcmp(type, "dpdk") == 0)
			doctor_addf(d, "its cable, or the switch at its other end",
			            "port %s (dpdk %s): link down, the LAN beyond it is cut off",
			            print_get_str(p, "name"), print_get_str(p, "devargs") ?: "?");
	}
}

void doctor_dhcp(struct doctor *d)
{
	struct json_object *h, *server;
	size_t i;

	for (i = 0; i < json_object_array_length(d->hosts); i++) {
		h = json_object_array_get_idx(d->hosts, i);
		if (json_object_object_get_ex(h, "dhcp_server", &server) &&
		    json_object_get_boolean(server))
			return;
	}
	/*
	 * Only what the switch forwarded counts: a fresh switch has seen no offer yet, so the fix
	 * makes it ask (the doctor itself sends nothing).
	 */
	doctor_add(d,
	           "no DHCP server seen on the LAN since lanswitchd started (lanctl hosts marks "
	           "none)",
	           "make the switch ask on the router's port: lanctl wait PORT dhcp-server (PORT: "
	           "the router domain's port, or the upper NIC's when the router is elsewhere); no "
	           "answer: the router's DHCP service, or that port's VLAN");
}

/* What to do with a state file kept aside: its lines are lanctl commands, so what it has that
 * the switch lost is a diff away, and put back by hand (it was damaged: not run blindly). */
static void doctor_state_fix(char *fix, size_t len, const char *file)
{
	snprintf(fix, len,
	         "compare it with what runs: diff <(grep -v '^#' %s) <(lanctl config show); put "
	         "back what is missing with lanctl (its lines are lanctl commands), then rm %s",
	         file, file);
}

/* The state file this start found damaged; the name it was kept as, NULL when none. */
static const char *doctor_state_damaged(struct doctor *d, struct json_object *damaged)
{
	const char *kept = print_get_str(damaged, "path"), *why = print_get_str(damaged, "why");
	const char *from = print_get_str(damaged, "started_from");
	char started[512], fix[1024];

	if (from != NULL)
		snprintf(started, sizeof(started), "started from %s", from);
	else
		snprintf(started, sizeof(started), "started with no ports (no config file)");
	if (kept == NULL) {
		/* the new state file was written over it: nothing left to compare */
		doctor_addf(d,
		            "set again with lanctl what it held (lanctl config show: what runs); "
		            "its log says why it could not be moved: journalctl -u lanswitchd",
		            "state file %s was damaged at start (%s) and could not be kept aside; "
		            "the switch %s",
		            print_get_str(d->config, "state_file") ?: "?", why ?: "?", started);
		return NULL;
	}
	doctor_state_fix(fix, sizeof(fix), kept);
	doctor_addf(d, fix, "state file was damaged at start: kept as %s (%s); the switch %s", kept,
	            why ?: "?", started);
	return kept;
}

/* Files kept aside at earlier starts: configuration the switch no longer has, until someone
 * compared them and removed them. The newest is named; the fix works on each. */
static void doctor_state_older(struct doctor *d, struct json_object *files, const char *kept)
{
	const char *file, *newest = NULL;
	size_t i, n = 0;
	char fix[1024];

	for (i = 0; i < json_object_array_length(files); i++) {
		file = json_object_get_string(json_object_array_get_idx(files, i));
		if (file == NULL || (kept != NULL && strcmp(file, kept) == 0))
			continue; /* this start's: said by its own finding */
		newest = file;    /* the switch lists them oldest first */
		n++;
	}
	if (n == 0)
		return;
	if (n == 1) {
		doctor_state_fix(fix, sizeof(fix), newest);
		doctor_addf(
		        d, fix,
		        "a state file kept aside as damaged at an earlier start is still there: %s",
		        newest);
		return;
	}
	doctor_state_fix(fix, sizeof(fix), "FILE");
	doctor_addf(d, fix,
	            "%zu state files kept aside as damaged at earlier starts are still there "
	            "(ls %s" STATE_ASIDE_GLOB "), the newest %s",
	            n, print_get_str(d->config, "state_file") ?: "STATE", newest);
}

void doctor_state_file(struct doctor *d)
{
	struct json_object *damaged, *files;
	const char *kept = NULL;

	if (json_object_object_get_ex(d->config, "state_damaged", &damaged) && damaged != NULL)
		kept = doctor_state_damaged(d, damaged);
	if (json_object_object_get_ex(d->config, "state_damaged_files", &files) &&
	    json_object_is_type(files, json_type_array))
		doctor_state_older(d, files, kept);
}
