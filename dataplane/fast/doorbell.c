/* SPDX-License-Identifier: BSD-3-Clause */
/* The control thread's doorbell (fast/doorbell.h); ctl/main.c makes it and sleeps on it. */
#include <stdint.h>
#include <unistd.h>

#include "fast/doorbell.h"

int doorbell_fd = -1;
bool doorbell_asleep;

void doorbell_kick(void)
{
	int fd = __atomic_load_n(&doorbell_fd, __ATOMIC_RELAXED);
	uint64_t one = 1;

	if (fd < 0)
		return; /* not made yet or closed: a unit test, or a signal during shutdown */
	/* a failure needs nothing: EAGAIN means the counter is full, so it is readable and the
	 * control thread wakes anyway */
	if (write(fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		return;
}
