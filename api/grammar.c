/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one table of commands: lanswitchd dispatches from it (dataplane/ctl/cmd.c), lanctl
 * prints its help and checks command lines from it (control/). A new command is a line in
 * enum cmd_id, an entry here and a handler in the daemon's table (or lanctl's, if local).
 * grammar_match.c reads the forms; grammar.h says how they are written.
 */
#include "api/grammar.h"

const struct cmd_def cmd_defs[CMD_MAX] = {
	[CMD_PORT_ADD] = {
		.words = { "port", "add" },
		.forms = {
			{ "NAME vhost PATH [--server]",
			  "vhost-user guest port (client mode by default)" },
			{ "NAME dpdk DEVARGS",
			  "a DPDK device: 0000:03:00.0, net_pcap0,rx_pcap=..." },
			{ "NAME tap IFNAME [--address CIDR]... [--route DEST via GW]... [--netns NS] "
			  "[--mac MAC]",
			  "the host's own port (replaces br0's address)" },
			{ "NAME afxdp IFACE [--queues N] [--mode native|generic] [--zero-copy] "
			  "[--xdp-prog OBJ]",
			  "the upper NIC through AF_XDP and lanswitch's XDP program" },
		},
		.help = "add a port: a guest, a device, the host or the upper NIC",
		.flags = CMD_CHANGES,
	},
	[CMD_PORT_DEL] = {
		.words = { "port", "del" },
		.forms = { { "NAME", NULL } },
		.help = "remove a port (a tap port's interface goes with it)",
		.flags = CMD_CHANGES,
	},
	[CMD_PORT_LIST] = {
		.words = { "port", "list" },
		.forms = { { "", NULL } },
		.help = "name, type, link, rx/tx packets and bytes, drops",
		.flags = CMD_QUERY,
	},
	[CMD_PORT_SET] = {
		.words = { "port", "set" },
		.forms = {
			{ "NAME vlan N", "untagged (access) port in VLAN N" },
			{ "NAME trunk N[,M...] [--native N]",
			  "tagged VLANs, untagged frames in the native one" },
			{ "NAME block|unblock MAC", "(afxdp) drop frames from MAC in the kernel, by XDP" },
			{ "NAME mac-limit N [--flood]",
			  "at most N learned MACs (0: none); past it drop new sources, or flood unlearned" },
			{ "NAME allowed-mac MAC [MAC]...",
			  "drop frames from any other source MAC; none: any source" },
			{ "NAME arp-guard IP/PREFIX [IP/PREFIX]...",
			  "drop ARP and IPv6 neighbour advertisements for addresses outside; none: off" },
			{ "NAME dhcp-server|ra-guard allow|deny",
			  "deny: drop DHCP server replies / IPv6 router advertisements from the port" },
			{ "NAME storm broadcast|multicast|unknown-unicast PPS",
			  "at most PPS such frames a second from the port (0: no limit)" },
		},
		.help = "a port's VLANs, its guard, or a setting of its type",
		.flags = CMD_CHANGES,
	},
	[CMD_FDB_SHOW] = {
		.words = { "fdb", "show" },
		.forms = { { "", NULL } },
		.help = "mac, port, vlan, age_s, static",
		.flags = CMD_QUERY,
	},
	[CMD_FDB_ADD] = {
		.words = { "fdb", "add" },
		.forms = { { "MAC PORT [vlan N]", NULL } },
		.help = "static entry: never aged, never moved",
		.flags = CMD_CHANGES,
	},
	[CMD_FDB_DEL] = {
		.words = { "fdb", "del" },
		.forms = { { "MAC [vlan N]", NULL } },
		.help = "without vlan: the MAC in every VLAN",
		.flags = CMD_CHANGES,
	},
	[CMD_FDB_FLUSH] = {
		.words = { "fdb", "flush" },
		.forms = { { "[PORT]", NULL } },
		.help = "learned entries (of one port)",
		.flags = 0, /* learned entries are not configuration: nothing to save */
	},
	[CMD_FDB_SET] = {
		.words = { "fdb", "set" },
		.forms = { { "aging SECONDS", NULL } },
		.help = "0: never age",
		.flags = CMD_CHANGES,
	},
	[CMD_WORKER_SET] = {
		.words = { "worker", "set" },
		.forms = {
			{ "mode adaptive|poll",
			  "adaptive (default): sleep when idle, woken by the ports; poll: never sleep" },
			{ "idle-us N", "adaptive: sleep after N microseconds without a frame (default 50)" },
		},
		.help = "how the workers wait for frames",
		.flags = CMD_CHANGES,
	},
	[CMD_STATS] = {
		.words = { "stats", NULL },
		.forms = { { "", NULL } },
		.help = "per worker: packets, cycles/packet, busy %, fdb_full, sleeps; the mbuf pool",
		.flags = CMD_QUERY,
	},
	[CMD_CONFIG_SHOW] = {
		.words = { "config", "show" },
		.forms = { { "", NULL } },
		.help = "the running configuration, as config-file lines",
		.flags = CMD_QUERY,
	},
	[CMD_MONITOR] = {
		.words = { "monitor", NULL },
		.forms = { { "", NULL } },
		.help = "print events as they happen (ports, links, FDB) until interrupted",
		.flags = CMD_QUERY | CMD_STREAM,
	},
	[CMD_HOSTS] = {
		.words = { "hosts", NULL },
		.forms = { { "", NULL } },
		.help = "hosts seen: MAC, VLAN, port, domain, IPv4/IPv6 addresses, last seen",
		.flags = CMD_QUERY,
	},
	[CMD_PROBE] = {
		.words = { "probe", NULL },
		.forms = { { "PORT dhcp [--vlan N]",
			     "send a DHCPDISCOVER into PORT alone; a server's offer is a dhcp_server event" },
			   { "PORT arp IP [--vlan N]",
			     "ask who has IP, into PORT alone; the answer is an arp_reply event" } },
		.help = "the switch asks into one port (lanctl monitor shows the answers)",
		.flags = CMD_QUERY,
	},
	[CMD_WAIT] = {
		.words = { "wait", NULL },
		.forms = { { "PORT link-up [--timeout S]", "until PORT's link is up" },
			   { "PORT dhcp-server [--vlan N] [--timeout S]",
			     "until a DHCP server answers the switch's DHCPDISCOVER on PORT" },
			   { "PORT arp IP [--vlan N] [--timeout S]",
			     "until IP answers the switch's ARP probe on PORT" } },
		.help = "exit 0 once that holds, 1 at the timeout (default: -t)",
		.flags = CMD_LOCAL,
	},
	/* libvirt domains: lanctl talks to libvirt and to the switch (control/vm_*.c) */
	[CMD_VM_ATTACH] = {
		.words = { "vm", "attach" },
		.forms = {
			{ "DOMAIN [--mac MAC] [--vlan N] [--trunk N[,M...] [--native N]] [--queues N] "
			  "[--add] [--dhcp-server] [--socket-dir DIR]",
			  "a guarded port, and an interface on it in the domain (--dhcp-server: the "
			  "router)" },
		},
		.help = "attach a libvirt domain to the switch",
		.flags = CMD_LOCAL,
	},
	[CMD_VM_DETACH] = {
		.words = { "vm", "detach" },
		.forms = { { "DOMAIN", NULL } },
		.help = "remove the domain's switch interfaces and their ports",
		.flags = CMD_LOCAL,
	},
	[CMD_VM_LIST] = {
		.words = { "vm", "list" },
		.forms = { { "", NULL } },
		.help = "domain, state, port, MAC, link, rx/tx packets, drops",
		.flags = CMD_LOCAL,
	},
	[CMD_VM_CONVERT] = {
		.words = { "vm", "convert" },
		.forms = {
			{ "DOMAIN [DOMAIN]... --bridge BR [--model-virtio] [--dhcp-server DOMAIN]... "
			  "[--dry-run] [--socket-dir DIR]",
			  "bridge interfaces on BR become guarded vhost-user ports (--dhcp-server: "
			  "the router)" },
			{ "--all --bridge BR [--model-virtio] [--dhcp-server DOMAIN]... [--dry-run] "
			  "[--socket-dir DIR]",
			  "the same in every persistent domain" },
		},
		.help = "move domains' bridge interfaces to the switch",
		.flags = CMD_LOCAL,
	},
	[CMD_VM_FOLLOW] = {
		.words = { "vm", "follow" },
		.forms = { { "[--socket-dir DIR]", NULL } },
		.help = "keep the switch in step with libvirt's domains, until stopped (the agent)",
		.flags = CMD_LOCAL,
	},
	[CMD_VM_START_ORDER] = {
		.words = { "vm", "start-order" },
		.forms = { { "FILE", NULL } },
		.help = "start domains in the order FILE gives, each when the last is ready",
		.flags = CMD_LOCAL,
	},
	[CMD_DOCTOR] = {
		.words = { "doctor", NULL },
		.forms = { { "[--socket-dir DIR]", NULL } },
		.help = "check what breaks such setups: one line per finding, with its fix",
		.flags = CMD_LOCAL,
	},
	[CMD_HELP] = {
		.words = { "help", NULL },
		.forms = { { "[GROUP [COMMAND]]", NULL } },
		.help = "this help, or that of a group or a command",
		.flags = CMD_LOCAL,
	},
};
