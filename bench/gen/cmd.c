/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command language on stdin: one command per line, words separated by blanks, each
 * answered by exactly one line of JSON on stdout, errors as {"error":"..."}. A bad command
 * never ends the process; EOF on stdin does (without a reply). PORT is 0..N-1 in --vdev
 * order. Commands that wait keep receiving (and reflecting) on every port meanwhile.
 *
 *   send PORT COUNT [src MAC] [dst MAC] [vlan VID] [pcp P] [size BYTES] [srcs N] [dsts N]
 *        [ethertype 0xXXXX] [seq N]                           -> {"sent":K}
 *	defaults: src = the port's MAC, dst = broadcast, untagged, size 64 (pkt_len, no FCS,
 *	1..9216), ethertype 0x88b5; vlan 0 is a priority tag; pcp needs vlan; srcs/dsts N
 *	(1..2^24): frame i uses base + i % N in the last three bytes. Paced by `rate`.
 *	Gives up when the link is down or the port takes nothing for 1 s: K <= COUNT.
 *	Frames of 44 bytes and more (40 untagged) carry a stamp (frame.h) with the port's
 *	sequence number: 0 for its first frame, +1 for each frame it sent since, over all
 *	sends; seq N moves it to N first (a test makes gaps and late frames with it).
 *   stats [PORT]      -> {"ports":[{"port","mac","link":"up"|"down","rx","rx_bytes","tx",
 *                         "tx_bytes","reflected","reflect_drops","untagged",
 *                         "vlans":{"VID":N},"srcs":{"MAC":N,"other":N},"dsts":{...},
 *                         "runts","seq_streams","seq_ok","seq_lost","seq_late",
 *                         "seq_untracked","rx_last_ns"}],"mbufs_free":N,"busy_cycles":N,
 *                         "idle_cycles":N,"tsc_hz":N}
 *	busy/idle: cycles of RX polls that got frames or not. seq_*: the order of the stamped
 *	frames received, per sending port of an lsgen (a stream; up to 16, the others are
 *	seq_untracked): the first of a stream since reset and each one after the previous are
 *	seq_ok, the numbers skipped seq_lost, one behind an earlier one seq_late. All 0 with
 *	--lean. The sequence is the sender's to every destination: reset before counting.
 *	rx_last_ns: CLOCK_REALTIME in ns of the last frame received (0: none since reset, or
 *	--lean), to time a frame another process or the kernel sent.
 *   reset             -> {}                 zero the counters and the latency samples
 *   wait PORT COUNT TIMEOUT_MS  -> {"rx":N}
 *   link PORT TIMEOUT_MS        -> {"link":"up"|"down"}
 *   reflect PORT on|off         -> {}
 *   reflect PORT cycle SRC DST N -> {}      reflect, but rewrite instead of swapping the MACs:
 *	reflected frame k gets src SRC + k % N and dst DST + k % N (last three bytes, as send's
 *	srcs/dsts). Two ports with mirrored SRC/DST keep each address behind one port, and a
 *	closed loop with a few hundred frames in flight cycles through N pairs (a switch must
 *	learn and look up 2N addresses, not just the ones in flight).
 *   mac PORT          -> {"mac":"02:00:00:00:00:01"}
 *   rate PPS          -> {"rate":PPS}       0 = as fast as the port takes frames
 *   latency           -> {"samples":N,"min_ns","median_ns","p99_ns","max_ns","mean_ns"}
 *   quit              -> {}                 then stop the ports and exit 0
 *   help              -> {"commands":["usage", ...]}
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "gen.h"
#include "mac.h"

#define CMD_MAX_WORDS 32
#define CMD_TIMEOUT_MAX_MS (24ull * 3600 * 1000)
/* link state is a syscall for virtio-user: ask it every millisecond, not every poll. */
#define CMD_LINK_CHECK_MS 1

struct cmd_ctx {
	struct json_object *reply;
	char err[256];
};

static int cmd_fail(struct cmd_ctx *c, int err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int cmd_fail(struct cmd_ctx *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return err;
}

static int cmd_put_u64(struct cmd_ctx *c, const char *key, uint64_t v)
{
	struct json_object *o = json_object_new_uint64(v);

	if (o == NULL || json_object_object_add(c->reply, key, o) < 0) {
		json_object_put(o);
		return cmd_fail(c, -ENOMEM, "out of memory");
	}
	return 0;
}

static int cmd_put_str(struct cmd_ctx *c, struct json_object *obj, const char *key, const char *v)
{
	struct json_object *o = json_object_new_string(v);

	if (o == NULL || json_object_object_add(obj, key, o) < 0) {
		json_object_put(o);
		return cmd_fail(c, -ENOMEM, "out of memory");
	}
	return 0;
}

/* Decimal, or hex with 0x; no sign, no trailing junk. */
static int cmd_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || x < min || x > max)
		return -ERANGE;
	*v = x;
	return 0;
}

static int cmd_parse_port(struct gen *g, struct cmd_ctx *c, const char *s, struct gen_port **p)
{
	uint64_t v;

	/* Literal errors, not cmd_fail()'s: the compiler then sees *p set on success. */
	if (cmd_parse_u64(s, 0, g->nb_ports - 1, &v) < 0) {
		cmd_fail(c, -EINVAL, "no port \"%s\" (ports are 0..%u)", s, g->nb_ports - 1);
		return -EINVAL;
	}
	*p = &g->ports[v];
	return 0;
}

static int cmd_parse_num(struct cmd_ctx *c, const char *what, const char *s, uint64_t min,
                         uint64_t max, uint64_t *v)
{
	if (cmd_parse_u64(s, min, max, v) < 0) {
		cmd_fail(c, -EINVAL, "bad %s \"%s\" (want %" PRIu64 "..%" PRIu64 ")", what, s, min,
		         max);
		return -EINVAL;
	}
	return 0;
}

/* Polls RX until done(g, arg) or timeout; every blocking command waits this way. */
static void cmd_poll_until(struct gen *g, uint64_t timeout_ms,
                           bool (*done)(struct gen *g, void *arg), void *arg)
{
	uint64_t end = rte_rdtsc() + gen_ms_to_tsc(g, timeout_ms);

	while (!done(g, arg) && !gen_stop && rte_rdtsc() < end)
		gen_poll(g);
}

/* ---- send ---------------------------------------------------------------------------- */

struct send_opt {
	const char *name;
	const char *want;
	int (*set)(struct frame_spec *s, const char *v);
};

static int send_set_num(const char *v, uint64_t min, uint64_t max, uint64_t *x)
{
	return cmd_parse_u64(v, min, max, x);
}

static int send_src(struct frame_spec *s, const char *v)
{
	return mac_parse(v, &s->src);
}

static int send_dst(struct frame_spec *s, const char *v)
{
	return mac_parse(v, &s->dst);
}

static int send_vlan(struct frame_spec *s, const char *v)
{
	uint64_t x;

	if (send_set_num(v, 0, 4095, &x) < 0)
		return -EINVAL;
	s->tagged = true;
	s->vid = (uint16_t)x;
	return 0;
}

static int send_pcp(struct frame_spec *s, const char *v)
{
	uint64_t x;

	if (send_set_num(v, 0, 7, &x) < 0)
		return -EINVAL;
	s->pcp = (uint8_t)x;
	return 0;
}

static int send_size(struct frame_spec *s, const char *v)
{
	uint64_t x;

	if (send_set_num(v, 1, FRAME_SIZE_MAX, &x) < 0)
		return -EINVAL;
	s->size = (uint32_t)x;
	return 0;
}

/* Up to 2^24: the number of addresses the last three bytes of a MAC can take. */
static int send_srcs(struct frame_spec *s, const char *v)
{
	uint64_t x;

	if (send_set_num(v, 1, 1u << 24, &x) < 0)
		return -EINVAL;
	s->srcs = (uint32_t)x;
	return 0;
}

static int send_dsts(struct frame_spec *s, const char *v)
{
	uint64_t x;

	if (send_set_num(v, 1, 1u << 24, &x) < 0)
		return -EINVAL;
	s->dsts = (uint32_t)x;
	return 0;
}

static int send_ethertype(struct frame_spec *s, const char *v)
{
	uint64_t x;

	if (send_set_num(v, 0, 0xffff, &x) < 0)
		return -EINVAL;
	s->ethertype = (uint16_t)x;
	return 0;
}

static int send_seq(struct frame_spec *s, const char *v)
{
	if (send_set_num(v, 0, UINT64_MAX, &s->seq) < 0)
		return -EINVAL;
	s->seq_set = true;
	return 0;
}

static const struct send_opt send_opts[] = {
	{ "src", "a MAC address", send_src },
	{ "dst", "a MAC address", send_dst },
	{ "vlan", "0..4095", send_vlan },
	{ "pcp", "0..7", send_pcp },
	{ "size", "1..9216", send_size },
	{ "srcs", "1..16777216", send_srcs },
	{ "dsts", "1..16777216", send_dsts },
	{ "ethertype", "0..0xffff", send_ethertype },
	{ "seq", "0..18446744073709551615", send_seq },
};

static int cmd_send(struct gen *g, struct cmd_ctx *c, int argc, char **argv)
{
	struct frame_spec spec;
	struct gen_port *p;
	uint64_t count, sent;
	bool pcp = false;
	size_t k;
	int i, ret;

	ret = cmd_parse_port(g, c, argv[1], &p);
	if (ret < 0)
		return ret;
	ret = cmd_parse_num(c, "count", argv[2], 0, UINT64_MAX, &count);
	if (ret < 0)
		return ret;
	frame_spec_init(&spec, &p->mac);
	for (i = 3; i < argc; i += 2) {
		for (k = 0; k < RTE_DIM(send_opts); k++)
			if (strcmp(argv[i], send_opts[k].name) == 0)
				break;
		if (k == RTE_DIM(send_opts))
			return cmd_fail(c, -EINVAL, "send: unknown option \"%s\"", argv[i]);
		if (i + 1 >= argc)
			return cmd_fail(c, -EINVAL, "send: %s needs a value", argv[i]);
		if (send_opts[k].set(&spec, argv[i + 1]) < 0)
			return cmd_fail(c, -EINVAL, "send: bad %s \"%s\" (want %s)", argv[i],
			                argv[i + 1], send_opts[k].want);
		pcp |= strcmp(argv[i], "pcp") == 0;
	}
	/* A PCP lives in a tag: say so rather than send a frame the caller did not mean. */
	if (pcp && !spec.tagged)
		return cmd_fail(c, -EINVAL, "send: pcp needs vlan (vlan 0 is a priority tag)");
	if (spec.seq_set)
		p->tx_seq = spec.seq;
	ret = gen_send(g, p, &spec, count, &sent);
	if (ret < 0)
		return cmd_fail(c, ret, "send: %s", strerror(-ret));
	return cmd_put_u64(c, "sent", sent);
}

/* ---- stats, reset, mac, wait, link, reflect, rate, latency, quit, help ---------------- */

static int cmd_stats_port(struct gen *g, struct cmd_ctx *c, struct gen_port *p,
                          struct json_object *ports)
{
	struct json_object *o = json_object_new_object();
	char mac[MAC_STR_LEN];

	if (o == NULL || json_object_array_add(ports, o) < 0) {
		json_object_put(o);
		return cmd_fail(c, -ENOMEM, "out of memory");
	}
	mac_format(mac, sizeof(mac), &p->mac);
	if (json_object_object_add(o, "port", json_object_new_int(p - g->ports)) < 0 ||
	    cmd_put_str(c, o, "mac", mac) < 0 ||
	    cmd_put_str(c, o, "link", port_link_update(g, p) ? "up" : "down") < 0 ||
	    count_json(&p->count, o) < 0)
		return cmd_fail(c, -ENOMEM, "out of memory");
	return 0;
}

/* stats [PORT]: all ports, or one, always as {"ports":[...]}. */
static int cmd_stats(struct gen *g, struct cmd_ctx *c, int argc, char **argv)
{
	struct json_object *ports = json_object_new_array();
	struct gen_port *p;
	uint16_t i;
	int ret;

	if (ports == NULL || json_object_object_add(c->reply, "ports", ports) < 0) {
		json_object_put(ports);
		return cmd_fail(c, -ENOMEM, "out of memory");
	}
	/* Free mbufs, pool caches included: a test's leak check (GEN_NB_MBUF when idle). */
	ret = cmd_put_u64(c, "mbufs_free", rte_mempool_avail_count(g->pool));
	if (ret < 0)
		return ret;
	/* Where this process's core went (bench: was the guest the bottleneck?). */
	if (cmd_put_u64(c, "busy_cycles", g->busy_tsc) < 0 ||
	    cmd_put_u64(c, "idle_cycles", g->idle_tsc) < 0 ||
	    cmd_put_u64(c, "tsc_hz", g->tsc_hz) < 0)
		return -ENOMEM;
	if (argc == 2) {
		ret = cmd_parse_port(g, c, argv[1], &p);
		return ret < 0 ? ret : cmd_stats_port(g, c, p, ports);
	}
	for (i = 0; i < g->nb_ports; i++) {
		ret = cmd_stats_port(g, c, &g->ports[i], ports);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int cmd_reset(struct gen *g, struct cmd_ctx *c, int argc, char **argv)
{
	gen_reset(g);
	return 0;
}

static int cmd_mac(struct gen *g, struct cmd_ctx *c, int argc, char **argv)
{
	char mac[MAC_STR_LEN];
	struct gen_port *p;
	int ret;

	ret = cmd_parse_port(g, c, argv[1], &p);
	if (ret < 0)
		return ret;
	mac_format(mac, sizeof(mac), &p->mac);
	return cmd_put_str(c, c->reply, "mac", mac);
}

struct wait_rx {
	struct gen_port *p;
	uint64_t count;
};

static bool cmd_wait_done(struct gen *g, void *arg)
{
	struct wait_rx *w = arg;

	return w->p->count.rx >= w->count;
}

static int cmd_wait(struct gen *g, struct cmd_ctx *c, int argc, char **argv)
{
	struct wait_rx w;
	uint64_t ms;
	int ret;

	ret = cmd_parse_port(g, c, argv[1], &w.p);
	if (ret < 0)
		return ret;
	ret = cmd_parse_num(c, "count", argv[2], 0, UINT64_MAX, &w.count);
	if (ret < 0)
		return ret;
	ret = cmd_parse_num(c, "timeout", argv[3], 0, CMD_TIMEOUT_MAX_MS, &ms);
	if (ret < 0)
		return ret;
	cmd_poll_until(g, ms, cmd_wait_done, &w);
	return cmd_put_u64(c, "rx", w.p->count.rx);
}

struct wait_link {
	struct gen_port *p;
	uint64_t next;
};

static bool cmd_link_done(struct gen *g, void *arg)
{
	struct wait_link *w = arg;
	uint64_t now = rte_rdtsc();

	if (now < w->next)
		return false;
	w->next = now + gen_ms_to_tsc(g, CMD_LINK_CHECK_MS);
	return port_link_update(g, w->p);
}

static int cmd_link(struct gen *g, struct cmd_ctx *c, int argc, char **argv)
{
	struct wait_link w = { .next = 0 };
	uint64_t ms;
	int ret;

	ret = cmd_parse_port(g, c, argv[1], &w.p);
	if (ret < 0)
		return ret;
	ret = cmd_parse_num(c, "timeout", argv[2], 0, CMD_TIMEOUT_MAX_MS, &ms);
	if (ret < 0)
		return ret;
	cmd_poll_until(g, ms, cmd_link_done, &w);
	return cmd_put_str(c, c->reply, "link", port_link_update(g, w.p) ? "up" : "down");
}

static int cmd_reflect(struct gen *g, struct cmd_ctx *c, int argc, char **argv)
{
	struct gen_port *p;
	int ret;

	ret = cmd_parse_port(g, c, argv[1], &p);
	if (ret < 0)
		return ret;
	if (strcmp(argv[2], "cycle") == 0) {
		struct rte_ether_addr src, dst;
		uint64_t n;

		if (argc != 6)
			return cmd_fail(c, -EINVAL, "usage: reflect PORT cycle SRC DST N");
		if (mac_parse(argv[3], &src) < 0 || mac_parse(argv[4], &dst) < 0)
			return cmd_fail(c, -EINVAL, "reflect: bad MAC address");
		ret = cmd_parse_num(c, "N", argv[5], 1, 1u << 24, &n);
		if (ret < 0)
			return ret;
		p->cyc_src = src;
		p->cyc_dst = dst;
		p->cyc_n = (uint32_t)n;
		p->cyc_i = 0;
		p->cycle = true;
		p->reflect = true;
		return 0;
	}
	if (argc != 3)
		return cmd_fail(c, -EINVAL, "usage: reflect PORT on|off|cycle SRC DST N");
	if (strcmp(argv[2], "on") == 0)
		p->reflect = true;
	else if (strcmp(argv[2], "off") == 0)
		p->reflect = false;
	else
		return cmd_fail(c, -EINVAL, "reflect: want on, off or cycle, not \"%s\"", argv[2]);
	p->cycle = false;
	return 0;
}

/* rate PPS: the pace of later sends, 0 = as fast as the port takes them. */
static int cmd_rate(struct gen *g, struct cmd_ctx *c, int argc, char **argv)
{
	uint64_t pps;
	int ret;

	ret = cmd_parse_num(c, "rate", argv[1], 0, 1000000000, &pps);
	if (ret < 0)
		return ret;
	g->rate_pps = pps;
	return cmd_put_u64(c, "rate", pps);
}

static int cmd_latency(struct gen *g, struct cmd_ctx *c, int argc, char **argv)
{
	if (latency_json(&g->lat, g->tsc_hz, c->reply) < 0)
		return cmd_fail(c, -ENOMEM, "out of memory");
	return 0;
}

static int cmd_quit(struct gen *g, struct cmd_ctx *c, int argc, char **argv)
{
	g->quit = true;
	return 0;
}

static int cmd_help(struct gen *g, struct cmd_ctx *c, int argc, char **argv);

struct cmd {
	const char *name;
	int min_args; /* words after the name */
	int max_args;
	const char *usage;
	int (*run)(struct gen *g, struct cmd_ctx *c, int argc, char **argv);
};

static const struct cmd cmds[] = {
	{ "send", 2, CMD_MAX_WORDS,
	  "send PORT COUNT [src MAC] [dst MAC] [vlan VID] [pcp P] "
	  "[size BYTES] [srcs N] [dsts N] [ethertype 0xXXXX] [seq N]",
	  cmd_send },
	{ "stats", 0, 1, "stats [PORT]", cmd_stats },
	{ "reset", 0, 0, "reset", cmd_reset },
	{ "wait", 3, 3, "wait PORT COUNT TIMEOUT_MS", cmd_wait },
	{ "link", 2, 2, "link PORT TIMEOUT_MS", cmd_link },
	{ "reflect", 2, 5, "reflect PORT on|off|cycle SRC DST N", cmd_reflect },
	{ "mac", 1, 1, "mac PORT", cmd_mac },
	{ "rate", 1, 1, "rate PPS", cmd_rate },
	{ "latency", 0, 0, "latency", cmd_latency },
	{ "quit", 0, 0, "quit", cmd_quit },
	{ "help", 0, 0, "help", cmd_help },
};

static int cmd_help(struct gen *g, struct cmd_ctx *c, int argc, char **argv)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	if (a == NULL || json_object_object_add(c->reply, "commands", a) < 0) {
		json_object_put(a);
		return cmd_fail(c, -ENOMEM, "out of memory");
	}
	for (i = 0; i < RTE_DIM(cmds); i++)
		if (json_object_array_add(a, json_object_new_string(cmds[i].usage)) < 0)
			return cmd_fail(c, -ENOMEM, "out of memory");
	return 0;
}

/* ---- dispatch and I/O ---------------------------------------------------------------- */

/* A reply that cannot be written means nobody listens any more: quit. */
static int cmd_print(struct gen *g, struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	if (s == NULL || fprintf(g->out, "%s\n", s) < 0 || fflush(g->out) != 0) {
		g->quit = true;
		return -EPIPE;
	}
	return 0;
}

static int cmd_print_error(struct gen *g, const char *msg)
{
	struct json_object *o = json_object_new_object();
	int ret;

	if (o == NULL)
		return -ENOMEM;
	json_object_object_add(o, "error", json_object_new_string(msg));
	ret = cmd_print(g, o);
	json_object_put(o);
	return ret;
}

static int cmd_run_line(struct gen *g, char *line)
{
	char *argv[CMD_MAX_WORDS + 2], *save = NULL, *w;
	struct cmd_ctx c = { .reply = NULL };
	const struct cmd *cmd = NULL;
	int argc = 0, ret;
	size_t i;

	for (w = strtok_r(line, " \t\r", &save); w != NULL; w = strtok_r(NULL, " \t\r", &save)) {
		if (argc == CMD_MAX_WORDS + 1)
			return cmd_print_error(g, "too many words");
		argv[argc++] = w;
	}
	/* Even an empty line gets its one reply: a script counting replies stays in step. */
	if (argc == 0)
		return cmd_print_error(g, "empty command");
	for (i = 0; i < RTE_DIM(cmds); i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			cmd = &cmds[i];
	if (cmd == NULL) {
		snprintf(c.err, sizeof(c.err), "unknown command \"%.64s\" (try help)", argv[0]);
		return cmd_print_error(g, c.err);
	}
	if (argc - 1 < cmd->min_args || argc - 1 > cmd->max_args) {
		snprintf(c.err, sizeof(c.err), "usage: %s", cmd->usage);
		return cmd_print_error(g, c.err);
	}
	c.reply = json_object_new_object();
	if (c.reply == NULL)
		return cmd_print_error(g, "out of memory");
	ret = cmd->run(g, &c, argc, argv);
	ret = ret < 0 ? cmd_print_error(g, c.err) : cmd_print(g, c.reply);
	json_object_put(c.reply);
	return ret;
}

/*
 * Runs the complete lines stdin holds now; never blocks. poll() first, then one read():
 * stdin stays blocking because its file description may be shared with the shell that
 * started us, and O_NONBLOCK would leak into it.
 */
int cmd_input(struct gen *g)
{
	struct cmd_reader *r = &g->in;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char *line, *nl;
	ssize_t n;

	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	n = read(STDIN_FILENO, r->buf + r->len, sizeof(r->buf) - 1 - r->len);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (n == 0) {
		g->quit = true; /* EOF: whoever drove us is gone */
		return 0;
	}
	r->len += (size_t)n;
	r->buf[r->len] = '\0';
	line = r->buf;
	while (!g->quit && (nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		if (r->skipping)
			r->skipping = false;
		else
			cmd_run_line(g, line);
		line = nl + 1;
	}
	r->len -= (size_t)(line - r->buf);
	memmove(r->buf, line, r->len);
	if (r->len == sizeof(r->buf) - 1) {
		if (!r->skipping)
			cmd_print_error(g, "line too long");
		r->skipping = true;
		r->len = 0;
	}
	return 0;
}

int cmd_reply_ready(struct gen *g)
{
	struct json_object *o = json_object_new_object();
	int ret;

	if (o == NULL)
		return -ENOMEM;
	json_object_object_add(o, "ready", json_object_new_boolean(1));
	json_object_object_add(o, "ports", json_object_new_int(g->nb_ports));
	ret = cmd_print(g, o);
	json_object_put(o);
	return ret;
}
