/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lanctl's edits of a libvirt domain's XML for `vm attach` and `vm convert`, without a
 * libvirt connection: lanctl reads the persistent definition (virDomainGetXMLDesc with
 * VIR_DOMAIN_XML_INACTIVE), edits the document with these functions and defines it again,
 * or hands libvirt the pieces they make (an <interface> element, the metadata).
 *
 * Every function that can refuse fills err (or a report) with a sentence that names the
 * domain's element and why, and returns a negative errno; on a refusal the document is left
 * as it was.
 */
#ifndef LANSWITCH_VM_XML_H
#define LANSWITCH_VM_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "vm_name.h"

#define VM_MAC_LEN 18 /* "52:54:00:3e:a1:20" and its NUL */
#define VM_VLAN_MAX 4094

/*
 * A domain's XML text into a document (no network access, nothing printed): NULL with err
 * saying why when it is not XML or its root is not <domain>. Free with xmlFreeDoc.
 */
xmlDocPtr vm_xml_read(const char *xml, char *err, size_t errlen);
/* The document back into text, for virDomainDefineXML; malloc'ed, NULL when out of memory. */
char *vm_xml_write(xmlDocPtr doc);

/*
 * A MAC address as libvirt writes it (six pairs of lowercase hex digits) into mac; one-digit
 * octets and uppercase are taken. -EINVAL when it is not one, or is multicast (libvirt
 * refuses those for an interface).
 */
int vm_mac_parse(const char *s, char mac[VM_MAC_LEN]);

/* ---- the switch's interfaces (vm_xml.c) ------------------------------------------------- */

/*
 * The <interface type='vhostuser'> element that attaches a domain to the switch, for
 * virDomainAttachDeviceFlags: the MAC, the socket in mode='server' (QEMU owns the socket,
 * lanswitchd connects to it and reconnects after either side restarts) and the virtio model
 * vhost-user requires. *xml is malloc'ed. -EINVAL with err for a bad MAC or socket path.
 */
int vm_xml_interface_new(const char *mac, const char *socket_path, char **xml, char *err,
                         size_t errlen);

/*
 * The same element added to the domain's <devices>, after its last <interface> and indented as
 * its siblings, for virDomainDefineXML. -EINVAL with err for a bad MAC or socket path, -ENOMEM.
 */
int vm_xml_interface_add(xmlDocPtr doc, const char *mac, const char *socket_path, char *err,
                         size_t errlen);

/* A vhost-user interface of a domain whose socket is in the switch's socket directory. */
struct vm_iface {
	unsigned int position; /* 1-based, among all the domain's <interface> elements */
	char mac[VM_MAC_LEN];  /* "" when the element has none */
	char socket[VM_SOCKET_PATH_MAX];
	unsigned int queues; /* <driver queues='N'>, 1 without; lanswitch takes 1 only for now */
};

/*
 * The domain's interfaces on the switch: vhost-user ones whose socket is under socket_dir.
 * Fills up to max of them, in document order, and returns how many there are (so attach can
 * refuse a second one without --add), or -EINVAL when the document has no <domain>.
 */
int vm_xml_lanswitch_ifaces(xmlDocPtr doc, const char *socket_dir, struct vm_iface *ifaces,
                            unsigned int max);

struct vm_port;

/*
 * Removes the domain's vhost-user interfaces whose socket is one of the n ports' sockets (what
 * `vm detach` takes away) and returns how many there were. The first max of them are put in
 * removed as text (malloc'ed), for virDomainDetachDeviceFlags on the running domain. -EINVAL
 * without a <domain>, -ENOMEM (the document is then half done: do not define it).
 */
int vm_xml_interfaces_take(xmlDocPtr doc, const struct vm_port *ports, unsigned int n,
                           char **removed, unsigned int max);

/* The 1-based position of the domain's interface with this MAC (as vm_mac_parse writes it),
 * 0 when none has it. */
int vm_xml_mac_position(xmlDocPtr doc, const char *mac);

/* ---- metadata (vm_meta.c) ---------------------------------------------------------------
 *
 * Each domain records its ports in its own <metadata>, so the agent can rebuild which port
 * belongs to which domain without the switch's state. In a domain's XML it reads
 *
 *   <metadata>
 *     <lanswitch:ports xmlns:lanswitch="https://lanswitch.dev/xmlns/libvirt/1">
 *       <lanswitch:port name="homeassistant" mac="52:54:00:3e:a1:20"
 *                       socket="/run/lanswitch/vhost/homeassistant.sock" vlan="1"
 *                       allowed-mac="52:54:00:3e:a1:20" arp-guard="192.168.1.20/32"
 *                       dhcp-server="deny" ra-guard="deny"/>
 *       <lanswitch:port name="unifi" ... trunk="20,30" native="1"/>
 *     </lanswitch:ports>
 *   </metadata>
 *
 * The guard's attributes (vm_guard.c) are in the words of `port set`, lists space-separated.
 * The guard is part of "the port this domain should have", recorded beside its VLANs rather
 * than anywhere else, because the metadata is what the follow agent and a later attach or
 * convert rebuild a port from: a port the agent makes again (lanswitchd restarted without its
 * state) gets its guard with it. A <port> without any of them (written before lanctl set
 * guards, or by a user who wants the switch's guard left alone) has its guard left as the
 * switch has it.
 *
 * and lanctl writes it with virDomainSetMetadata(VIR_DOMAIN_METADATA_ELEMENT, fragment,
 * VM_XML_NS_KEY, VM_XML_NS). libvirt 9.0 parses the fragment, declares the namespace on its
 * root and puts every element without one into it (virXMLInjectNamespace), and
 * virDomainGetMetadata hands it back with the namespace taken off again
 * (virXMLExtractNamespaceXML). So the fragment is written without a prefix (a prefixed one
 * with its own declaration would make libvirt's second declaration of the prefix fail), and
 * parsing takes both forms.
 */
#define VM_XML_NS "https://lanswitch.dev/xmlns/libvirt/1"
#define VM_XML_NS_KEY "lanswitch"

#define VM_VLAN_WORDS ((VM_VLAN_MAX + 64) / 64)

/* A port's VLANs, as `lanctl port set` takes them. */
struct vm_vlan {
	uint16_t access;                /* untagged port in this VLAN (1-4094); 0 on a trunk */
	uint16_t native;                /* trunk: the VLAN of untagged frames, 0 for none */
	uint64_t tagged[VM_VLAN_WORDS]; /* trunk: bit v set for each tagged VLAN v */
};

/* ---- a port's guard (vm_guard.c) ------------------------------------------------------
 *
 * What lanctl sets on a port it makes for a domain (issue 18), in the words of `lanctl port
 * set NAME KEY ...`: allowed-mac, the interface's own MAC (a guest sends from it alone, and so
 * does a router: it routes others' packets with its own source MAC); arp-guard, from an
 * nwfilter's IP parameters when `vm convert` found one; dhcp-server and ra-guard, deny on a
 * guest's port and allow on the router's (the domain named with --dhcp-server), so that a
 * guest running a DHCP server or sending router advertisements cannot take the LAN over.
 */
#define VM_GUARD_MACS_MAX 16 /* the switch's GUARD_MACS_MAX (dataplane/fast/guard.h) */
#define VM_GUARD_NETS_MAX 16 /* and its GUARD_NETS_MAX */
#define VM_NET_LEN 50        /* "IP/PREFIX" of an IPv6 address, and its NUL */

enum vm_guard_key {
	VM_GUARD_ALLOWED_MAC,
	VM_GUARD_ARP,
	VM_GUARD_DHCP_SERVER,
	VM_GUARD_RA,
	VM_GUARD_KEYS
};

/* `port set NAME allowed-mac M1 ... M16`: the most words one setting takes */
#define VM_GUARD_WORDS_MAX (4 + VM_GUARD_NETS_MAX)

struct vm_guard {
	/*
	 * Whether the domain's metadata records the port's guard. Metadata written before lanctl
	 * set guards does not: such a port's guard is left as the switch has it (the user's).
	 */
	bool recorded;
	bool dhcp_server;   /* dhcp-server allow; false: deny */
	bool ra;            /* ra-guard allow; false: deny */
	unsigned int nmacs; /* allowed-mac; 0: any source */
	char macs[VM_GUARD_MACS_MAX][VM_MAC_LEN];
	unsigned int nnets; /* arp-guard; 0: off */
	char nets[VM_GUARD_NETS_MAX][VM_NET_LEN];
};

/*
 * The guard of a port lanctl makes: allowed-mac the interface's MAC; dhcp-server and
 * ra-guard deny, or allow for the router.
 */
void vm_guard_init(struct vm_guard *g, const char *mac, bool router);
/* The switch's defaults on a new port: every protection off (recorded, all allow, no lists). */
void vm_guard_off(struct vm_guard *g);
/*
 * Adds an arp-guard prefix: -EINVAL when s is not IP/PREFIX, -E2BIG past VM_GUARD_NETS_MAX. One
 * naming a network already in the list is not added again (the lists are sets).
 */
int vm_guard_add_net(struct vm_guard *g, const char *s);
/* Adds an allowed MAC (as vm_mac_parse takes it), once: -EINVAL, -E2BIG past the max. */
int vm_guard_add_mac(struct vm_guard *g, const char *s);
/* Whether s is "IP/PREFIX", IPv4 or IPv6, host bits 0, as the switch's arp-guard takes it. */
bool vm_net_valid(const char *s);
/*
 * The words of `port set PORT KEY ...` that give the port key's setting in g (pointers into
 * port and g), at most VM_GUARD_WORDS_MAX; returns how many.
 */
int vm_guard_words(const struct vm_guard *g, enum vm_guard_key key, const char *port, char **words);
/*
 * Whether a and b set key alike: lists compared as sets, by the addresses and networks they
 * name (fd00:0::/64 is fd00::/64, 52:54:00:3E:A1:20 is 52:54:00:3e:a1:20), so that the
 * switch's way of writing them back does not count as a difference.
 */
bool vm_guard_key_equal(const struct vm_guard *a, const struct vm_guard *b, enum vm_guard_key key);
bool vm_guard_equal(const struct vm_guard *a, const struct vm_guard *b);
#define VM_GUARD_BIT(key) (1u << (key))
#define VM_GUARD_ALL (VM_GUARD_BIT(VM_GUARD_KEYS) - 1)
/*
 * "allowed-mac 52:54:00:3e:a1:20, arp-guard 192.168.1.20/32, dhcp-server deny, ra-guard deny":
 * the settings of keys (VM_GUARD_BIT of each, or VM_GUARD_ALL), arp-guard only when it has
 * prefixes.
 */
void vm_guard_text(const struct vm_guard *g, unsigned int keys, char *buf, size_t len);

struct vm_port {
	char name[VM_PORT_NAME_MAX + 1];
	char mac[VM_MAC_LEN];
	char socket[VM_SOCKET_PATH_MAX];
	struct vm_vlan vlan;
	struct vm_guard guard;
};

/* An untagged port in VLAN vid. */
void vm_vlan_set_access(struct vm_vlan *v, uint16_t vid);
/* Adds vid to a trunk's tagged VLANs (the port stops being an access port). */
void vm_vlan_add_tagged(struct vm_vlan *v, uint16_t vid);
bool vm_vlan_is_tagged(const struct vm_vlan *v, uint16_t vid);

/*
 * The metadata fragment for n ports (n may be 0: an empty <ports/> says the domain has none
 * left), malloc'ed in *xml. -EINVAL with err when a port is not one lanswitchd would take.
 */
int vm_xml_metadata_format(const struct vm_port *ports, unsigned int n, char **xml, char *err,
                           size_t errlen);
/*
 * The ports of a fragment as virDomainGetMetadata returns it, or of our element taken from a
 * domain's XML (prefixed). Returns how many, up to max; -EINVAL with err when it is not
 * lanswitch's metadata or a port is malformed, -E2BIG past max.
 */
int vm_xml_metadata_parse(const char *xml, struct vm_port *ports, unsigned int max, char *err,
                          size_t errlen);
/* The same, from a whole domain document: 0 when its <metadata> has no lanswitch element. */
int vm_xml_metadata_read(xmlDocPtr doc, struct vm_port *ports, unsigned int max, char *err,
                         size_t errlen);
/*
 * Puts the n ports in the domain document's <metadata> as libvirt stores them (prefixed, in
 * our namespace), replacing lanswitch's element; n == 0 removes it (and <metadata> when
 * nothing else is left in it). lanctl defines the document once, so the interfaces and the
 * ports that say where they go change together or not at all; virDomainGetMetadata then
 * hands back what vm_xml_metadata_format would have written. -EINVAL with err when a port is
 * not one lanswitchd would take, -ENOMEM (half done: do not define it).
 */
int vm_xml_metadata_set(xmlDocPtr doc, const struct vm_port *ports, unsigned int n, char *err,
                        size_t errlen);
/* "20,30": a trunk's tagged VLANs as `lanctl port set NAME trunk` takes them; malloc'ed. */
char *vm_vlan_trunk_text(const struct vm_vlan *v);
/* "1" to "4094"; -EINVAL otherwise. */
int vm_vlan_parse_id(const char *s, uint16_t *vid);
/* "20,30" (IDs and single commas): v becomes that trunk; -EINVAL otherwise. */
int vm_vlan_parse_trunk(const char *s, struct vm_vlan *v);

/* ---- shared memory (vm_mem.c) -----------------------------------------------------------
 *
 * vhost-user needs the guest's RAM shared with the switch: QEMU passes the switch a file
 * descriptor of each RAM region, which it has only for memory backed by a memfd, a file or
 * hugepages, and the switch's writes reach the guest only when the mapping is shared.
 */

/* What vm_xml_memory_share changed, for --dry-run. */
struct vm_mem_change {
	bool changed;
	char *old_xml;  /* <memoryBacking> before; NULL when the domain had none */
	char *new_xml;  /* <memoryBacking> after; NULL when nothing changed */
	char what[512]; /* the changes in words, "; " between them */
};

/*
 * 1 when the domain's memory is shared with a vhost-user backend, 0 when not; why says what
 * was found either way. -EINVAL when the document has no <domain>.
 */
int vm_xml_memory_shared(xmlDocPtr doc, char *why, size_t len);
/*
 * Makes the domain's memory shared, adding only what is missing: a memfd source unless a
 * memfd, file or hugepage backing is there (an anonymous source becomes memfd), shared access
 * (a private one becomes shared, and so does a NUMA cell's). change says what it did; clear
 * it with vm_mem_change_clear whatever the return. Returns 0, -EINVAL without a <domain>,
 * -ENOMEM (the document is then half done: do not define it).
 */
int vm_xml_memory_share(xmlDocPtr doc, struct vm_mem_change *change);
void vm_mem_change_clear(struct vm_mem_change *change);

/* ---- convert (vm_convert.c) -------------------------------------------------------------
 *
 * `lanctl vm convert`: every <interface type='bridge'> on the bridge becomes a vhost-user
 * one on a port of its own, in place (same order, alias, <mac>, <address>, <boot>...), and
 * the domain's memory is shared. vm_convert.c says which children go and why.
 */
#define VM_CONVERT_WARN_MAX 8

struct vm_converted {
	unsigned int position; /* 1-based, among all the domain's <interface> elements */
	struct vm_port port;   /* what `port add` and the metadata need */
	char *old_xml;         /* the element before and after, for --dry-run */
	char *new_xml;
	char *warnings[VM_CONVERT_WARN_MAX]; /* what the guest loses, one sentence each */
	unsigned int nwarnings;
	char *filter_note; /* what its nwfilter became on the switch, NULL: none or a warning */
	bool reused;       /* lanctl vm convert: the switch had the port already (not undone) */
};

struct vm_convert_report {
	struct vm_converted *ifaces; /* in document order */
	unsigned int n;
	struct vm_mem_change memory;
	char *refused;  /* why nothing was changed: one line per refused interface, or NULL */
	char note[256]; /* when there was nothing to do, why */
};

/*
 * Which bridge a libvirt network is: lanctl asks libvirt (virNetworkLookupByName,
 * virNetworkGetBridgeName), the unit test a table. bridge() fills bridge with the network's
 * bridge, "" when it has none (a network libvirt does not know, or one without a bridge such as
 * macvtap); a negative errno with err saying why when it cannot tell.
 */
struct vm_net_resolver {
	int (*bridge)(void *ctx, const char *network, char *bridge, size_t len, char *err,
	              size_t errlen);
	void *ctx;
};

struct vm_convert_opts {
	const char *bridge;     /* the bridge whose interfaces move to the switch */
	const char *socket_dir; /* where their sockets go */
	bool model_virtio;      /* convert a non-virtio model too, to virtio */
	bool router;            /* the domain serves DHCP and routes: dhcp-server, ra-guard allow */
	const struct vm_net_resolver *nets;
};

/*
 * Converts the domain's interfaces on opts->bridge to vhost-user ports with sockets in
 * opts->socket_dir, named after domain (libvirt's name of it). Checks every interface first:
 * when any is refused (no <mac>, a model other than virtio without model_virtio, multiqueue, a
 * VLAN setting lanswitch cannot take, a socket path too long, a type='network' interface whose
 * network is a bridge onto opts->bridge) nothing changes and report->refused says why, naming
 * the domain and the interface by MAC or position. A type='network' interface on another
 * network is left as it is.
 *
 * Returns how many interfaces were converted (0: none on the bridge, report->note says so),
 * -EINVAL when refused, -ENOMEM (the document is then half done: do not define it). Clear
 * the report with vm_convert_report_clear whatever the return. --dry-run prints the report
 * and does not define the document.
 */
int vm_xml_convert(xmlDocPtr doc, const char *domain, const struct vm_convert_opts *opts,
                   struct vm_convert_report *report);
void vm_convert_report_clear(struct vm_convert_report *report);

#endif
