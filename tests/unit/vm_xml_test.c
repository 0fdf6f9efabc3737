/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lanctl's libvirt side, the part without a libvirt connection: port names and socket paths
 * (vm_name.c) and the edits of a domain's XML. No DPDK: this program links libxml2 and
 * cmocka only.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <unistd.h>

#include "vm_name.h"
#include "vm_xml.h"

/* ---- fixtures ------------------------------------------------------------------------ */

/* A file of tests/unit/vm_xml/, as libvirt 9.0 formats a persistent definition. */
static char *fixture_text(const char *name)
{
	const char *dir = getenv("VM_XML_FIXTURES");
	char path[512], *text;
	FILE *f;
	long n;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	return text;
}

static xmlDocPtr read_doc(const char *xml)
{
	char err[256] = "";
	xmlDocPtr doc = vm_xml_read(xml, err, sizeof(err));

	if (doc == NULL)
		fail_msg("%s", err);
	return doc;
}

static xmlDocPtr fixture(const char *name)
{
	char *text = fixture_text(name);
	xmlDocPtr doc = read_doc(text);

	free(text);
	return doc;
}

/* A small domain with the given <memoryBacking>, <cpu> and devices (each "" for none). */
static xmlDocPtr domain_doc(const char *name, const char *backing, const char *cpu,
                            const char *devices)
{
	char xml[8192];

	snprintf(xml, sizeof(xml),
	         "<domain type='kvm'>\n"
	         "  <name>%s</name>\n"
	         "  <memory unit='KiB'>2097152</memory>\n"
	         "%s"
	         "  <vcpu placement='static'>2</vcpu>\n"
	         "  <os>\n"
	         "    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>\n"
	         "  </os>\n"
	         "%s"
	         "  <devices>\n"
	         "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
	         "%s"
	         "  </devices>\n"
	         "</domain>\n",
	         name, backing, cpu, devices);
	return read_doc(xml);
}

static const char numa_cells_2[] = "  <cpu mode='host-passthrough'>\n"
                                   "    <numa>\n"
                                   "      <cell id='0' cpus='0' memory='1048576' unit='KiB'%s/>\n"
                                   "      <cell id='1' cpus='1' memory='1048576' unit='KiB'%s/>\n"
                                   "    </numa>\n"
                                   "  </cpu>\n";

static xmlDocPtr numa_doc(const char *backing, const char *cell0, const char *cell1)
{
	char cpu[512];

	snprintf(cpu, sizeof(cpu), numa_cells_2, cell0, cell1);
	return domain_doc("numa", backing, cpu, "");
}

static unsigned int validated;

/*
 * The document checked against libvirt's own schema (virt-xml-validate, libvirt-clients),
 * which is what virDomainDefineXML checks first. Skipped when the tool is not installed.
 */
static void assert_libvirt_valid(xmlDocPtr doc, const char *what)
{
	const char *tool = getenv("VIRT_XML_VALIDATE");
	char path[] = "/tmp/vm_xml_test_XXXXXX", log[64], cmd[1024], line[256];
	char *text;
	FILE *f;
	int fd, status;

	if (tool == NULL || tool[0] == '\0')
		return;
	text = vm_xml_write(doc);
	assert_non_null(text);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(log, sizeof(log), "%s.log", path);
	snprintf(cmd, sizeof(cmd), "'%s' %s domain >%s 2>&1", tool, path, log);
	status = system(cmd);
	if (status != 0) {
		f = fopen(log, "r");
		while (f != NULL && fgets(line, sizeof(line), f) != NULL)
			print_message("virt-xml-validate: %s", line);
		if (f != NULL)
			fclose(f);
		print_message("%s\n", text);
	}
	unlink(path);
	unlink(log);
	free(text);
	if (status != 0)
		fail_msg("%s: libvirt's schema refuses the document", what);
	validated++;
}

/* Every fixture as given is a domain libvirt takes: the tests start from real ones. */
static void test_fixtures_valid(void **state)
{
	static const char *const names[] = { "pfsense.xml", "homeassistant.xml", "windows.xml",
		                             "truenas.xml", "pihole.xml",        "frigate.xml",
		                             "unifi.xml" };
	xmlDocPtr doc;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		doc = fixture(names[i]);
		assert_libvirt_valid(doc, names[i]);
		xmlFreeDoc(doc);
	}
}

static void test_read_errors(void **state)
{
	char err[256];

	assert_null(vm_xml_read("<domain><name>x</name>", err, sizeof(err)));
	assert_non_null(strstr(err, "domain XML, line 1: "));
	assert_null(vm_xml_read("<network><name>default</name></network>", err, sizeof(err)));
	assert_string_equal(err, "domain XML: the root element is <network>, not <domain>");
}

/* ---- port names ---------------------------------------------------------------------- */

static void expect_port_name(const char *domain, unsigned int index, const char *want)
{
	char buf[VM_PORT_NAME_MAX + 1];

	assert_int_equal(vm_port_name(domain, index, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

/* What lanswitchd's port_check_name takes. */
static void assert_port_name_valid(const char *name)
{
	const char *c;

	assert_true(strlen(name) >= 1 && strlen(name) <= VM_PORT_NAME_MAX);
	assert_true(name[0] != '-' && name[0] != '.');
	for (c = name; *c != '\0'; c++)
		assert_true(
		        strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
		               *c) != NULL);
}

static void test_port_name_valid_name_as_is(void **state)
{
	expect_port_name("homeassistant", 0, "homeassistant");
	expect_port_name("pfSense", 0, "pfSense");
	expect_port_name("win11_gaming.rig-2", 0, "win11_gaming.rig-2");
	/* a second and third interface of the same domain */
	expect_port_name("homeassistant", 1, "homeassistant.1");
	expect_port_name("homeassistant", 2, "homeassistant.2");
	/* exactly 31 characters: still as is */
	expect_port_name("abcdefghijklmnopqrstuvwxyz01234", 0, "abcdefghijklmnopqrstuvwxyz01234");
}

/*
 * The hash suffixes below are FNV-1a of the original name, folded to 16 bits; pinned here so
 * that a change of the function (which would rename every port) cannot pass unnoticed.
 */
static void test_port_name_reduced_gets_hash(void **state)
{
	expect_port_name("Home Assistant", 0, "HomeAssistant-2b17");
	expect_port_name("Home Assistant", 1, "HomeAssistant-2b17.1");
	expect_port_name("Küche-PC", 0, "Kche-PC-ff34"); /* UTF-8: the ü is dropped */
	expect_port_name("lab/router", 0, "labrouter-ef51");
	/* a leading '-' would be an option on lanctl's command line */
	expect_port_name("-x", 0, "x-2b0d");
}

static void test_port_name_long(void **state)
{
	char sixty[61], buf[VM_PORT_NAME_MAX + 1];
	unsigned int i;

	memset(sixty, 'a', 60);
	sixty[60] = '\0';
	expect_port_name(sixty, 0, "aaaaaaaaaaaaaaaaaaaaaaaaaa-73a8");
	expect_port_name(sixty, 3, "aaaaaaaaaaaaaaaaaaaaaaaa-73a8.3");
	/* the cut never leaves a '-' before the hash */
	expect_port_name("win11-gaming-rig-with-gpu-passthrough", 0,
	                 "win11-gaming-rig-with-gpu-036e");
	/* 31 characters fit alone, not with ".1": the second port is shortened and hashed */
	expect_port_name("abcdefghijklmnopqrstuvwxyz01234", 1, "abcdefghijklmnopqrstuvwx-5f68.1");
	for (i = 0; i < 100000; i += 997) {
		assert_int_equal(vm_port_name(sixty, i, buf, sizeof(buf)), 0);
		assert_port_name_valid(buf);
	}
	assert_int_equal(vm_port_name(sixty, 4294967295u, buf, sizeof(buf)), 0);
	assert_port_name_valid(buf);
	assert_string_equal(buf, "aaaaaaaaaaaaaaa-73a8.4294967295");
}

static void test_port_name_nothing_left(void **state)
{
	expect_port_name("日本語", 0, "vm-dcb8");
	expect_port_name("---", 0, "vm-1862");
	expect_port_name("---", 1, "vm-1862.1");
}

/* Two names that reduce to the same text differ through the hash, and from the plain one. */
static void test_port_name_collisions(void **state)
{
	char a[VM_PORT_NAME_MAX + 1], b[VM_PORT_NAME_MAX + 1], c[VM_PORT_NAME_MAX + 1];

	assert_int_equal(vm_port_name("Home Assistant", 0, a, sizeof(a)), 0);
	assert_int_equal(vm_port_name("Home/Assistant", 0, b, sizeof(b)), 0);
	assert_int_equal(vm_port_name("HomeAssistant", 0, c, sizeof(c)), 0);
	assert_string_equal(a, "HomeAssistant-2b17");
	assert_string_equal(b, "HomeAssistant-ecc8");
	assert_string_equal(c, "HomeAssistant");
}

static void test_port_name_small_buffer(void **state)
{
	char buf[VM_PORT_NAME_MAX];

	assert_int_equal(vm_port_name("pfsense", 0, buf, sizeof(buf)), -ENOSPC);
}

/* ---- socket paths -------------------------------------------------------------------- */

static void test_socket_path(void **state)
{
	char path[VM_SOCKET_PATH_MAX], err[256], dir[128];
	size_t n;

	assert_int_equal(vm_socket_path(VM_SOCKET_DIR_DEFAULT, "homeassistant", path, sizeof(path),
	                                err, sizeof(err)),
	                 0);
	assert_string_equal(path, "/run/lanswitch/vhost/homeassistant.sock");
	assert_int_equal(vm_socket_path("/srv/vhost//", "g0", path, sizeof(path), err, sizeof(err)),
	                 0);
	assert_string_equal(path, "/srv/vhost/g0.sock");
	assert_int_equal(vm_socket_path("/", "g0", path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(path, "/g0.sock");

	assert_int_equal(vm_socket_path("run/vhost", "g0", path, sizeof(path), err, sizeof(err)),
	                 -EINVAL);
	assert_string_equal(err, "socket directory \"run/vhost\": must be an absolute path");

	/* 107 bytes fit (sun_path holds them with the NUL), 108 do not */
	n = 107 - strlen("/g0.sock");
	memset(dir, 'd', n);
	dir[0] = '/';
	dir[n] = '\0';
	assert_int_equal(vm_socket_path(dir, "g0", path, sizeof(path), err, sizeof(err)), 0);
	assert_int_equal(strlen(path), 107);
	dir[n] = 'd';
	dir[n + 1] = '\0';
	assert_int_equal(vm_socket_path(dir, "g0", path, sizeof(path), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ": 108 bytes, a unix socket path must be under 108"));
	assert_string_equal(path, "");
}

/* ---- MAC addresses and the switch's interfaces --------------------------------------- */

static void test_mac_parse(void **state)
{
	char mac[VM_MAC_LEN];

	assert_int_equal(vm_mac_parse("52:54:00:3E:A1:20", mac), 0);
	assert_string_equal(mac, "52:54:00:3e:a1:20");
	assert_int_equal(vm_mac_parse("52:54:0:3e:a1:2", mac), 0);
	assert_string_equal(mac, "52:54:00:3e:a1:02");
	assert_int_equal(vm_mac_parse("52:54:00:3e:a1", mac), -EINVAL);
	assert_int_equal(vm_mac_parse("52:54:00:3e:a1:20:ff", mac), -EINVAL);
	assert_int_equal(vm_mac_parse("52-54-00-3e-a1-20", mac), -EINVAL);
	assert_int_equal(vm_mac_parse("52:54:00:3e:a1:200", mac), -EINVAL);
	assert_int_equal(vm_mac_parse("52:54:00:3e:a1:", mac), -EINVAL);
	assert_int_equal(vm_mac_parse("", mac), -EINVAL);
	/* a multicast address is no NIC's: libvirt refuses it too */
	assert_int_equal(vm_mac_parse("01:00:5e:00:00:01", mac), -EINVAL);
}

/* Adds an element's text to the domain's <devices>, as virDomainAttachDeviceFlags would. */
static void add_device(xmlDocPtr doc, const char *xml)
{
	xmlDocPtr frag;
	xmlNodePtr devices, copy, c;

	frag = xmlReadMemory(xml, (int)strlen(xml), "device.xml", NULL, XML_PARSE_NONET);
	assert_non_null(frag);
	for (devices = xmlDocGetRootElement(doc)->children; devices != NULL;
	     devices = devices->next)
		if (devices->type == XML_ELEMENT_NODE &&
		    xmlStrEqual(devices->name, BAD_CAST "devices"))
			break;
	assert_non_null(devices);
	copy = xmlDocCopyNode(xmlDocGetRootElement(frag), doc, 1);
	assert_non_null(copy);
	c = xmlAddChild(devices, copy);
	assert_non_null(c);
	xmlFreeDoc(frag);
}

static void test_interface_new(void **state)
{
	char *xml = NULL, err[256];
	xmlDocPtr doc;

	assert_int_equal(vm_xml_interface_new("52:54:00:3E:A1:20",
	                                      "/run/lanswitch/vhost/homeassistant.sock", &xml, err,
	                                      sizeof(err)),
	                 0);
	assert_string_equal(xml,
	                    "<interface type=\"vhostuser\">\n"
	                    "  <mac address=\"52:54:00:3e:a1:20\"/>\n"
	                    "  <source type=\"unix\" "
	                    "path=\"/run/lanswitch/vhost/homeassistant.sock\" mode=\"server\"/>\n"
	                    "  <model type=\"virtio\"/>\n"
	                    "</interface>");
	/* what libvirt's schema takes in a domain, with shared memory as vhost-user needs */
	doc = fixture("pihole.xml");
	add_device(doc, xml);
	assert_libvirt_valid(doc, "an attached vhostuser interface");
	assert_int_equal(vm_xml_lanswitch_ifaces(doc, VM_SOCKET_DIR_DEFAULT, NULL, 0), 2);
	xmlFreeDoc(doc);
	free(xml);

	/* a path is escaped, not pasted */
	assert_int_equal(vm_xml_interface_new("52:54:00:3e:a1:20", "/srv/a&b'c.sock", &xml, err,
	                                      sizeof(err)),
	                 0);
	assert_non_null(strstr(xml, "path=\"/srv/a&amp;b'c.sock\""));
	free(xml);

	assert_int_equal(
	        vm_xml_interface_new("01:00:5e:00:00:01", "/run/x.sock", &xml, err, sizeof(err)),
	        -EINVAL);
	assert_null(xml);
	assert_string_equal(err, "MAC \"01:00:5e:00:00:01\": expected a unicast address such as "
	                         "52:54:00:12:34:56");
	assert_int_equal(
	        vm_xml_interface_new("52:54:00:3e:a1:20", "x.sock", &xml, err, sizeof(err)),
	        -EINVAL);
	assert_string_equal(err, "socket path \"x.sock\": must be absolute");
}

static void test_lanswitch_ifaces(void **state)
{
	struct vm_iface f[4];
	xmlDocPtr doc;

	/* Pi-hole: its first interface is on the switch, its second still on br0 */
	doc = fixture("pihole.xml");
	memset(f, 0xff, sizeof(f));
	assert_int_equal(vm_xml_lanswitch_ifaces(doc, VM_SOCKET_DIR_DEFAULT, f, 4), 1);
	assert_int_equal(f[0].position, 1);
	assert_string_equal(f[0].mac, "52:54:00:71:9a:40");
	assert_string_equal(f[0].socket, "/run/lanswitch/vhost/pihole.sock");
	assert_int_equal(f[0].queues, 1);
	assert_int_equal(vm_xml_lanswitch_ifaces(doc, "/run/lanswitch/vhost/", f, 4), 1);
	assert_int_equal(vm_xml_lanswitch_ifaces(doc, "/run/lanswitch", f, 4), 1);
	assert_int_equal(vm_xml_lanswitch_ifaces(doc, "/run/lanswitch/vh", f, 4), 0);
	assert_int_equal(vm_xml_lanswitch_ifaces(doc, "/srv/vhost", f, 4), 0);
	xmlFreeDoc(doc);

	doc = fixture("pfsense.xml");
	assert_int_equal(vm_xml_lanswitch_ifaces(doc, VM_SOCKET_DIR_DEFAULT, f, 4), 0);
	xmlFreeDoc(doc);

	/* multiqueue, which the switch refuses for now, is seen; Open vSwitch's sockets are not
	 * ours */
	doc = domain_doc(
	        "vpn", "", "",
	        "    <interface type='vhostuser'>\n"
	        "      <mac address='52:54:00:aa:00:01'/>\n"
	        "      <source type='unix' path='/var/run/openvswitch/vhu0' mode='server'/>\n"
	        "      <model type='virtio'/>\n"
	        "    </interface>\n"
	        "    <interface type='vhostuser'>\n"
	        "      <mac address='52:54:00:aa:00:02'/>\n"
	        "      <source type='unix' path='/run/lanswitch/vhost/vpn.sock' mode='server'/>\n"
	        "      <model type='virtio'/>\n"
	        "      <driver queues='4'/>\n"
	        "    </interface>\n"
	        "    <interface type='vhostuser'>\n"
	        "      <source type='unix' path='/run/lanswitch/vhost/../x.sock' mode='server'/>\n"
	        "      <model type='virtio'/>\n"
	        "    </interface>\n");
	assert_int_equal(vm_xml_lanswitch_ifaces(doc, VM_SOCKET_DIR_DEFAULT, f, 4), 1);
	assert_int_equal(f[0].position, 2);
	assert_string_equal(f[0].mac, "52:54:00:aa:00:02");
	assert_int_equal(f[0].queues, 4);
	xmlFreeDoc(doc);
}

/* attach's edit: the interface after the domain's last one, indented as they are. */
static void test_interface_add(void **state)
{
	xmlDocPtr doc = fixture("homeassistant.xml");
	char err[256], *text;

	assert_int_equal(vm_xml_mac_position(doc, "52:54:00:3e:a1:20"), 1);
	assert_int_equal(vm_xml_mac_position(doc, "52:54:00:3e:a1:99"), 0);
	assert_int_equal(vm_xml_interface_add(doc, "52:54:00:3E:A1:99",
	                                      "/run/lanswitch/vhost/homeassistant.1.sock", err,
	                                      sizeof(err)),
	                 0);
	text = vm_xml_write(doc);
	assert_non_null(strstr(text, "    </interface>\n"
	                             "    <interface type=\"vhostuser\">\n"
	                             "      <mac address=\"52:54:00:3e:a1:99\"/>\n"
	                             "      <source type=\"unix\" "
	                             "path=\"/run/lanswitch/vhost/homeassistant.1.sock\" "
	                             "mode=\"server\"/>\n"
	                             "      <model type=\"virtio\"/>\n"
	                             "    </interface>\n"
	                             "    <serial type="));
	free(text);
	assert_int_equal(vm_xml_mac_position(doc, "52:54:00:3e:a1:99"), 2);
	assert_int_equal(vm_xml_lanswitch_ifaces(doc, VM_SOCKET_DIR_DEFAULT, NULL, 0), 1);
	assert_libvirt_valid(doc, "an added vhostuser interface");

	assert_int_equal(
	        vm_xml_interface_add(doc, "ff:ff:ff:ff:ff:ff", "/run/x.sock", err, sizeof(err)),
	        -EINVAL);
	assert_string_equal(err, "MAC \"ff:ff:ff:ff:ff:ff\": expected a unicast address such as "
	                         "52:54:00:12:34:56");
	xmlFreeDoc(doc);

	/* a domain without any NIC: after its last device */
	doc = domain_doc("bare", "", "", "");
	assert_int_equal(
	        vm_xml_interface_add(doc, "52:54:00:00:00:01", "/run/x.sock", err, sizeof(err)), 0);
	text = vm_xml_write(doc);
	assert_non_null(strstr(text, "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
	                             "    <interface type=\"vhostuser\">\n"
	                             "      <mac address=\"52:54:00:00:00:01\"/>\n"));
	free(text);
	xmlFreeDoc(doc);
}

/* detach's edit: the interfaces on the ports' sockets go, the others stay. */
static void test_interfaces_take(void **state)
{
	xmlDocPtr doc = fixture("pihole.xml");
	struct vm_port ports[2];
	char *removed[2] = { NULL, NULL }, err[256], *text;

	assert_int_equal(vm_xml_metadata_read(doc, ports, 2, err, sizeof(err)), 1);
	snprintf(ports[1].socket, sizeof(ports[1].socket), "/run/lanswitch/vhost/gone.sock");
	assert_int_equal(vm_xml_interfaces_take(doc, ports, 2, removed, 2), 1);
	assert_string_equal(removed[0],
	                    "<interface type=\"vhostuser\">\n"
	                    "  <mac address=\"52:54:00:71:9a:40\"/>\n"
	                    "  <source type=\"unix\" path=\"/run/lanswitch/vhost/pihole.sock\" "
	                    "mode=\"server\"/>\n"
	                    "  <model type=\"virtio\"/>\n"
	                    "  <address type=\"pci\" domain=\"0x0000\" bus=\"0x01\" slot=\"0x00\" "
	                    "function=\"0x0\"/>\n"
	                    "</interface>");
	assert_null(removed[1]);
	free(removed[0]);
	assert_int_equal(vm_xml_lanswitch_ifaces(doc, VM_SOCKET_DIR_DEFAULT, NULL, 0), 0);
	assert_int_equal(vm_xml_mac_position(doc, "52:54:00:71:9a:41"), 1);
	text = vm_xml_write(doc);
	assert_non_null(strstr(text,
	                       "    <controller type=\"pci\" index=\"0\" model=\"pcie-root\"/>\n"
	                       "    <interface type=\"bridge\">\n"));
	free(text);
	assert_int_equal(vm_xml_interfaces_take(doc, ports, 1, removed, 2), 0);
	xmlFreeDoc(doc);
}

/* ---- metadata ------------------------------------------------------------------------ */

static void port_init(struct vm_port *p, const char *name, const char *mac)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->mac, sizeof(p->mac), "%s", mac);
	snprintf(p->socket, sizeof(p->socket), "/run/lanswitch/vhost/%s.sock", name);
	vm_vlan_set_access(&p->vlan, 1);
}

/* What libvirt 9.0 does with the fragment (virXMLInjectNamespace), into <metadata>. */
static void set_metadata_like_libvirt(xmlDocPtr doc, const char *fragment)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), meta, copy, n;
	xmlDocPtr frag;
	xmlNsPtr ns;

	frag = xmlReadMemory(fragment, (int)strlen(fragment), "metadata.xml", NULL,
	                     XML_PARSE_NONET);
	assert_non_null(frag);
	copy = xmlDocCopyNode(xmlDocGetRootElement(frag), doc, 1);
	ns = xmlNewNs(copy, BAD_CAST VM_XML_NS, BAD_CAST VM_XML_NS_KEY);
	assert_non_null(ns); /* would fail had the fragment declared the prefix itself */
	xmlSetNs(copy, ns);
	for (n = copy->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && n->ns == NULL)
			xmlSetNs(n, ns);
	for (meta = root->children; meta != NULL; meta = meta->next)
		if (meta->type == XML_ELEMENT_NODE && xmlStrEqual(meta->name, BAD_CAST "metadata"))
			break;
	if (meta == NULL)
		meta = xmlNewChild(root, NULL, BAD_CAST "metadata", NULL);
	xmlAddChild(meta, copy);
	xmlFreeDoc(frag);
}

/*
 * The n ports formatted as want, and parsed back as they were (as virDomainGetMetadata hands
 * the fragment back: without a prefix). Returns the fragment (free it).
 */
static char *expect_round_trip(const struct vm_port *in, unsigned int n, const char *want)
{
	struct vm_port out[4];
	char *xml = NULL, err[256];

	assert_true(n <= 4);
	assert_int_equal(vm_xml_metadata_format(in, n, &xml, err, sizeof(err)), 0);
	assert_string_equal(xml, want);
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(vm_xml_metadata_parse(xml, out, 4, err, sizeof(err)), (int)n);
	assert_memory_equal(in, out, n * sizeof(*in));
	return xml;
}

static void test_metadata_round_trip(void **state)
{
	struct vm_port in[3], out[4];
	char *xml = NULL, err[256];
	xmlDocPtr doc;

	port_init(&in[0], "homeassistant", "52:54:00:3e:a1:20");
	port_init(&in[1], "unifi", "52:54:00:0b:5e:60");
	vm_vlan_add_tagged(&in[1].vlan, 20);
	vm_vlan_add_tagged(&in[1].vlan, 30);
	vm_vlan_add_tagged(&in[1].vlan, 4094);
	in[1].vlan.native = 1;
	port_init(&in[2], "unifi.1", "52:54:00:0b:5e:61");
	vm_vlan_set_access(&in[2].vlan, 20);

	xml = expect_round_trip(in, 3,
	                        "<ports>\n"
	                        "  <port name=\"homeassistant\" mac=\"52:54:00:3e:a1:20\" "
	                        "socket=\"/run/lanswitch/vhost/homeassistant.sock\" vlan=\"1\"/>\n"
	                        "  <port name=\"unifi\" mac=\"52:54:00:0b:5e:60\" "
	                        "socket=\"/run/lanswitch/vhost/unifi.sock\" trunk=\"20,30,4094\" "
	                        "native=\"1\"/>\n"
	                        "  <port name=\"unifi.1\" mac=\"52:54:00:0b:5e:61\" "
	                        "socket=\"/run/lanswitch/vhost/unifi.1.sock\" vlan=\"20\"/>\n"
	                        "</ports>");

	/* as the domain's XML holds it once libvirt stored it: prefixed, in our namespace */
	doc = fixture("pfsense.xml");
	set_metadata_like_libvirt(doc, xml);
	assert_libvirt_valid(doc, "lanswitch metadata");
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(vm_xml_metadata_read(doc, out, 4, err, sizeof(err)), 3);
	assert_memory_equal(in, out, sizeof(in));
	xmlFreeDoc(doc);
	free(xml);

	/* no ports left: an empty element, read back as none */
	assert_int_equal(vm_xml_metadata_format(in, 0, &xml, err, sizeof(err)), 0);
	assert_string_equal(xml, "<ports/>");
	assert_int_equal(vm_xml_metadata_parse(xml, out, 4, err, sizeof(err)), 0);
	free(xml);
}

static void test_metadata_read_fixture(void **state)
{
	struct vm_port p[2], want;
	char err[256];
	xmlDocPtr doc;

	doc = fixture("pihole.xml");
	assert_int_equal(vm_xml_metadata_read(doc, p, 2, err, sizeof(err)), 1);
	port_init(&want, "pihole", "52:54:00:71:9a:40");
	assert_memory_equal(&p[0], &want, sizeof(want));
	xmlFreeDoc(doc);
	/* libosinfo's element is someone else's */
	doc = fixture("pfsense.xml");
	assert_int_equal(vm_xml_metadata_read(doc, p, 2, err, sizeof(err)), 0);
	xmlFreeDoc(doc);
}

/*
 * The ports written into the document itself, as libvirt stores them: read back, beside
 * libosinfo's element, and taken away again leaving the document as it was.
 */
static void test_metadata_set(void **state)
{
	struct vm_port in[2], out[3];
	char err[256], *before, *text;
	xmlDocPtr doc = fixture("pfsense.xml");

	port_init(&in[0], "pfsense", "52:54:00:8a:1c:01");
	port_init(&in[1], "pfsense.1", "52:54:00:8a:1c:02");
	vm_vlan_set_access(&in[1].vlan, 0);
	vm_vlan_add_tagged(&in[1].vlan, 20);
	in[1].vlan.native = 1;
	before = vm_xml_write(doc);
	assert_int_equal(vm_xml_metadata_set(doc, in, 2, err, sizeof(err)), 0);
	text = vm_xml_write(doc);
	assert_non_null(
	        strstr(text, "  <metadata>\n"
	                     "    <libosinfo:libosinfo "
	                     "xmlns:libosinfo=\"http://libosinfo.org/xmlns/libvirt/domain/1.0\">\n"
	                     "      <libosinfo:os id=\"http://freebsd.org/freebsd/14.0\"/>\n"
	                     "    </libosinfo:libosinfo>\n"
	                     "    <lanswitch:ports "
	                     "xmlns:lanswitch=\"https://lanswitch.dev/xmlns/libvirt/1\">\n"
	                     "      <lanswitch:port name=\"pfsense\" mac=\"52:54:00:8a:1c:01\" "
	                     "socket=\"/run/lanswitch/vhost/pfsense.sock\" vlan=\"1\"/>\n"
	                     "      <lanswitch:port name=\"pfsense.1\" mac=\"52:54:00:8a:1c:02\" "
	                     "socket=\"/run/lanswitch/vhost/pfsense.1.sock\" trunk=\"20\" "
	                     "native=\"1\"/>\n"
	                     "    </lanswitch:ports>\n"
	                     "  </metadata>\n"));
	free(text);
	assert_libvirt_valid(doc, "metadata set in the document");
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(vm_xml_metadata_read(doc, out, 3, err, sizeof(err)), 2);
	assert_memory_equal(in, out, sizeof(in));
	/* replaced, not added to */
	assert_int_equal(vm_xml_metadata_set(doc, in, 1, err, sizeof(err)), 0);
	assert_int_equal(vm_xml_metadata_read(doc, out, 3, err, sizeof(err)), 1);
	/* none left: libosinfo's stays, the document is as it was */
	assert_int_equal(vm_xml_metadata_set(doc, in, 0, err, sizeof(err)), 0);
	text = vm_xml_write(doc);
	assert_string_equal(text, before);
	free(text);
	free(before);
	xmlFreeDoc(doc);

	/* a domain without <metadata> gets one after its name, uuid and title, and loses it */
	doc = fixture("homeassistant.xml");
	before = vm_xml_write(doc);
	assert_int_equal(vm_xml_metadata_set(doc, in, 1, err, sizeof(err)), 0);
	text = vm_xml_write(doc);
	assert_non_null(strstr(text,
	                       "  <title>Home Assistant OS</title>\n"
	                       "  <metadata>\n"
	                       "    <lanswitch:ports "
	                       "xmlns:lanswitch=\"https://lanswitch.dev/xmlns/libvirt/1\">\n"
	                       "      <lanswitch:port name=\"pfsense\" mac=\"52:54:00:8a:1c:01\" "
	                       "socket=\"/run/lanswitch/vhost/pfsense.sock\" vlan=\"1\"/>\n"
	                       "    </lanswitch:ports>\n"
	                       "  </metadata>\n"
	                       "  <memory "));
	free(text);
	assert_int_equal(vm_xml_metadata_set(doc, in, 0, err, sizeof(err)), 0);
	text = vm_xml_write(doc);
	assert_string_equal(text, before);
	free(text);
	free(before);

	/* refused as format refuses it, and nothing changes */
	in[0].vlan.access = 0;
	assert_int_equal(vm_xml_metadata_set(doc, in, 1, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "metadata: port 1: has no VLAN");
	assert_int_equal(vm_xml_metadata_read(doc, out, 3, err, sizeof(err)), 0);
	xmlFreeDoc(doc);
}

static void expect_metadata_error(const char *xml, int ret, const char *msg)
{
	struct vm_port p[2];
	char err[256] = "";

	assert_int_equal(vm_xml_metadata_parse(xml, p, 2, err, sizeof(err)), ret);
	assert_string_equal(err, msg);
}

static void test_metadata_errors(void **state)
{
	struct vm_port p[2], bad;
	char err[256], *xml = NULL;

	expect_metadata_error("<ports><port name='a' mac='52:54:00:00:00:01' socket='/s/a.sock' "
	                      "vlan='1' trunk='2'/></ports>",
	                      -EINVAL,
	                      "metadata: port 1: expected vlan='N' or trunk='N,M...' with an "
	                      "optional native='N', VLANs 1-4094");
	expect_metadata_error("<ports><port name='a' mac='52:54:00:00:00:01' socket='/s/a.sock' "
	                      "vlan='4095'/></ports>",
	                      -EINVAL,
	                      "metadata: port 1: expected vlan='N' or trunk='N,M...' with an "
	                      "optional native='N', VLANs 1-4094");
	expect_metadata_error("<ports><port name='a' mac='52:54:00:00:00:01' socket='/s/a.sock' "
	                      "trunk='20,,x'/></ports>",
	                      -EINVAL,
	                      "metadata: port 1: expected vlan='N' or trunk='N,M...' with an "
	                      "optional native='N', VLANs 1-4094");
	expect_metadata_error("<ports><port name='a' socket='/s/a.sock'/></ports>", -EINVAL,
	                      "metadata: port 1: needs name, mac and socket");
	expect_metadata_error("<ports><port name='a b' mac='52:54:00:00:00:01' "
	                      "socket='/s/a.sock'/></ports>",
	                      -EINVAL, "metadata: port 1: name \"a b\" is not a port name");
	expect_metadata_error("<ports><port name='a' mac='01:00:5e:00:00:01' "
	                      "socket='/s/a.sock'/></ports>",
	                      -EINVAL,
	                      "metadata: port 1: mac \"01:00:5e:00:00:01\" is not a unicast MAC "
	                      "address");
	expect_metadata_error("<ports><port name='a' mac='52:54:00:00:00:01' socket='a.sock'/>"
	                      "</ports>",
	                      -EINVAL,
	                      "metadata: port 1: socket path \"a.sock\": must be absolute");
	expect_metadata_error("<x:ports xmlns:x='urn:other'/>", -EINVAL,
	                      "metadata: <ports> is not lanswitch's <ports>");
	expect_metadata_error("<port/>", -EINVAL, "metadata: <port> is not lanswitch's <ports>");
	expect_metadata_error("<ports><port name='a' mac='52:54:00:00:00:01' socket='/s/a.sock'/>"
	                      "<port name='b' mac='52:54:00:00:00:02' socket='/s/b.sock'/>"
	                      "<port name='c' mac='52:54:00:00:00:03' socket='/s/c.sock'/></ports>",
	                      -E2BIG, "metadata: more than 2 ports");
	expect_metadata_error("<ports>", -EINVAL,
	                      "metadata, line 1: Premature end of data in tag ports line 1");

	/* written by a later lanctl: what this one does not know is left alone */
	assert_int_equal(vm_xml_metadata_parse("<ports><port name='a' mac='52:54:00:00:00:01' "
	                                       "socket='/s/a.sock' mtu='9000'/><note/></ports>",
	                                       p, 2, err, sizeof(err)),
	                 1);
	assert_int_equal(p[0].vlan.access, 1); /* none written: lanswitchd's default */

	/* format refuses what lanswitchd would */
	port_init(&bad, "a", "52:54:00:00:00:01");
	vm_vlan_add_tagged(&bad.vlan, 10);
	bad.vlan.access = 3;
	assert_int_equal(vm_xml_metadata_format(&bad, 1, &xml, err, sizeof(err)), -EINVAL);
	assert_null(xml);
	assert_string_equal(err, "metadata: port 1: has both a VLAN and a trunk");
}

/* ---- a port's guard ------------------------------------------------------------------- */

/* The words of one `port set`, joined by spaces. */
static const char *guard_line(const struct vm_guard *g, enum vm_guard_key key)
{
	static char line[1024];
	char *words[VM_GUARD_WORDS_MAX];
	size_t used = 0;
	int n, i;

	n = vm_guard_words(g, key, "ha", words);
	assert_true(n <= VM_GUARD_WORDS_MAX);
	line[0] = '\0';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s", i ? " " : "",
		                         words[i]);
	return line;
}

static void test_guard_words(void **state)
{
	struct vm_guard g;
	char text[512];
	int i;

	/* a guest's port */
	vm_guard_init(&g, "52:54:00:3e:a1:20", false);
	assert_string_equal(guard_line(&g, VM_GUARD_ALLOWED_MAC),
	                    "port set ha allowed-mac 52:54:00:3e:a1:20");
	assert_string_equal(guard_line(&g, VM_GUARD_ARP), "port set ha arp-guard none");
	assert_string_equal(guard_line(&g, VM_GUARD_DHCP_SERVER), "port set ha dhcp-server deny");
	assert_string_equal(guard_line(&g, VM_GUARD_RA), "port set ha ra-guard deny");
	vm_guard_text(&g, VM_GUARD_ALL, text, sizeof(text));
	assert_string_equal(text, "allowed-mac 52:54:00:3e:a1:20, dhcp-server deny, ra-guard deny");
	/* the router's: its own MAC still, and it may serve DHCP and advertise routes */
	vm_guard_init(&g, "52:54:00:8a:1c:01", true);
	assert_string_equal(guard_line(&g, VM_GUARD_DHCP_SERVER), "port set ha dhcp-server allow");
	assert_string_equal(guard_line(&g, VM_GUARD_RA), "port set ha ra-guard allow");
	vm_guard_text(&g, VM_GUARD_ALL, text, sizeof(text));
	assert_string_equal(text,
	                    "allowed-mac 52:54:00:8a:1c:01, dhcp-server allow, ra-guard allow");
	/* arp-guard, and the switch's defaults */
	assert_int_equal(vm_guard_add_net(&g, "192.168.1.20/32"), 0);
	assert_int_equal(vm_guard_add_net(&g, "fd00::20/128"), 0);
	assert_string_equal(guard_line(&g, VM_GUARD_ARP),
	                    "port set ha arp-guard 192.168.1.20/32 fd00::20/128");
	vm_guard_off(&g);
	assert_string_equal(guard_line(&g, VM_GUARD_ALLOWED_MAC), "port set ha allowed-mac none");
	vm_guard_text(&g, VM_GUARD_ALL, text, sizeof(text));
	assert_string_equal(text, "allowed-mac none, dhcp-server allow, ra-guard allow");

	/* what the switch's arp-guard takes, and its limit */
	assert_int_equal(vm_guard_add_net(&g, "192.168.1.20"), -EINVAL);
	assert_int_equal(vm_guard_add_net(&g, "192.168.1.20/33"), -EINVAL);
	assert_int_equal(vm_guard_add_net(&g, "192.168.1.300/32"), -EINVAL);
	assert_int_equal(vm_guard_add_net(&g, "fd00::1/129"), -EINVAL);
	assert_int_equal(vm_guard_add_net(&g, "10.0.0.0/"), -EINVAL);
	assert_int_equal(vm_guard_add_net(&g, "10.0.0.0/8x"), -EINVAL);
	assert_int_equal(g.nnets, 0);
	for (i = 0; i < VM_GUARD_NETS_MAX; i++) {
		snprintf(text, sizeof(text), "10.%d.0.0/16", i);
		assert_int_equal(vm_guard_add_net(&g, text), 0);
	}
	/* a set: the same network again is no new entry, at the limit or not */
	assert_int_equal(vm_guard_add_net(&g, "10.1.0.0/16"), 0);
	assert_int_equal(g.nnets, VM_GUARD_NETS_MAX);
	assert_int_equal(vm_guard_add_net(&g, "10.99.0.0/16"), -E2BIG);
	assert_int_equal(vm_guard_add_mac(&g, "01:00:5e:00:00:01"), -EINVAL);
	assert_int_equal(vm_guard_add_mac(&g, "52:54:00:3E:A1:2"), 0);
	assert_string_equal(g.macs[0], "52:54:00:3e:a1:02");
}

/* As the follow agent compares the metadata's guard with the switch's. */
static void test_guard_equal(void **state)
{
	struct vm_guard a, b;

	vm_guard_init(&a, "52:54:00:3e:a1:20", false);
	vm_guard_init(&b, "52:54:00:3E:A1:20", false);
	assert_true(vm_guard_equal(&a, &b));
	b.dhcp_server = true;
	assert_false(vm_guard_key_equal(&a, &b, VM_GUARD_DHCP_SERVER));
	assert_true(vm_guard_key_equal(&a, &b, VM_GUARD_RA));
	assert_false(vm_guard_equal(&a, &b));
	b.dhcp_server = false;
	/* lists are sets, in any order; a prefix is the network it names */
	vm_guard_add_mac(&a, "52:54:00:3e:a1:21");
	assert_false(vm_guard_key_equal(&a, &b, VM_GUARD_ALLOWED_MAC));
	assert_false(vm_guard_key_equal(&b, &a, VM_GUARD_ALLOWED_MAC));
	memcpy(b.macs[1], b.macs[0], VM_MAC_LEN);
	snprintf(b.macs[0], VM_MAC_LEN, "52:54:00:3e:a1:21");
	b.nmacs = 2;
	assert_true(vm_guard_key_equal(&a, &b, VM_GUARD_ALLOWED_MAC));
	vm_guard_add_net(&a, "192.168.1.0/24");
	vm_guard_add_net(&a, "fd00::/64");
	assert_int_equal(vm_guard_add_net(&b, "fd00:0:0::/64"), 0);
	assert_false(vm_guard_key_equal(&a, &b, VM_GUARD_ARP));
	assert_int_equal(vm_guard_add_net(&b, "192.168.1.0/24"), 0);
	assert_true(vm_guard_key_equal(&a, &b, VM_GUARD_ARP));
	assert_true(vm_guard_equal(&a, &b));
	vm_guard_add_net(&b, "192.168.1.5/32");
	assert_false(vm_guard_equal(&a, &b));
	/* host bits set: the switch refuses them, and so does lanctl */
	assert_int_equal(vm_guard_add_net(&b, "192.168.1.5/24"), -EINVAL);
	assert_int_equal(vm_guard_add_net(&b, "fd00::1/64"), -EINVAL);
	assert_int_equal(vm_guard_add_net(&b, "192.168.1.128/25"), 0);
	assert_int_equal(vm_guard_add_net(&b, "0.0.0.0/0"), 0);
}

/* The guard in the metadata: written in `port set`'s words, read back as it was. */
static void test_guard_metadata(void **state)
{
	struct vm_port in[3], out[3];
	char *xml = NULL, err[256];

	port_init(&in[0], "homeassistant", "52:54:00:3e:a1:20");
	vm_guard_init(&in[0].guard, in[0].mac, false);
	vm_guard_add_net(&in[0].guard, "192.168.1.20/32");
	vm_guard_add_net(&in[0].guard, "192.168.1.21/32");
	port_init(&in[1], "pfsense", "52:54:00:8a:1c:01");
	vm_guard_init(&in[1].guard, in[1].mac, true);
	port_init(&in[2], "old", "52:54:00:00:00:01"); /* before lanctl set guards */
	xml = expect_round_trip(in, 3,
	                        "<ports>\n"
	                        "  <port name=\"homeassistant\" mac=\"52:54:00:3e:a1:20\" "
	                        "socket=\"/run/lanswitch/vhost/homeassistant.sock\" vlan=\"1\" "
	                        "allowed-mac=\"52:54:00:3e:a1:20\" "
	                        "arp-guard=\"192.168.1.20/32 192.168.1.21/32\" "
	                        "dhcp-server=\"deny\" ra-guard=\"deny\"/>\n"
	                        "  <port name=\"pfsense\" mac=\"52:54:00:8a:1c:01\" "
	                        "socket=\"/run/lanswitch/vhost/pfsense.sock\" vlan=\"1\" "
	                        "allowed-mac=\"52:54:00:8a:1c:01\" dhcp-server=\"allow\" "
	                        "ra-guard=\"allow\"/>\n"
	                        "  <port name=\"old\" mac=\"52:54:00:00:00:01\" "
	                        "socket=\"/run/lanswitch/vhost/old.sock\" vlan=\"1\"/>\n"
	                        "</ports>");
	assert_int_equal(vm_xml_metadata_parse(xml, out, 3, err, sizeof(err)), 3);
	assert_false(out[2].guard.recorded);
	free(xml);

	/* one attribute is enough to record it; those left out are the switch's defaults */
	assert_int_equal(vm_xml_metadata_parse("<ports><port name='a' mac='52:54:00:00:00:01' "
	                                       "socket='/s/a.sock' ra-guard='deny'/></ports>",
	                                       out, 3, err, sizeof(err)),
	                 1);
	assert_true(out[0].guard.recorded);
	assert_int_equal(out[0].guard.nmacs, 0);
	assert_true(out[0].guard.dhcp_server);
	assert_false(out[0].guard.ra);
	assert_int_equal(vm_xml_metadata_parse("<ports><port name='a' mac='52:54:00:00:00:01' "
	                                       "socket='/s/a.sock' allowed-mac='none' "
	                                       "arp-guard=' 10.0.0.0/8  fd00::/8 '/></ports>",
	                                       out, 3, err, sizeof(err)),
	                 1);
	assert_int_equal(out[0].guard.nmacs, 0);
	assert_int_equal(out[0].guard.nnets, 2);
	assert_string_equal(out[0].guard.nets[1], "fd00::/8");

	expect_metadata_error("<ports><port name='a' mac='52:54:00:00:00:01' socket='/s/a.sock' "
	                      "dhcp-server='no'/></ports>",
	                      -EINVAL,
	                      "metadata: port 1: dhcp-server=\"no\": expected allow or deny");
	expect_metadata_error("<ports><port name='a' mac='52:54:00:00:00:01' socket='/s/a.sock' "
	                      "allowed-mac='52:54:00:00:00:01 ff:ff:ff:ff:ff:ff'/></ports>",
	                      -EINVAL,
	                      "metadata: port 1: allowed-mac \"ff:ff:ff:ff:ff:ff\" is not a "
	                      "unicast MAC address");
	expect_metadata_error("<ports><port name='a' mac='52:54:00:00:00:01' socket='/s/a.sock' "
	                      "arp-guard='192.168.1.20'/></ports>",
	                      -EINVAL,
	                      "metadata: port 1: arp-guard \"192.168.1.20\" is not an IP/PREFIX");
	expect_metadata_error("<ports><port name='a' mac='52:54:00:00:00:01' socket='/s/a.sock' "
	                      "arp-guard='1.0.0.0/8 2.0.0.0/8 3.0.0.0/8 4.0.0.0/8 5.0.0.0/8 "
	                      "6.0.0.0/8 7.0.0.0/8 8.0.0.0/8 9.0.0.0/8 10.0.0.0/8 11.0.0.0/8 "
	                      "12.0.0.0/8 13.0.0.0/8 14.0.0.0/8 15.0.0.0/8 16.0.0.0/8 "
	                      "17.0.0.0/8'/></ports>",
	                      -EINVAL, "metadata: port 1: arp-guard: more than 16 entries");

	/* format refuses a list the switch would */
	port_init(&in[0], "a", "52:54:00:00:00:01");
	vm_guard_init(&in[0].guard, "52:54:00:00:00:01", false);
	snprintf(in[0].guard.nets[0], VM_NET_LEN, "10.0.0.1");
	in[0].guard.nnets = 1;
	assert_int_equal(vm_xml_metadata_format(in, 1, &xml, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "metadata: port 1: arp-guard \"10.0.0.1\" is not an IP/PREFIX");
}

/* ---- convert ------------------------------------------------------------------------- */

/*
 * The networks libvirt would know here: 'default' is NAT on virbr0, 'lan' a bridge-mode
 * network onto br0 (the LAN lanswitch replaces), 'iot' a NAT network on virbr1, 'broken' one
 * libvirt cannot say anything about; any other is undefined (no bridge).
 */
static int test_network_bridge(void *ctx, const char *network, char *bridge, size_t len, char *err,
                               size_t errlen)
{
	static const char *const table[][2] = {
		{ "default", "virbr0" },
		{ "lan", "br0" },
		{ "iot", "virbr1" },
	};
	size_t i;

	(*(unsigned int *)ctx)++;
	if (strcmp(network, "broken") == 0) {
		snprintf(err, errlen, "internal error: network driver is not running");
		return -EIO;
	}
	bridge[0] = '\0';
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(network, table[i][0]) == 0)
			snprintf(bridge, len, "%s", table[i][1]);
	return 0;
}

static unsigned int network_lookups;
static const struct vm_net_resolver test_nets = { test_network_bridge, &network_lookups };

static int convert_in(xmlDocPtr doc, const char *domain, const char *bridge, const char *dir,
                      bool model_virtio, struct vm_convert_report *r)
{
	const struct vm_convert_opts opts = {
		.bridge = bridge,
		.socket_dir = dir,
		.model_virtio = model_virtio,
		.nets = &test_nets,
	};

	return vm_xml_convert(doc, domain, &opts, r);
}

/* Converts a fixture; the converted document must pass libvirt's schema. */
static int convert(xmlDocPtr doc, const char *domain, const char *bridge, bool model_virtio,
                   struct vm_convert_report *r)
{
	int n = convert_in(doc, domain, bridge, VM_SOCKET_DIR_DEFAULT, model_virtio, r);

	if (n > 0)
		assert_libvirt_valid(doc, domain);
	return n;
}

/* A refusal names each interface and why, and leaves the document as it was. */
static void expect_refused(xmlDocPtr doc, const char *domain, bool model_virtio,
                           const char *refused)
{
	struct vm_convert_report r;
	char *before = vm_xml_write(doc), *after;

	assert_int_equal(convert_in(doc, domain, "br0", VM_SOCKET_DIR_DEFAULT, model_virtio, &r),
	                 -EINVAL);
	assert_string_equal(r.refused, refused);
	assert_int_equal(r.n, 0);
	assert_false(r.memory.changed);
	after = vm_xml_write(doc);
	assert_string_equal(before, after);
	vm_convert_report_clear(&r);
	free(before);
	free(after);
}

static void test_convert_homeassistant(void **state)
{
	xmlDocPtr doc = fixture("homeassistant.xml");
	struct vm_convert_report r;
	struct vm_port want;
	char *meta = NULL, err[256];

	assert_int_equal(convert(doc, "homeassistant", "br0", false, &r), 1);
	assert_null(r.refused);
	assert_int_equal(r.ifaces[0].position, 1);
	port_init(&want, "homeassistant", "52:54:00:3e:a1:20");
	vm_guard_init(&want.guard, "52:54:00:3e:a1:20", false);
	assert_int_equal(vm_guard_add_net(&want.guard, "192.168.1.20/32"), 0);
	assert_memory_equal(&r.ifaces[0].port, &want, sizeof(want));
	assert_string_equal(r.ifaces[0].old_xml,
	                    "<interface type=\"bridge\">\n"
	                    "  <mac address=\"52:54:00:3e:a1:20\"/>\n"
	                    "  <source bridge=\"br0\"/>\n"
	                    "  <target dev=\"vnet3\"/>\n"
	                    "  <model type=\"virtio\"/>\n"
	                    "  <driver name=\"vhost\"/>\n"
	                    "  <filterref filter=\"clean-traffic\">\n"
	                    "    <parameter name=\"IP\" value=\"192.168.1.20\"/>\n"
	                    "  </filterref>\n"
	                    "  <boot order=\"2\"/>\n"
	                    "  <address type=\"pci\" domain=\"0x0000\" bus=\"0x01\" slot=\"0x00\" "
	                    "function=\"0x0\"/>\n"
	                    "</interface>");
	assert_string_equal(
	        r.ifaces[0].new_xml,
	        "<interface type=\"vhostuser\">\n"
	        "  <mac address=\"52:54:00:3e:a1:20\"/>\n"
	        "  <source type=\"unix\" path=\"/run/lanswitch/vhost/homeassistant.sock\" "
	        "mode=\"server\"/>\n"
	        "  <model type=\"virtio\"/>\n"
	        "  <boot order=\"2\"/>\n"
	        "  <address type=\"pci\" domain=\"0x0000\" bus=\"0x01\" slot=\"0x00\" "
	        "function=\"0x0\"/>\n"
	        "</interface>");
	/* its nwfilter became the port's guard: no protection lost, no warning */
	assert_int_equal(r.ifaces[0].nwarnings, 0);
	assert_string_equal(r.ifaces[0].filter_note,
	                    "nwfilter 'clean-traffic' (IP=192.168.1.20) became allowed-mac "
	                    "52:54:00:3e:a1:20, arp-guard 192.168.1.20/32");
	/* the hugepages stay and are shared */
	assert_true(r.memory.changed);
	assert_string_equal(r.memory.what, "added <access mode='shared'/>");
	/* and what lanctl records in the domain */
	assert_int_equal(vm_xml_metadata_format(&r.ifaces[0].port, 1, &meta, err, sizeof(err)), 0);
	assert_string_equal(meta, "<ports>\n"
	                          "  <port name=\"homeassistant\" mac=\"52:54:00:3e:a1:20\" "
	                          "socket=\"/run/lanswitch/vhost/homeassistant.sock\" vlan=\"1\" "
	                          "allowed-mac=\"52:54:00:3e:a1:20\" arp-guard=\"192.168.1.20/32\" "
	                          "dhcp-server=\"deny\" ra-guard=\"deny\"/>\n"
	                          "</ports>");
	free(meta);
	vm_convert_report_clear(&r);
	/* converted once, nothing is left on br0 */
	assert_int_equal(convert(doc, "homeassistant", "br0", false, &r), 0);
	assert_string_equal(r.note, "domain \"homeassistant\" has no interface on bridge br0: "
	                            "nothing to do");
	vm_convert_report_clear(&r);
	xmlFreeDoc(doc);
}

/* e1000 is a real change for the guest: refused unless asked for, with the reason. */
static void test_convert_pfsense(void **state)
{
	xmlDocPtr doc = fixture("pfsense.xml");
	struct vm_convert_report r;
	char *text;

	expect_refused(doc, "pfsense", false,
	               "domain \"pfsense\": interface 52:54:00:8a:1c:01 (#1 on br0): model 'e1000' "
	               "is not virtio, which vhost-user requires, and a virtio NIC is a new device "
	               "to the guest (pfSense renames em0 to vtnet0, Windows needs the NetKVM "
	               "driver): --model-virtio converts it anyway\n"
	               "domain \"pfsense\": interface 52:54:00:8a:1c:02 (#2 on br0): model 'e1000' "
	               "is not virtio, which vhost-user requires, and a virtio NIC is a new device "
	               "to the guest (pfSense renames em0 to vtnet0, Windows needs the NetKVM "
	               "driver): --model-virtio converts it anyway\n");

	assert_int_equal(convert(doc, "pfsense", "br0", true, &r), 2);
	assert_string_equal(r.ifaces[0].port.name, "pfsense");
	assert_string_equal(r.ifaces[0].port.socket, "/run/lanswitch/vhost/pfsense.sock");
	assert_string_equal(r.ifaces[1].port.name, "pfsense.1");
	assert_string_equal(r.ifaces[1].port.socket, "/run/lanswitch/vhost/pfsense.1.sock");
	assert_string_equal(r.ifaces[1].port.mac, "52:54:00:8a:1c:02");
	assert_int_equal(r.ifaces[1].position, 2);
	assert_string_equal(r.ifaces[1].new_xml,
	                    "<interface type=\"vhostuser\">\n"
	                    "  <mac address=\"52:54:00:8a:1c:02\"/>\n"
	                    "  <source type=\"unix\" path=\"/run/lanswitch/vhost/pfsense.1.sock\" "
	                    "mode=\"server\"/>\n"
	                    "  <model type=\"virtio\"/>\n"
	                    "  <address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x04\" "
	                    "function=\"0x0\"/>\n"
	                    "</interface>");
	assert_int_equal(r.ifaces[0].nwarnings, 1);
	assert_string_equal(
	        r.ifaces[0].warnings[0],
	        "model 'e1000' became virtio: the guest sees a new NIC (pfSense renames "
	        "em0 to vtnet0, Windows needs the NetKVM driver)");
	assert_string_equal(r.memory.what, "added <memoryBacking>; added <source type='memfd'/>; "
	                                   "added <access mode='shared'/>");
	/* the passed-through WAN NIC is not an interface: untouched */
	text = vm_xml_write(doc);
	assert_non_null(strstr(text, "<hostdev mode=\"subsystem\" type=\"pci\" managed=\"yes\">\n"
	                             "      <source>\n"
	                             "        <address domain=\"0x0000\" bus=\"0x03\" "
	                             "slot=\"0x00\" function=\"0x0\"/>"));
	/* in place, in the same order, indented as before */
	assert_non_null(strstr(text,
	                       "    <interface type=\"vhostuser\">\n"
	                       "      <mac address=\"52:54:00:8a:1c:01\"/>\n"
	                       "      <source type=\"unix\" "
	                       "path=\"/run/lanswitch/vhost/pfsense.sock\" mode=\"server\"/>\n"
	                       "      <model type=\"virtio\"/>\n"
	                       "      <address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" "
	                       "slot=\"0x03\" function=\"0x0\"/>\n"
	                       "    </interface>\n"
	                       "    <interface type=\"vhostuser\">\n"
	                       "      <mac address=\"52:54:00:8a:1c:02\"/>\n"));
	free(text);
	vm_convert_report_clear(&r);
	xmlFreeDoc(doc);
}

/*
 * type='network': a network that is a bridge onto br0 refuses the whole domain, naming the
 * network and its bridge; one on another bridge (NAT on virbr0) is left as it is.
 */
static void test_convert_windows_network(void **state)
{
	xmlDocPtr doc = fixture("windows.xml");
	struct vm_convert_report r;
	unsigned int lookups = network_lookups;
	char *text;

	assert_int_equal(convert(doc, "win11", "br0", false, &r), 1);
	assert_int_equal(network_lookups, lookups + 1);
	assert_int_equal(r.ifaces[0].position, 1);
	assert_string_equal(r.ifaces[0].port.name, "win11");
	text = vm_xml_write(doc);
	assert_non_null(strstr(text, "    <interface type=\"network\">\n"
	                             "      <mac address=\"52:54:00:c4:7f:12\"/>\n"
	                             "      <source network=\"default\"/>\n"));
	free(text);
	vm_convert_report_clear(&r);
	xmlFreeDoc(doc);

	/* the same interfaces with the second on a network that is br0 */
	doc = domain_doc("win11", "", "",
	                 "    <interface type='bridge'>\n"
	                 "      <mac address='52:54:00:c4:7f:11'/>\n"
	                 "      <source bridge='br0'/>\n"
	                 "      <model type='virtio'/>\n"
	                 "    </interface>\n"
	                 "    <interface type='network'>\n"
	                 "      <mac address='52:54:00:c4:7f:12'/>\n"
	                 "      <source network='lan'/>\n"
	                 "      <model type='virtio'/>\n"
	                 "    </interface>\n");
	expect_refused(doc, "win11", false,
	               "domain \"win11\": interface 52:54:00:c4:7f:12 (#2): type='network' on "
	               "network 'lan', whose bridge is br0: make it type='bridge' (<source "
	               "bridge='br0'/>) first\n");
	xmlFreeDoc(doc);

	/* libvirt cannot say: refused with its reason, rather than guessed */
	doc = domain_doc("win11", "", "",
	                 "    <interface type='network'>\n"
	                 "      <mac address='52:54:00:c4:7f:12'/>\n"
	                 "      <source network='broken'/>\n"
	                 "    </interface>\n");
	expect_refused(doc, "win11", false,
	               "domain \"win11\": interface 52:54:00:c4:7f:12 (#1): type='network' "
	               "(network 'broken'): internal error: network driver is not running\n");
	xmlFreeDoc(doc);
}

/* An interface on another bridge is left as it is. */
static void test_convert_other_bridge(void **state)
{
	xmlDocPtr doc = fixture("truenas.xml");
	struct vm_convert_report r;
	char *before = vm_xml_write(doc), *after;

	assert_int_equal(convert(doc, "truenas", "br0", false, &r), 0);
	assert_string_equal(r.note,
	                    "domain \"truenas\" has no interface on bridge br0: nothing to do");
	assert_int_equal(r.n, 0);
	assert_null(r.refused);
	assert_false(r.memory.changed);
	after = vm_xml_write(doc);
	assert_string_equal(before, after);
	free(after);
	vm_convert_report_clear(&r);

	assert_int_equal(convert(doc, "truenas", "br1", false, &r), 1);
	assert_string_equal(r.ifaces[0].port.name, "truenas");
	assert_false(r.memory.changed); /* memfd, every NUMA cell shared */
	vm_convert_report_clear(&r);
	free(before);
	xmlFreeDoc(doc);
}

/* The domain's port on the switch keeps its name: the converted one takes the next. */
static void test_convert_beside_attached(void **state)
{
	xmlDocPtr doc = fixture("pihole.xml");
	struct vm_convert_report r;
	struct vm_iface f[2];

	assert_int_equal(convert(doc, "pihole", "br0", false, &r), 1);
	assert_string_equal(r.ifaces[0].port.name, "pihole.1");
	assert_string_equal(r.ifaces[0].port.socket, "/run/lanswitch/vhost/pihole.1.sock");
	assert_int_equal(r.ifaces[0].position, 2);
	assert_false(r.memory.changed);
	assert_int_equal(vm_xml_lanswitch_ifaces(doc, VM_SOCKET_DIR_DEFAULT, f, 2), 2);
	vm_convert_report_clear(&r);
	xmlFreeDoc(doc);
}

/* What vhost-user refuses or ignores goes; what it takes stays; losses are named. */
static void test_convert_frigate(void **state)
{
	xmlDocPtr doc = fixture("frigate.xml");
	struct vm_convert_report r;

	assert_int_equal(convert(doc, "Frigate NVR", "br0", false, &r), 1);
	assert_string_equal(r.ifaces[0].port.name, "FrigateNVR-6776");
	assert_string_equal(r.ifaces[0].new_xml,
	                    "<interface type=\"vhostuser\">\n"
	                    "  <mac address=\"52:54:00:f1:6a:50\"/>\n"
	                    "  <source type=\"unix\" "
	                    "path=\"/run/lanswitch/vhost/FrigateNVR-6776.sock\" mode=\"server\"/>\n"
	                    "  <model type=\"virtio-non-transitional\"/>\n"
	                    "  <driver queues=\"1\" rx_queue_size=\"1024\"/>\n"
	                    "  <link state=\"up\"/>\n"
	                    "  <mtu size=\"1500\"/>\n"
	                    "  <rom bar=\"off\"/>\n"
	                    "  <alias name=\"ua-cameras\"/>\n"
	                    "  <address type=\"pci\" domain=\"0x0000\" bus=\"0x01\" slot=\"0x00\" "
	                    "function=\"0x0\"/>\n"
	                    "</interface>");
	assert_int_equal(r.ifaces[0].nwarnings, 2);
	assert_string_equal(r.ifaces[0].warnings[0],
	                    "<bandwidth> removed: libvirt shapes only tap devices, so the guest's "
	                    "rate limit no longer applies");
	assert_string_equal(r.ifaces[0].warnings[1],
	                    "<port isolated='yes'/> removed: it isolated the guest on the Linux "
	                    "bridge; on lanswitch it reaches every port of its VLAN");
	assert_string_equal(r.memory.old_xml, "<memoryBacking>\n"
	                                      "  <source type=\"anonymous\"/>\n"
	                                      "  <access mode=\"private\"/>\n"
	                                      "</memoryBacking>");
	assert_string_equal(r.memory.what, "<source type='anonymous'/> became memfd; <access "
	                                   "mode='private'/> became shared");
	vm_convert_report_clear(&r);
	xmlFreeDoc(doc);
}

/* Open vSwitch VLAN tags become the port's VLANs. */
static void test_convert_unifi_vlans(void **state)
{
	xmlDocPtr doc = fixture("unifi.xml");
	struct vm_convert_report r;
	struct vm_vlan trunk, access;

	assert_int_equal(convert(doc, "unifi", "br0", false, &r), 2);
	vm_vlan_set_access(&trunk, 0);
	vm_vlan_add_tagged(&trunk, 20);
	vm_vlan_add_tagged(&trunk, 30);
	trunk.native = 1;
	assert_memory_equal(&r.ifaces[0].port.vlan, &trunk, sizeof(trunk));
	vm_vlan_set_access(&access, 20);
	assert_memory_equal(&r.ifaces[1].port.vlan, &access, sizeof(access));
	assert_string_equal(r.ifaces[1].port.name, "unifi.1");
	assert_string_equal(r.ifaces[0].new_xml,
	                    "<interface type=\"vhostuser\">\n"
	                    "  <mac address=\"52:54:00:0b:5e:60\"/>\n"
	                    "  <source type=\"unix\" path=\"/run/lanswitch/vhost/unifi.sock\" "
	                    "mode=\"server\"/>\n"
	                    "  <model type=\"virtio\"/>\n"
	                    "  <address type=\"pci\" domain=\"0x0000\" bus=\"0x01\" slot=\"0x00\" "
	                    "function=\"0x0\"/>\n"
	                    "</interface>");
	assert_int_equal(r.ifaces[0].nwarnings, 0);
	assert_false(r.memory.changed);
	vm_convert_report_clear(&r);
	xmlFreeDoc(doc);
}

static const char iface_fmt[] = "    <interface type='bridge'>\n"
                                "%s"
                                "      <source bridge='br0'/>\n"
                                "%s"
                                "    </interface>\n";

static xmlDocPtr iface_doc(const char *name, const char *mac, const char *rest)
{
	char devices[4096];

	snprintf(devices, sizeof(devices), iface_fmt, mac, rest);
	return domain_doc(name, "", "", devices);
}

static void test_convert_refusals(void **state)
{
	char devices[4096], dir[128];
	struct vm_convert_report r;
	xmlDocPtr doc;
	int n;

	/* hand-written XML without <mac> (libvirt's stored definitions always have one) */
	doc = iface_doc("lab", "", "      <model type='virtio'/>\n");
	expect_refused(doc, "lab", false, "domain \"lab\": interface #1 on br0: has no <mac>\n");
	xmlFreeDoc(doc);
	/* no <model>: libvirt's default is an emulated NIC */
	doc = iface_doc("lab", "      <mac address='52:54:00:00:00:01'/>\n", "");
	expect_refused(
	        doc, "lab", false,
	        "domain \"lab\": interface 52:54:00:00:00:01 (#1 on br0): model '(none: "
	        "libvirt's default, emulated)' is not virtio, which vhost-user requires, and "
	        "a virtio NIC is a new device to the guest (pfSense renames em0 to vtnet0, "
	        "Windows needs the NetKVM driver): --model-virtio converts it anyway\n");
	assert_int_equal(convert(doc, "lab", "br0", true, &r), 1);
	assert_string_equal(r.ifaces[0].warnings[0],
	                    "model '(none: libvirt's default, emulated)' became virtio: the guest "
	                    "sees a new NIC (pfSense renames em0 to vtnet0, Windows needs the "
	                    "NetKVM driver)");
	vm_convert_report_clear(&r);
	xmlFreeDoc(doc);
	/* multiqueue */
	doc = iface_doc("lab", "      <mac address='52:54:00:00:00:01'/>\n",
	                "      <model type='virtio'/>\n      <driver name='vhost' queues='4'/>\n");
	expect_refused(
	        doc, "lab", false,
	        "domain \"lab\": interface 52:54:00:00:00:01 (#1 on br0): <driver "
	        "queues='4'>: lanswitch takes single-queue vhost-user ports only, for now\n");
	xmlFreeDoc(doc);
	/* a native VLAN sent tagged has no lanswitch equivalent */
	doc = iface_doc("lab", "      <mac address='52:54:00:00:00:01'/>\n",
	                "      <vlan trunk='yes'>\n        <tag id='10' nativeMode='tagged'/>\n"
	                "        <tag id='20'/>\n      </vlan>\n"
	                "      <virtualport type='openvswitch'/>\n      <model type='virtio'/>\n");
	expect_refused(doc, "lab", false,
	               "domain \"lab\": interface 52:54:00:00:00:01 (#1 on br0): <vlan> tag 10 is "
	               "native-tagged: lanswitch sends a trunk's native VLAN untagged\n");
	xmlFreeDoc(doc);

	/* a socket directory too long for the port's path */
	n = (int)(VM_SOCKET_PATH_MAX - strlen("/lab.sock"));
	memset(dir, 'd', (size_t)n);
	dir[0] = '/';
	dir[n] = '\0';
	doc = iface_doc("lab", "      <mac address='52:54:00:00:00:01'/>\n",
	                "      <model type='virtio'/>\n");
	assert_int_equal(convert_in(doc, "lab", "br0", dir, false, &r), -EINVAL);
	assert_non_null(strstr(r.refused,
	                       "domain \"lab\": interface 52:54:00:00:00:01 (#1 on br0): "
	                       "socket path \"/ddd"));
	assert_non_null(strstr(r.refused, ".sock\": 108 bytes, a unix socket path must be under "
	                                  "108 (choose a shorter --socket-dir)\n"));
	vm_convert_report_clear(&r);
	dir[n - 1] = '\0';
	assert_int_equal(convert_in(doc, "lab", "br0", dir, false, &r), 1);
	vm_convert_report_clear(&r);
	xmlFreeDoc(doc);

	/* every refusal at once, and the good interface beside them is not changed either */
	snprintf(devices, sizeof(devices),
	         "    <interface type='bridge'>\n      <mac address='52:54:00:00:00:01'/>\n"
	         "      <source bridge='br0'/>\n      <model type='virtio'/>\n    </interface>\n"
	         "    <interface type='bridge'>\n      <mac address='52:54:00:00:00:02'/>\n"
	         "      <source bridge='br0'/>\n      <model type='rtl8139'/>\n    </interface>\n"
	         "    <interface type='network'>\n      <source network='lan'/>\n"
	         "      <model type='virtio'/>\n    </interface>\n"
	         "    <interface type='network'>\n      <source network='iot'/>\n"
	         "      <model type='virtio'/>\n    </interface>\n");
	doc = domain_doc("lab", "", "", devices);
	expect_refused(
	        doc, "lab", false,
	        "domain \"lab\": interface 52:54:00:00:00:02 (#2 on br0): model 'rtl8139' is "
	        "not virtio, which vhost-user requires, and a virtio NIC is a new device to "
	        "the guest (pfSense renames em0 to vtnet0, Windows needs the NetKVM "
	        "driver): --model-virtio converts it anyway\n"
	        "domain \"lab\": interface #3: type='network' on network 'lan', whose bridge "
	        "is br0: make it type='bridge' (<source bridge='br0'/>) first\n");
	xmlFreeDoc(doc);
}

/* An interface on br0 with a filterref (its body: parameters), converted; router or not. */
static void convert_filter(const char *filter, const char *params, bool router,
                           struct vm_convert_report *r)
{
	const struct vm_convert_opts opts = {
		.bridge = "br0",
		.socket_dir = VM_SOCKET_DIR_DEFAULT,
		.router = router,
		.nets = &test_nets,
	};
	char rest[1024];
	xmlDocPtr doc;

	snprintf(rest, sizeof(rest),
	         "      <model type='virtio'/>\n"
	         "      <filterref filter='%s'>\n%s      </filterref>\n",
	         filter, params);
	doc = iface_doc("lab", "      <mac address='52:54:00:00:00:01'/>\n", rest);
	assert_int_equal(vm_xml_convert(doc, "lab", &opts, r), 1);
	assert_libvirt_valid(doc, filter);
	assert_null(strstr(r->ifaces[0].new_xml, "filterref"));
	xmlFreeDoc(doc);
}

/* The port's `port set` lines, one per setting, as lanctl sends them. */
static const char *guard_lines(const struct vm_guard *g)
{
	static char lines[2048];
	size_t used = 0;
	unsigned int k;

	for (k = 0; k < VM_GUARD_KEYS; k++)
		used += (size_t)snprintf(lines + used, sizeof(lines) - used, "%s\n",
		                         guard_line(g, (enum vm_guard_key)k));
	return lines;
}

/*
 * The converted interface's guard (its port set lines), what its filter became (NULL: none)
 * and the one warning it got (NULL: none); the report is cleared.
 */
static void expect_filter(struct vm_convert_report *r, const char *lines, const char *note,
                          const char *warning)
{
	struct vm_converted *f = &r->ifaces[0];

	assert_string_equal(guard_lines(&f->port.guard), lines);
	if (note != NULL)
		assert_string_equal(f->filter_note, note);
	else
		assert_null(f->filter_note);
	assert_int_equal(f->nwarnings, warning != NULL ? 1 : 0);
	if (warning != NULL)
		assert_string_equal(f->warnings[0], warning);
	vm_convert_report_clear(r);
}

/*
 * A domain's nwfilter becomes its port's guard: the exact settings for clean-traffic with 0,
 * 1 and 2 IP parameters, no-mac-spoofing, clean-traffic-gateway, an unknown filter.
 */
static void test_convert_nwfilter(void **state)
{
	/* a guest's port, without arp-guard */
	static const char guest[] = "port set ha allowed-mac 52:54:00:00:00:01\n"
	                            "port set ha arp-guard none\n"
	                            "port set ha dhcp-server deny\n"
	                            "port set ha ra-guard deny\n";
	/* and with its address's */
	static const char guest_arp[] = "port set ha allowed-mac 52:54:00:00:00:01\n"
	                                "port set ha arp-guard 192.168.1.20/32\n"
	                                "port set ha dhcp-server deny\n"
	                                "port set ha ra-guard deny\n";
	struct vm_convert_report r;

	/* a filter the guard does not stand in for: the warning it always had */
	convert_filter("no-other-l2-traffic", "", false, &r);
	expect_filter(&r, guest, NULL,
	              "nwfilter 'no-other-l2-traffic' removed: libvirt filters on the host's tap "
	              "device, which a vhost-user interface does not have; its protection is gone");

	convert_filter("clean-traffic", "        <parameter name='IP' value='192.168.1.20'/>\n",
	               false, &r);
	expect_filter(&r, guest_arp,
	              "nwfilter 'clean-traffic' (IP=192.168.1.20) became allowed-mac "
	              "52:54:00:00:00:01, arp-guard 192.168.1.20/32",
	              NULL);

	/* two addresses, on the router's port (--dhcp-server): dhcp-server and ra-guard allow */
	convert_filter("clean-traffic",
	               "        <parameter name='IP' value='192.168.1.1'/>\n"
	               "        <parameter name='CTRL_IP_LEARNING' value='none'/>\n"
	               "        <parameter name='IP' value='192.168.2.1'/>\n",
	               true, &r);
	expect_filter(&r,
	              "port set ha allowed-mac 52:54:00:00:00:01\n"
	              "port set ha arp-guard 192.168.1.1/32 192.168.2.1/32\n"
	              "port set ha dhcp-server allow\n"
	              "port set ha ra-guard allow\n",
	              "nwfilter 'clean-traffic' (IP=192.168.1.1, CTRL_IP_LEARNING=none, "
	              "IP=192.168.2.1) became allowed-mac 52:54:00:00:00:01, arp-guard "
	              "192.168.1.1/32 192.168.2.1/32",
	              NULL);

	/* an address given twice is one entry: the switch refuses duplicates */
	convert_filter("clean-traffic",
	               "        <parameter name='IP' value='192.168.1.20'/>\n"
	               "        <parameter name='IP' value='192.168.1.20'/>\n",
	               false, &r);
	assert_string_equal(guard_line(&r.ifaces[0].port.guard, VM_GUARD_ARP),
	                    "port set ha arp-guard 192.168.1.20/32");
	vm_convert_report_clear(&r);

	/* no IP: libvirt learned the address, the switch cannot; ARP is left unguarded */
	convert_filter("clean-traffic", "", false, &r);
	expect_filter(&r, guest, NULL,
	              "nwfilter 'clean-traffic' became allowed-mac 52:54:00:00:00:01; without an "
	              "IP parameter libvirt learned the guest's address, which the switch does "
	              "not: no arp-guard");

	/* no-mac-spoofing has no use for IP */
	convert_filter("no-mac-spoofing", "        <parameter name='IP' value='192.168.1.20'/>\n",
	               false, &r);
	expect_filter(&r, guest,
	              "nwfilter 'no-mac-spoofing' (IP=192.168.1.20) became allowed-mac "
	              "52:54:00:00:00:01",
	              NULL);

	/* clean-traffic-gateway: the same, but its gateway restriction is lost */
	convert_filter("clean-traffic-gateway",
	               "        <parameter name='IP' value='192.168.1.20'/>\n"
	               "        <parameter name='GATEWAY_MAC' value='52:54:00:8a:1c:01'/>\n",
	               false, &r);
	expect_filter(&r, guest_arp, NULL,
	              "nwfilter 'clean-traffic-gateway' (IP=192.168.1.20, "
	              "GATEWAY_MAC=52:54:00:8a:1c:01) became allowed-mac 52:54:00:00:00:01, "
	              "arp-guard 192.168.1.20/32; its restriction to traffic with the gateway "
	              "($GATEWAY_MAC) has no counterpart on the switch: gone");
}

/* An IP parameter the switch's arp-guard cannot take refuses the interface, changing nothing. */
static void test_convert_nwfilter_refused(void **state)
{
	char rest[2048];
	size_t used;
	xmlDocPtr doc;
	int i;

	doc = iface_doc("lab", "      <mac address='52:54:00:00:00:01'/>\n",
	                "      <model type='virtio'/>\n"
	                "      <filterref filter='clean-traffic'>\n"
	                "        <parameter name='IP' value='fd00::20'/>\n"
	                "      </filterref>\n");
	expect_refused(doc, "lab", false,
	               "domain \"lab\": interface 52:54:00:00:00:01 (#1 on br0): nwfilter "
	               "'clean-traffic': IP='fd00::20' is not an IPv4 address\n");
	xmlFreeDoc(doc);

	used = (size_t)snprintf(rest, sizeof(rest),
	                        "      <model type='virtio'/>\n"
	                        "      <filterref filter='clean-traffic'>\n");
	for (i = 0; i <= VM_GUARD_NETS_MAX; i++)
		used += (size_t)snprintf(rest + used, sizeof(rest) - used,
		                         "        <parameter name='IP' value='10.0.0.%d'/>\n", i);
	snprintf(rest + used, sizeof(rest) - used, "      </filterref>\n");
	doc = iface_doc("lab", "      <mac address='52:54:00:00:00:01'/>\n", rest);
	expect_refused(doc, "lab", false,
	               "domain \"lab\": interface 52:54:00:00:00:01 (#1 on br0): nwfilter "
	               "'clean-traffic': more than 16 IP parameters, the most the switch's "
	               "arp-guard takes\n");
	xmlFreeDoc(doc);
}

/* ---- shared memory ------------------------------------------------------------------- */

static void expect_shared(xmlDocPtr doc, int want, const char *why_want)
{
	char why[256];

	assert_int_equal(vm_xml_memory_shared(doc, why, sizeof(why)), want);
	assert_string_equal(why, why_want);
}

static void test_memory_shared_fixtures(void **state)
{
	static const struct {
		const char *file;
		int shared;
		const char *why;
	} cases[] = {
		{ "pfsense.xml", 0,
		  "no memfd, file or hugepage backing; no <access mode='shared'/> in "
		  "<memoryBacking>" },
		{ "homeassistant.xml", 0, "no <access mode='shared'/> in <memoryBacking>" },
		{ "windows.xml", 1, "hugepages, shared access" },
		{ "pihole.xml", 1, "memfd source, shared access" },
		{ "unifi.xml", 1, "file source, shared access" },
		{ "frigate.xml", 0,
		  "anonymous memory source: QEMU has no file to pass the switch; <memoryBacking> "
		  "has "
		  "private access" },
		{ "truenas.xml", 1, "memfd source, shared access in every NUMA cell" },
	};
	xmlDocPtr doc;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		doc = fixture(cases[i].file);
		expect_shared(doc, cases[i].shared, cases[i].why);
		xmlFreeDoc(doc);
	}
}

/* libvirt takes shared access per NUMA cell; a cell's own memAccess wins over the domain's. */
static void test_memory_shared_numa(void **state)
{
	static const char memfd_shared[] = "  <memoryBacking>\n    <source type='memfd'/>\n"
	                                   "    <access mode='shared'/>\n  </memoryBacking>\n";
	static const char memfd[] = "  <memoryBacking>\n    <source type='memfd'/>\n"
	                            "  </memoryBacking>\n";
	xmlDocPtr doc;

	doc = numa_doc(memfd_shared, "", "");
	expect_shared(doc, 1, "memfd source, shared access in every NUMA cell");
	xmlFreeDoc(doc);
	doc = numa_doc(memfd_shared, "", " memAccess='private'");
	expect_shared(doc, 0, "NUMA cell 1 has memAccess='private'");
	xmlFreeDoc(doc);
	doc = numa_doc(memfd, " memAccess='shared'", "");
	expect_shared(doc, 0,
	              "NUMA cell 1 has no memAccess='shared' and the domain no <access "
	              "mode='shared'/>");
	xmlFreeDoc(doc);
	doc = numa_doc("", " memAccess='shared'", " memAccess='shared'");
	expect_shared(doc, 0, "no memfd, file or hugepage backing");
	xmlFreeDoc(doc);
}

/* Shares the fixture's memory, then checks the change, the result and libvirt's schema. */
static void expect_share(xmlDocPtr doc, const char *old_xml, const char *new_xml, const char *what)
{
	struct vm_mem_change change;
	char why[256];

	assert_int_equal(vm_xml_memory_share(doc, &change), 0);
	assert_true(change.changed);
	if (old_xml == NULL)
		assert_null(change.old_xml);
	else
		assert_string_equal(change.old_xml, old_xml);
	assert_string_equal(change.new_xml, new_xml);
	assert_string_equal(change.what, what);
	vm_mem_change_clear(&change);
	assert_int_equal(vm_xml_memory_shared(doc, why, sizeof(why)), 1);
	assert_libvirt_valid(doc, what);
}

static void test_memory_share_none(void **state)
{
	xmlDocPtr doc = fixture("pfsense.xml");
	char *text;

	expect_share(doc, NULL,
	             "<memoryBacking>\n  <source type=\"memfd\"/>\n  <access mode=\"shared\"/>\n"
	             "</memoryBacking>",
	             "added <memoryBacking>; added <source type='memfd'/>; added <access "
	             "mode='shared'/>");
	/* where libvirt writes it, indented as the rest */
	text = vm_xml_write(doc);
	assert_non_null(strstr(text, "  <currentMemory unit=\"KiB\">2097152</currentMemory>\n"
	                             "  <memoryBacking>\n"
	                             "    <source type=\"memfd\"/>\n"
	                             "    <access mode=\"shared\"/>\n"
	                             "  </memoryBacking>\n"
	                             "  <vcpu placement=\"static\">2</vcpu>\n"));
	free(text);
	xmlFreeDoc(doc);
}

/* Hugepages stay (QEMU maps them from hugetlbfs files) and get shared access. */
static void test_memory_share_hugepages(void **state)
{
	xmlDocPtr doc = fixture("homeassistant.xml");

	expect_share(doc, "<memoryBacking>\n  <hugepages/>\n</memoryBacking>",
	             "<memoryBacking>\n  <hugepages/>\n  <access mode=\"shared\"/>\n"
	             "</memoryBacking>",
	             "added <access mode='shared'/>");
	xmlFreeDoc(doc);
}

static void test_memory_share_anonymous(void **state)
{
	xmlDocPtr doc = fixture("frigate.xml");

	expect_share(
	        doc,
	        "<memoryBacking>\n  <source type=\"anonymous\"/>\n  <access mode=\"private\"/>\n"
	        "</memoryBacking>",
	        "<memoryBacking>\n  <source type=\"memfd\"/>\n  <access mode=\"shared\"/>\n"
	        "</memoryBacking>",
	        "<source type='anonymous'/> became memfd; <access mode='private'/> became "
	        "shared");
	xmlFreeDoc(doc);
}

static void test_memory_share_numa(void **state)
{
	xmlDocPtr doc;

	/* a private cell becomes shared; the others inherit the domain's access */
	doc = numa_doc("", "", " memAccess='private'");
	expect_share(doc, NULL,
	             "<memoryBacking>\n  <source type=\"memfd\"/>\n  <access mode=\"shared\"/>\n"
	             "</memoryBacking>",
	             "added <memoryBacking>; added <source type='memfd'/>; NUMA cell 1: memAccess "
	             "'private' became 'shared'; added <access mode='shared'/>");
	xmlFreeDoc(doc);
	/* cells that share on their own need only the memfd */
	doc = numa_doc("", " memAccess='shared'", " memAccess='shared'");
	expect_share(doc, NULL, "<memoryBacking>\n  <source type=\"memfd\"/>\n</memoryBacking>",
	             "added <memoryBacking>; added <source type='memfd'/>");
	xmlFreeDoc(doc);
}

/* Shared already: nothing changes, not even the text. */
static void test_memory_share_nothing_missing(void **state)
{
	static const char *const names[] = { "windows.xml", "pihole.xml", "unifi.xml",
		                             "truenas.xml" };
	struct vm_mem_change change;
	char *before, *after;
	xmlDocPtr doc;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		doc = fixture(names[i]);
		before = vm_xml_write(doc);
		assert_int_equal(vm_xml_memory_share(doc, &change), 0);
		assert_false(change.changed);
		assert_null(change.new_xml);
		assert_string_equal(change.what, "");
		after = vm_xml_write(doc);
		assert_string_equal(before, after);
		vm_mem_change_clear(&change);
		free(before);
		free(after);
		xmlFreeDoc(doc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_valid),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_port_name_valid_name_as_is),
		cmocka_unit_test(test_port_name_reduced_gets_hash),
		cmocka_unit_test(test_port_name_long),
		cmocka_unit_test(test_port_name_nothing_left),
		cmocka_unit_test(test_port_name_collisions),
		cmocka_unit_test(test_port_name_small_buffer),
		cmocka_unit_test(test_socket_path),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_interface_new),
		cmocka_unit_test(test_lanswitch_ifaces),
		cmocka_unit_test(test_interface_add),
		cmocka_unit_test(test_interfaces_take),
		cmocka_unit_test(test_metadata_round_trip),
		cmocka_unit_test(test_metadata_read_fixture),
		cmocka_unit_test(test_metadata_set),
		cmocka_unit_test(test_metadata_errors),
		cmocka_unit_test(test_guard_words),
		cmocka_unit_test(test_guard_equal),
		cmocka_unit_test(test_guard_metadata),
		cmocka_unit_test(test_convert_homeassistant),
		cmocka_unit_test(test_convert_pfsense),
		cmocka_unit_test(test_convert_windows_network),
		cmocka_unit_test(test_convert_other_bridge),
		cmocka_unit_test(test_convert_beside_attached),
		cmocka_unit_test(test_convert_frigate),
		cmocka_unit_test(test_convert_unifi_vlans),
		cmocka_unit_test(test_convert_refusals),
		cmocka_unit_test(test_convert_nwfilter),
		cmocka_unit_test(test_convert_nwfilter_refused),
		cmocka_unit_test(test_memory_shared_fixtures),
		cmocka_unit_test(test_memory_shared_numa),
		cmocka_unit_test(test_memory_share_none),
		cmocka_unit_test(test_memory_share_hugepages),
		cmocka_unit_test(test_memory_share_anonymous),
		cmocka_unit_test(test_memory_share_numa),
		cmocka_unit_test(test_memory_share_nothing_missing),
	};
	int failed;

	failed = cmocka_run_group_tests_name("vm_xml", tests, NULL, NULL);
	print_message("%u documents checked with virt-xml-validate\n", validated);
	xmlCleanupParser();
	return failed;
}
