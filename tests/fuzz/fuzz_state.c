/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state-file loader: the input as a whole state (or config) file, in a memfd opened by
 * path as lanswitchd opens its files. state_seal_check says sealed, damaged or from before
 * seals; config_load splits and checks every line and runs them through cmd_run, whose
 * handlers are stubs (fuzz_stub_cmd.c, fuzz_stub_ctl.c): everything short of changing a port.
 * Whatever the input, a body sealed by state_seal_write passes state_seal_check.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ctl/config.h"
#include "ctl/state_seal.h"
#include "fuzz.h"

static int fuzz_fd = -1;
static char fuzz_path[64];

/* The file's bytes become data[0..size). */
static void fuzz_file_set(const uint8_t *data, size_t size)
{
	if (fuzz_fd < 0) {
		fuzz_fd = memfd_create("lanswitch-fuzz-state", MFD_CLOEXEC);
		FUZZ_CHECK(fuzz_fd >= 0);
		snprintf(fuzz_path, sizeof(fuzz_path), "/proc/self/fd/%d", fuzz_fd);
	}
	FUZZ_CHECK(ftruncate(fuzz_fd, 0) == 0);
	FUZZ_CHECK(size == 0 || pwrite(fuzz_fd, data, size, 0) == (ssize_t)size);
}

/* What config_save_state writes: the body, whole lines without NUL, then the seal. */
static void fuzz_seal_round_trip(const uint8_t *data, size_t size)
{
	char *sealed = NULL, why[256];
	size_t len = 0;
	FILE *m;

	if (size == 0 || data[size - 1] != '\n' || memchr(data, '\0', size) != NULL)
		return;
	m = open_memstream(&sealed, &len);
	FUZZ_CHECK(m != NULL);
	FUZZ_CHECK(state_seal_write(m, (const char *)data, size) == 0);
	FUZZ_CHECK(fclose(m) == 0);
	fuzz_file_set((const uint8_t *)sealed, len);
	FUZZ_CHECK(state_seal_check(fuzz_path, why, sizeof(why)) == 0);
	free(sealed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256], err[1024];
	int ret;

	fuzz_file_set(data, size);
	why[0] = '\0';
	ret = state_seal_check(fuzz_path, why, sizeof(why));
	FUZZ_CHECK(ret == 0 || (ret == -EBADMSG && strlen(why) > 0));
	err[0] = '\0';
	ret = config_load(fuzz_path, err, sizeof(err));
	FUZZ_CHECK(ret == 0 || strlen(err) > 0);
	fuzz_seal_round_trip(data, size);
	return 0;
}
