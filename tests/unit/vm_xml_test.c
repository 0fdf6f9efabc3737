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
