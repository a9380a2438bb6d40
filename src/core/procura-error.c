/* procura-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "procura-error.h"

G_DEFINE_QUARK (procura-error-quark, procura_error)
