/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TSC frequency for the EAL, without its 100 ms sleep.
 *
 * DPDK 22.11 asks get_tsc_freq_arch() first (CPUID leaf 0x15, or an MSR on some Intel
 * models), and when that knows nothing (AMD, most VMs: this machine) it counts TSC cycles
 * over a 100 ms nanosleep against CLOCK_MONOTONIC_RAW and rounds to 10 MHz. That sleep was
 * a third of lanswitchd's start-up, and a restart is an outage for every guest.
 *
 * lanswitchd links the EAL statically (dataplane/meson.build), so this definition takes the
 * place of the EAL's: the archive member that has it (eal_x86_rte_cycles.c.o) defines nothing
 * else, so the linker never pulls it in. Should a later DPDK move other symbols into that
 * member, the link fails with a duplicate definition; should it rename the function, the EAL
 * calibrates the slow way again. Either is seen, neither is wrong.
 *
 * Same sources, shorter window: leaf 0x15 when the CPU has it (exact, as the EAL takes it),
 * else 10 ms against CLOCK_MONOTONIC_RAW with each clock read bracketed by two TSC reads (the
 * tightest of four; over 2000 cycles means we were interrupted: measure again), rounded to
 * 10 MHz as the EAL does. The error is under 2000 cycles in 10 ms, 0.2 MHz at 1 GHz and up, inside
 * the rounding step, so the EAL gets the number it would have computed itself. 0 tells the EAL to
 * fall back to its own calibration.
 */
#include <cpuid.h>
#include <stdint.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>

#define TSC_WINDOW_NS 10000000ULL
#define TSC_BRACKET_MAX 2000 /* cycles: a fenced vDSO clock read takes 150-1000 */
#define TSC_PAIR_READS 4
#define TSC_TRIES 5
#define TSC_ROUND_HZ 10000000ULL

uint64_t get_tsc_freq_arch(void); /* the EAL's name (eal_private.h, not installed) */

/* CLOCK_MONOTONIC_RAW in ns with the TSC at that moment: the middle of the tightest of a
 * few brackets (the first clock read after a sleep runs cold). Returns the bracket. */
static int64_t tsc_pair(uint64_t *ns, uint64_t *tsc)
{
	int64_t best = INT64_MAX;
	struct timespec ts;
	uint64_t a, b;
	int i;

	for (i = 0; i < TSC_PAIR_READS; i++) {
		a = rte_rdtsc_precise();
		if (clock_gettime(CLOCK_MONOTONIC_RAW, &ts) != 0)
			return -1;
		b = rte_rdtsc_precise();
		if ((int64_t)(b - a) < best) {
			best = (int64_t)(b - a);
			*ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
			*tsc = a + (b - a) / 2;
		}
	}
	return best;
}

static uint64_t tsc_cpuid_hz(void)
{
	unsigned int a, b, c, d;

	if (__get_cpuid_max(0, NULL) < 0x15)
		return 0;
	__cpuid(0x15, a, b, c, d);
	return (a && b && c) ? (uint64_t)c * (b / a) : 0;
}

static uint64_t tsc_measure_hz(void)
{
	struct timespec window = { .tv_nsec = TSC_WINDOW_NS };
	uint64_t ns0 = 0, ns1 = 0, tsc0 = 0, tsc1 = 0;
	int64_t b0, b1;
	int i;

	for (i = 0; i < TSC_TRIES; i++) {
		b0 = tsc_pair(&ns0, &tsc0);
		nanosleep(&window, NULL);
		b1 = tsc_pair(&ns1, &tsc1);
		if (b0 < 0 || b1 < 0)
			return 0;
		if (b0 > TSC_BRACKET_MAX || b1 > TSC_BRACKET_MAX || ns1 <= ns0)
			continue;
		return (uint64_t)((double)(tsc1 - tsc0) * 1e9 / (double)(ns1 - ns0));
	}
	return 0;
}

uint64_t get_tsc_freq_arch(void)
{
	uint64_t hz = tsc_cpuid_hz();

	if (hz != 0)
		return hz;
	hz = tsc_measure_hz();
	return hz ? RTE_ALIGN_MUL_NEAR(hz, TSC_ROUND_HZ) : 0;
}
