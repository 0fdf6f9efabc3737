/* SPDX-License-Identifier: BSD-3-Clause */
/* A domain's XML in and out of a libxml2 document (vm_xml.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "vm_xml.h"
#include "vm_xml_node.h"

xmlDocPtr vm_xml_read(const char *xml, char *err, size_t errlen)
{
	xmlErrorPtr e;
	xmlNodePtr root;
	xmlDocPtr doc;
	size_t n;

	/* NONET: a domain's XML never needs anything from the network, and must not fetch. */
	xmlResetLastError();
	doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		e = xmlGetLastError();
		snprintf(err, errlen, "domain XML, line %d: %s", e != NULL ? e->line : 0,
		         e != NULL && e->message != NULL ? e->message : "not XML");
		n = strlen(err);
		if (n > 0 && err[n - 1] == '\n') /* libxml2's messages end in one */
			err[n - 1] = '\0';
		return NULL;
	}
	root = xmlDocGetRootElement(doc);
	if (!vm_node_is(root, "domain")) {
		snprintf(err, errlen, "domain XML: the root element is <%s>, not <domain>",
		         root != NULL ? (const char *)root->name : "");
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

char *vm_xml_write(xmlDocPtr doc)
{
	xmlChar *mem = NULL;
	char *text;
	int size = 0;

	xmlDocDumpMemory(doc, &mem, &size);
	if (mem == NULL)
		return NULL;
	text = strdup((const char *)mem);
	xmlFree(mem);
	return text;
}
