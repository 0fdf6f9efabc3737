/* SPDX-License-Identifier: BSD-3-Clause */
#include "fast/drop.h"

const char *const drop_names[DROP_MAX] = {
#define DROP_NAME(e, name, side) [DROP_##e] = name,
	DROP_REASONS(DROP_NAME)
#undef DROP_NAME
};
