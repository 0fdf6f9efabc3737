/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `lanctl doctor [--socket-dir DIR]`: the checks (doctor.h), in the order of one table, and
 * their findings printed one line each:
 *
 *   doctor: CHECK: what is wrong: how to fix it
 *
 * or `doctor: all well (N checks)` when nothing was found; -j prints the findings as a JSON
 * array of {"check","message","fix"} ([] when all is well).
 *
 * Exit code 0 when nothing was found, 1 when something was, 2 for a usage error, 3 when the
 * switch did not answer. The checks that do not need the switch still run then and print what
 * they found: a host without hugepages is why a switch does not start, and the one line about
 * the switch says which checks could not run.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "doctor.h"

struct doctor_check {
	const char *name;   /* what its findings carry, and what `-j` calls "check" */
	unsigned int needs; /* enum doctor_need: skipped unless all of these loaded */
	void (*run)(struct doctor *d);
};

/*
 * In this order: "switch" and "libvirt" load what the checks after them read; the switch
 * comes first so that the hugepages check knows whether a start of it is what they are for.
 */
static const struct doctor_check doctor_checks[] = {
	{ "switch", 0, doctor_switch },
	{ "hugepages", 0, doctor_hugepages },
	{ "hugetlbfs", 0, doctor_hugetlbfs },
	{ "socket-dir", 0, doctor_sockdir },
	{ "upper-nic", DOCTOR_NEED_SWITCH, doctor_upper_nic },
	{ "dhcp", DOCTOR_NEED_SWITCH, doctor_dhcp },
	{ "state-file", DOCTOR_NEED_SWITCH, doctor_state_file },
	{ "libvirt", 0, doctor_libvirt },
	{ "shared-memory", DOCTOR_NEED_LIBVIRT, doctor_vm_memory },
	{ "vm-port", DOCTOR_NEED_LIBVIRT | DOCTOR_NEED_SWITCH, doctor_vm_port },
	{ "vm-link", DOCTOR_NEED_LIBVIRT | DOCTOR_NEED_SWITCH, doctor_vm_link },
	{ "bridge", DOCTOR_NEED_LIBVIRT, doctor_bridge },
};

#define DOCTOR_NCHECKS (sizeof(doctor_checks) / sizeof(doctor_checks[0]))

void doctor_add(struct doctor *d, const char *message, const char *fix)
{
	struct json_object *f = json_object_new_object();

	json_object_object_add(f, "check", json_object_new_string(d->check));
	json_object_object_add(f, "message", json_object_new_string(message));
	json_object_object_add(f, "fix", json_object_new_string(fix));
	json_object_array_add(d->findings, f);
}

void doctor_addf(struct doctor *d, const char *fix, const char *fmt, ...)
{
	char message[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	doctor_add(d, message, fix);
}

void doctor_needing(unsigned int need, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < DOCTOR_NCHECKS && n < len; i++)
		if (doctor_checks[i].needs & need)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n > 0 ? ", " : "",
			                      doctor_checks[i].name);
}

/* Every check whose needs loaded; how many ran. */
static unsigned int doctor_check_all(struct doctor *d)
{
	unsigned int i, ran = 0;

	for (i = 0; i < DOCTOR_NCHECKS; i++) {
		if ((doctor_checks[i].needs & d->loaded) != doctor_checks[i].needs)
			continue; /* said by the finding of what did not load */
		d->check = doctor_checks[i].name;
		doctor_checks[i].run(d);
		ran++;
	}
	return ran;
}

static int doctor_print(const struct doctor *d, unsigned int ran)
{
	struct json_object *f;
	size_t i, n = json_object_array_length(d->findings);

	if (d->opts->json)
		return print_json_plain(d->findings, stdout);
	for (i = 0; i < n; i++) {
		f = json_object_array_get_idx(d->findings, i);
		printf("doctor: %s: %s: %s\n", print_get_str(f, "check"),
		       print_get_str(f, "message"), print_get_str(f, "fix"));
	}
	if (n == 0)
		printf("doctor: all well (%u checks)\n", ran);
	return 0;
}

int doctor_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv)
{
	struct doctor d = { .opts = opts };
	struct vm_args a;
	unsigned int ran;
	int rc, status;

	if (vm_args_read(def, argc, argv, &a) < 0)
		return LANCTL_EXIT_USAGE;
	d.socket_dir = a.socket_dir;
	d.findings = json_object_new_array();
	ran = doctor_check_all(&d);

	errno = 0;
	rc = doctor_print(&d, ran);
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rc = errno != 0 ? -errno : -EIO;
	status = d.switch_silent                            ? LANCTL_EXIT_SOCKET
	         : json_object_array_length(d.findings) > 0 ? LANCTL_EXIT_REFUSED
	                                                    : LANCTL_EXIT_OK;
	if (rc < 0) {
		fprintf(stderr, "lanctl: writing output: %s\n", strerror(-rc));
		if (status == LANCTL_EXIT_OK)
			status = LANCTL_EXIT_REFUSED;
	}
	doctor_libvirt_close(&d);
	json_object_put(d.ports);
	json_object_put(d.hosts);
	json_object_put(d.config);
	json_object_put(d.findings);
	return status;
}
