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

#include <libxml/tree.h>

/*
 * A domain's XML text into a document (no network access, nothing printed): NULL with err
 * saying why when it is not XML or its root is not <domain>. Free with xmlFreeDoc.
 */
xmlDocPtr vm_xml_read(const char *xml, char *err, size_t errlen);
/* The document back into text, for virDomainDefineXML; malloc'ed, NULL when out of memory. */
char *vm_xml_write(xmlDocPtr doc);

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

#endif
