/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The afxdp port's receive side (ports/afxdp_queue.c) on a real AF_XDP socket: a veth pair
 * in a network namespace of the test's own (unshare: root only, else skipped), the port on
 * vu0, frames sent into vu1 with a packet socket, worker passes by the test thread, a ring
 * port p0 to forward to. What the socket hands over and the switch cannot take is counted in
 * rx_packets with an "in" reason: rx_no_mbuf when the mbuf pool is empty (here: the workers'
 * pool swapped for an exhausted one), oversized when a frame is longer than a buffer holds.
 * The port's guard hook puts allowed-mac into its XDP program: the kernel drops the rest.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/if_packet.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "fast/guard.h"
#include "fast/shared.h"
#include "fwd_env.h"

#define A frame_mac(0xa)
#define B frame_mac(0xb)
#define BCAST frame_mac_bcast()

static int tx_fd = -1; /* a packet socket on vu1 */
static struct port *lan;

static int sh(const char *cmd)
{
	int ret = system(cmd);

	if (ret != 0)
		fprintf(stderr, "afxdp_test: \"%s\" failed (%d)\n", cmd, ret);
	return ret;
}

/* n frames of len bytes from src to everyone, into vu1: they arrive at vu0, the port */
static void lan_send_from(struct rte_ether_addr src, unsigned int n, uint16_t len)
{
	struct rte_ether_addr dst = BCAST;
	uint8_t buf[4096];
	unsigned int i;

	for (i = 0; i < n; i++) {
		frame_build(buf, len, &dst, &src, FRAME_UNTAGGED, 9, (uint16_t)i);
		assert_int_equal(send(tx_fd, buf, len, 0), len);
	}
}

static void lan_send(unsigned int n, uint16_t len)
{
	lan_send_from(A, n, len);
}

/* One of the port's drops as "port list" shows it ("xdp_mac_not_allowed", ...). */
static uint64_t lan_drop(const char *name)
{
	struct json_object *o = json_object_new_object(), *drops = json_object_new_object(), *v;
	uint64_t n = UINT64_MAX;

	json_object_object_add(o, "drops", drops);
	lan->ops->show(lan, o);
	if (json_object_object_get_ex(drops, name, &v))
		n = json_object_get_uint64(v);
	json_object_put(o);
	return n;
}

/* The program runs as veth's peer receives, beside us: wait for it to have counted want. */
static void wait_drop(const char *name, uint64_t want)
{
	unsigned int i;

	for (i = 0; i < 2000 && lan_drop(name) < want; i++)
		usleep(1000);
	assert_int_equal(lan_drop(name), want);
}

static struct port_stats lan_stats(void)
{
	struct port_stats s;

	worker_port_stats(lan->index, &s);
	return s;
}

/* Worker passes until the port has counted `want` frames in (the kernel's veth queue and XDP
 * run beside us); what p0 sent meanwhile is in env.out[0], env.nout[0] in all. */
static void poll_until_rx(uint64_t want)
{
	struct rte_mbuf *got[UT_RING_SIZE];
	unsigned int i, n, total = 0;

	env_free_out();
	for (i = 0; i < 2000 && lan_stats().rx_packets < want; i++) {
		ut_poll();
		n = rte_ring_dequeue_burst(env.dev[0].tx, (void **)got, UT_RING_SIZE, NULL);
		memcpy(&env.out[0][total], got, n * sizeof(got[0]));
		total += n;
		usleep(1000);
	}
	env.nout[0] = total;
	assert_int_equal(lan_stats().rx_packets, want);
}

static int setup(void **state)
{
	static const unsigned int devs[] = { 0 };
	struct sockaddr_ll sa = { .sll_family = AF_PACKET };
	char *argv[] = { "vu0" }, err[256];

	if (sh("ip link add vu0 type veth peer name vu1 && ip link set vu0 up && "
	       "ip link set vu1 up") != 0 ||
	    env_start(devs, RTE_DIM(devs)) < 0)
		return -1;
	if (port_add("lan", "afxdp", 1, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "afxdp_test: %s\n", err);
		return -1;
	}
	lan = port_find("lan");
	tx_fd = socket(AF_PACKET, SOCK_RAW, 0);
	sa.sll_ifindex = (int)if_nametoindex("vu1");
	if (tx_fd < 0 || bind(tx_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	env.avail = rte_mempool_avail_count(env.pool);
	return shared_read(&lan->up) ? 0 : -1;
}

static int teardown(void **state)
{
	int ret;

	close(tx_fd);
	ret = env_stop();
	sh("ip link del vu0");
	return ret;
}

/*
 * No mbuf to receive into: the frames are dropped as they come, counted rx_no_mbuf (an "in"
 * reason) and in rx_packets; the socket's frames go back to the kernel, and once there are
 * mbufs again the port receives and forwards as before.
 */
static void test_rx_no_mbuf(void **state)
{
	struct rte_mempool *empty = rte_pktmbuf_pool_create(
	        "unit_empty", 7, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	struct rte_mbuf *all[7];
	struct port_stats s;

	assert_non_null(empty);
	assert_int_equal(rte_pktmbuf_alloc_bulk(empty, all, 7), 0);
	worker_pool = empty;
	lan_send(5, 100);
	poll_until_rx(5);
	worker_pool = env.pool;
	s = lan_stats();
	assert_int_equal(s.drops[DROP_RX_NO_MBUF], 5);
	assert_int_equal(s.rx_bytes, 5 * 100);
	assert_int_equal(s.drops[DROP_NO_MBUF], 0);
	assert_int_equal(env.nout[0], 0);

	lan_send(3, 100);
	poll_until_rx(8);
	assert_int_equal(env.nout[0], 3);
	s = lan_stats();
	assert_int_equal(s.drops[DROP_RX_NO_MBUF], 5);
	/* rx_packets = forwarded + "in" drops */
	assert_int_equal(s.rx_packets, 3 + s.drops[DROP_RX_NO_MBUF]);
	rte_pktmbuf_free_bulk(all, 7);
	rte_mempool_free(empty);
}

/* Longer than a buffer holds (2048 bytes; the interface's MTU lets 2500 through), and over the
 * port's MTU but within a buffer: both oversized, both counted in rx_packets. */
static void test_rx_oversized_counted(void **state)
{
	struct port_stats s;

	assert_int_equal(sh("ip link set vu0 mtu 3000 && ip link set vu1 mtu 3000"), 0);
	lan_send(4, 2500);
	lan_send(3, 1600);
	lan_send(2, 1514);
	poll_until_rx(9);
	assert_int_equal(env.nout[0], 2);
	s = lan_stats();
	assert_int_equal(s.drops[DROP_OVERSIZED], 7);
	assert_int_equal(s.rx_bytes, 4 * 2500 + 3 * 1600 + 2 * 1514);
	assert_int_equal(s.rx_packets, 2 + s.drops[DROP_OVERSIZED]);
}

/*
 * guard_changed mirrors allowed-mac into the XDP program: frames from other sources are
 * dropped in the kernel (xdp_mac_not_allowed) and never reach the port; NULL (every
 * protection off) and a guard with no MACs let them in again.
 */
static void test_guard_allowed_mac_in_kernel(void **state)
{
	struct port_guard g = { .nmacs = 1 };
	struct rte_ether_addr a = A;
	char err[256] = "";

	memcpy(g.macs[0], a.addr_bytes, 6);
	assert_int_equal(lan->ops->guard_changed(lan, &g, err, sizeof(err)), 0);
	lan_send_from(B, 4, 100);
	lan_send(5, 100);
	poll_until_rx(5);
	assert_int_equal(env.nout[0], 5);
	wait_drop("xdp_mac_not_allowed", 4);
	assert_int_equal(lan_drop("xdp_blocked_mac"), 0);

	assert_int_equal(lan->ops->guard_changed(lan, NULL, err, sizeof(err)), 0);
	lan_send_from(B, 3, 100);
	poll_until_rx(8);
	assert_int_equal(env.nout[0], 3);

	/* other protections on, allowed-mac not: every source enters */
	g.nmacs = 0;
	g.mac_limit = 4;
	assert_int_equal(lan->ops->guard_changed(lan, &g, err, sizeof(err)), 0);
	lan_send_from(B, 2, 100);
	poll_until_rx(10);
	assert_int_equal(lan_drop("xdp_mac_not_allowed"), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rx_no_mbuf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_oversized_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guard_allowed_mac_in_kernel, setup, teardown),
	};

	/* A namespace of our own: vu0 and vu1 go with the process. */
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "afxdp_test: unshare(CLONE_NEWNET): %s: skipped (needs root)\n",
		        strerror(errno));
		return 77;
	}
	if (sh("ip link set lo up && sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
	       "net.ipv6.conf.default.disable_ipv6=1") != 0)
		return 1;
	return env_main("afxdp", tests, RTE_DIM(tests));
}
