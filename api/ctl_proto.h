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
 * A connection may carry any number of requests. A request longer than CTL_MAX_REQUEST
 * bytes is answered with an error and the connection is closed.
 *
 * Result shapes (field names are the contract that scripts use):
 *   port list: [{"name","type","link":"up"|"down","rx_packets","rx_bytes","tx_packets",
 *               "tx_bytes","drops":{reason:count,...},"mtu","status","vlan":N|null,
 *               "trunk":[N,...],"native":N|null, type-specific: "path","mode","devargs"}]
 *   fdb show:  [{"mac","port","vlan","age_s","static":bool}]
 *   stats:     [{"lcore","packets","busy_cycles","idle_cycles","fdb_full"}]
 *   config show: {"lines":["port add ...", ...]}
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
