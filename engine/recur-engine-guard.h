/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Force-included into every engine/ translation unit (see engine/meson.build).
 * The engine is headless: poisoning the toolkits' core identifiers turns any
 * #include of GTK, GDK or Cairo headers here into a compile error. */
#pragma once
#pragma GCC poison GtkWidget GtkApplication GdkDisplay cairo_t cairo_surface_t PangoLayout
