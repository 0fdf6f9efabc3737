/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The doctor's checks of the host (doctor.h): hugepages reserved, hugetlbfs mounted.
 *
 * They read /proc/meminfo and /proc/mounts, or the files that LANCTL_DOCTOR_MEMINFO and
 * LANCTL_DOCTOR_MOUNTS name. Those two are for tests only: a test shows the doctor a host
 * without hugepages through a file of its own, because lowering the machine's hugepages would
 * take them from whatever else runs there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"

#define DOCTOR_MEMINFO "/proc/meminfo"
#define DOCTOR_MOUNTS "/proc/mounts"
#define DOCTOR_HUGEPAGES_MNT "/dev/hugepages"
/* what README's installation reserves: 1 GiB of 2 MiB pages */
#define DOCTOR_HUGEPAGES_SUGGESTED 512
/*
 * What lanswitchd takes from the hugepages to start: its buffers (32 767 mbufs), the FDB and
 * its rings came to 44 pages of 2 MiB without a port; its ports take more.
 */
#define DOCTOR_START_KB (128 * 1024)

static const char *doctor_path(const char *env, const char *path)
{
	const char *p = getenv(env);

	return p != NULL && *p != '\0' ? p : path;
}

/* The value of "key:" in meminfo's text (kB or pages), -1 when it has none. */
static long doctor_meminfo_value(FILE *f, const char *key)
{
	char line[256];
	size_t len = strlen(key);

	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, len) == 0 && line[len] == ':')
			return strtol(line + len + 1, NULL, 10);
	return -1;
}

void doctor_hugepages(struct doctor *d)
{
	const char *path = doctor_path("LANCTL_DOCTOR_MEMINFO", DOCTOR_MEMINFO);
	long total, free_pages, size_kb, need;
	char fix[512];
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		doctor_addf(d, "run lanctl doctor where /proc is mounted", "cannot read %s: %s",
		            path, strerror(errno));
		return;
	}
	total = doctor_meminfo_value(f, "HugePages_Total");
	free_pages = doctor_meminfo_value(f, "HugePages_Free");
	size_kb = doctor_meminfo_value(f, "Hugepagesize");
	fclose(f);
	if (total < 0 || free_pages < 0 || size_kb <= 0) {
		doctor_addf(d, "a kernel with CONFIG_HUGETLBFS, which DPDK needs",
		            "%s says nothing of hugepages", path);
		return;
	}
	snprintf(fix, sizeof(fix),
	         "echo %d > /proc/sys/vm/nr_hugepages, and vm.nr_hugepages = %d in "
	         "/etc/sysctl.d/80-lanswitch.conf for every boot",
	         DOCTOR_HUGEPAGES_SUGGESTED, DOCTOR_HUGEPAGES_SUGGESTED);
	if (total == 0) {
		doctor_addf(d, fix, "none reserved (HugePages_Total 0), and lanswitchd needs them");
		return;
	}
	/* a running switch holds its pages already: only a start needs free ones */
	need = (DOCTOR_START_KB + size_kb - 1) / size_kb;
	if ((d->loaded & DOCTOR_NEED_SWITCH) || free_pages >= need)
		return;
	snprintf(fix, sizeof(fix),
	         "echo %ld > /proc/sys/vm/nr_hugepages (%ld more), and the same in "
	         "/etc/sysctl.d/80-lanswitch.conf; or stop what holds them",
	         total + need - free_pages, need - free_pages);
	doctor_addf(d, fix,
	            "%ld of %ld free (HugePages_Free, %ld kB each), and lanswitchd needs %ld free "
	            "to start",
	            free_pages, total, size_kb, need);
}

void doctor_hugetlbfs(struct doctor *d)
{
	const char *path = doctor_path("LANCTL_DOCTOR_MOUNTS", DOCTOR_MOUNTS);
	char line[1024], dir[512], type[64];
	bool found = false;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		doctor_addf(d, "run lanctl doctor where /proc is mounted", "cannot read %s: %s",
		            path, strerror(errno));
		return;
	}
	/* any mount will do: DPDK looks for one of the page size wherever it is */
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = sscanf(line, "%*s %511s %63s", dir, type) == 2 &&
		        strcmp(type, "hugetlbfs") == 0;
	fclose(f);
	if (found)
		return;
	/*
	 * lanswitchd's default EAL options (--in-memory) take hugepages without a mount; its
	 * --huge-unlink, DPDK's other tools and guests backed by <hugepages/> need one.
	 */
	doctor_add(d,
	           "none mounted (" DOCTOR_HUGEPAGES_MNT " is not): lanswitchd with --huge-unlink "
	           "and guests with <hugepages/> memory need it",
	           "mount -t hugetlbfs nodev " DOCTOR_HUGEPAGES_MNT
	           ", and for every boot in /etc/fstab: "
	           "hugetlbfs " DOCTOR_HUGEPAGES_MNT " hugetlbfs defaults 0 0");
}
