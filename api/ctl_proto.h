/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket protocol: the one header lanswitchd and lanctl share.
 *
 * A client connects to the unix stream socket and sends one request per line:
 *
 *	{"args":["port","add","g0","vhost","/run/lanswitch/g0.sock"]}\n
 *
 * "args" are the words of a command exactly as lanctl takes them after its global options,
 * and exactly as a line of the config file holds them: one grammar for all three. The
 * daemon answers each request with one line:
 *
 *	{"ok":true,"result":<value>}\n		value: an array for list commands, else {}
 *	{"ok":false,"error":"port \"g0\": already exists"}\n
 *
 * A connection may carry any number of requests; the daemon reads the next one once the
 * client has taken the reply to the last. A request longer than CTL_MAX_REQUEST bytes is
 * answered with an error and the connection is closed. A change the daemon made but could
 * not save to its state file is answered {"ok":false,"error":"the change is live but not
 * saved: state file ...: <why>"}.
 *
 * {"args":["monitor"]} makes the connection a stream: after its reply, one line per event,
 * in the order they happened, until the client closes it:
 *
 *	{"event":"port_added","ts":1796643533.474,"port":"g0","type":"vhost"}
 *
 * "event" names the kind and "ts" is when it happened (seconds since the epoch); the other
 * keys are the kind's own, and a client must expect kinds it does not know:
 *   port_added: port, type          port_removed: port
 *   link: port, link ("up"|"down"), reason ("guest connected", "carrier lost", ...)
 *   fdb_learned, fdb_aged: mac, vlan, port       fdb_moved: mac, vlan, port, from
 *   fdb_suppressed: count (fdb events not sent: at most 100 a second per worker)
 *   fdb_full: state ("raised"|"cleared"), entries, capacity
 *   events_lost: count (the daemon's event ring was full)
 *   dhcp_server: port, vlan, message ("offer"|"ack"), mac, ip (the server), client,
 *                address (the client's MAC, the address it is given)
 *   host_seen: mac, ip, vlan, port (an address new to the hosts table, or a host that moved)
 *   arp_reply: mac, ip, vlan, port (the answer to `probe PORT arp IP`)
 *   snoop_suppressed: count (dhcp_server and host_seen not sent: the same limit)
 * A subscriber that leaves events unread past a bound (256 KiB beyond what its socket holds)
 * is disconnected; when the same process subscribes again, its reply's result says so:
 * {"dropped":{"ts":...,"reason":"it did not read its events","unread_bytes":N}}.
 *
 * Result shapes (field names are the contract that scripts use):
 *   port list: [{"name","type","link":"up"|"down","rx_packets","rx_bytes","tx_packets",
 *               "tx_bytes","drops":{reason:count,...},"mtu","status","vlan":N|null,
 *               "trunk":[N,...],"native":N|null, type-specific: "path","mode","devargs"}]
 *   fdb show:  [{"mac","port","vlan","age_s","static":bool}]
 *   stats:     {"workers":[{"lcore","packets","busy_cycles","idle_cycles","fdb_full",...}],
 *               "mbuf_pool":{"size","in_use","available","cached","cache_size"}}
 *   config show: {"lines":["port add ...", ...],"state_file":PATH|null,
 *                "state_damaged":null|{"path":KEPT_AS|null,"why","at","started_from":CONFIG|null},
 *                "state_damaged_files":[PATH.damaged-DATE-TIME,...]} (state_damaged: this
 *                run's start; the files: every one kept aside beside the state file)
 *   monitor:   {} or {"dropped":{...}} (above), then the events
 *   hosts:     [{"mac","vlan","port","ipv4":[...],"ipv6":[...],"last_seen_s","dhcp_server",
 *               "dhcp_last_s"}] (dhcp_last_s: its last offer or ack, null for no server)
 */
#ifndef LANSWITCH_CTL_PROTO_H
#define LANSWITCH_CTL_PROTO_H

#define CTL_DEFAULT_SOCKET "/run/lanswitch/lanswitch.sock"
#define CTL_MAX_REQUEST (64 * 1024)
#define CTL_MAX_ARGS 64

#define CTL_KEY_ARGS "args"
#define CTL_KEY_OK "ok"
#define CTL_KEY_RESULT "result"
#define CTL_KEY_ERROR "error"

#endif
