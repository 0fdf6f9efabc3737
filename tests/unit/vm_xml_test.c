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

#include "vm_name.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_name_valid_name_as_is),
		cmocka_unit_test(test_port_name_reduced_gets_hash),
		cmocka_unit_test(test_port_name_long),
		cmocka_unit_test(test_port_name_nothing_left),
		cmocka_unit_test(test_port_name_collisions),
		cmocka_unit_test(test_port_name_small_buffer),
		cmocka_unit_test(test_socket_path),
	};

	return cmocka_run_group_tests_name("vm_xml", tests, NULL, NULL);
}
