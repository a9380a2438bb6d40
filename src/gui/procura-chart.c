/* procura-chart.c
 *
 * Copyright 2025 The Procura authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "procura-chart"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "procura-chart.h"

/* Geometry, in pixels */
#define LEGEND_SWATCH  10   /* side of a legend's colour square */
#define LEGEND_GAP     16   /* between two legend entries */
#define LEGEND_SPACE   12   /* between the legend and the bars */
#define LABEL_GAP      12   /* between a category label and its bars */
#define VALUE_GAP       6   /* between a bar and its value text */
#define BAR_THICKNESS  12   /* horizontal bars, one per series */
#define BAR_SINGLE     18   /* horizontal bars of a single series */
#define BAR_SPACING     3   /* between the bars of one category */
#define ROW_SPACING    12   /* between two categories */
#define BAR_MAX_WIDTH  40   /* vertical bars */
#define BAR_RADIUS      3
#define PLOT_HEIGHT   160   /* vertical: the bars' height at most */
#define EMPTY_HEIGHT   96

typedef struct
{
  char    *label;
  guint    n_values;
  double  *values;       /* n_series */
  char   **value_texts;  /* n_series, entries may be NULL */
  char    *color;
  char    *tooltip;
} Category;

struct _ProcuraChart
{
  GtkWidget       parent_instance;

  GtkOrientation  orientation;
  char           *empty_text;
  guint           n_series;
  char          **series_names;
  char          **series_colors;
  GPtrArray      *categories;   /* Category* */
  int             hover;        /* category under the pointer, or -1 */
};

G_DEFINE_FINAL_TYPE (ProcuraChart, procura_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ORIENTATION,
  PROP_EMPTY_TEXT,
  PROP_N_CATEGORIES,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* Where everything goes for a given size. */
typedef struct
{
  int    width;
  int    height;
  int    text_height;    /* one line of label text */
  int    small_height;   /* one line of value text */
  int    legend_height;  /* 0 without a legend */
  /* horizontal */
  int    label_width;
  int    value_width;
  int    bar_thickness;
  int    row_pitch;
  /* vertical */
  double slot_width;
  int    plot_top;
  int    plot_bottom;
  /* both: where bars start and how long the longest may be */
  double origin;
  double extent;
  double max_value;
} Geometry;

static void
category_free (Category *category)
{
  g_free (category->label);
  for (guint i = 0; i < category->n_values; i++)
    g_free (category->value_texts[i]);
  g_free (category->value_texts);
  g_free (category->values);
  g_free (category->color);
  g_free (category->tooltip);
  g_free (category);
}

/* Auxiliary methods */

static PangoAttrList *
small_attributes (void)
{
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (0.85));
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));

  return attrs;
}

static PangoLayout *
create_layout (ProcuraChart *self,
               const char   *text,
               gboolean      small)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);

  if (small)
    {
      g_autoptr(PangoAttrList) attrs = small_attributes ();

      pango_layout_set_attributes (layout, attrs);
    }

  return layout;
}

static int
text_width (ProcuraChart *self,
            const char   *text,
            gboolean      small)
{
  g_autoptr(PangoLayout) layout = NULL;
  int width;

  if (text == NULL || text[0] == '\0')
    return 0;

  layout = create_layout (self, text, small);
  pango_layout_get_pixel_size (layout, &width, NULL);

  return width;
}

static int
text_height (ProcuraChart *self,
             gboolean      small)
{
  g_autoptr(PangoLayout) layout = create_layout (self, "Ag 街道", small);
  int height;

  pango_layout_get_pixel_size (layout, NULL, &height);

  return height;
}

static gboolean
chart_is_empty (ProcuraChart *self)
{
  for (guint i = 0; i < self->categories->len; i++)
    {
      const Category *category = g_ptr_array_index (self->categories, i);

      for (guint s = 0; s < self->n_series; s++)
        if (category->values[s] > 0)
          return FALSE;
    }

  return TRUE;
}

static int
legend_height (ProcuraChart *self)
{
  return self->n_series > 1 ? text_height (self, TRUE) + LEGEND_SPACE : 0;
}

static int
horizontal_row_pitch (ProcuraChart *self,
                      int           label_height,
                      int          *out_bar_thickness)
{
  int thickness = self->n_series > 1 ? BAR_THICKNESS : BAR_SINGLE;
  int bars = (int) self->n_series * thickness + ((int) self->n_series - 1) * BAR_SPACING;

  if (out_bar_thickness != NULL)
    *out_bar_thickness = thickness;

  return MAX (bars, label_height) + ROW_SPACING;
}

static void
compute_geometry (ProcuraChart *self,
                  int           width,
                  int           height,
                  Geometry     *g)
{
  int n = self->categories->len;

  memset (g, 0, sizeof *g);
  g->width = width;
  g->height = height;
  g->text_height = text_height (self, FALSE);
  g->small_height = text_height (self, TRUE);
  g->legend_height = legend_height (self);

  for (guint i = 0; i < self->categories->len; i++)
    {
      const Category *category = g_ptr_array_index (self->categories, i);

      for (guint s = 0; s < self->n_series; s++)
        g->max_value = MAX (g->max_value, category->values[s]);
    }
  if (g->max_value <= 0)
    g->max_value = 1;

  if (self->orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      for (guint i = 0; i < self->categories->len; i++)
        {
          const Category *category = g_ptr_array_index (self->categories, i);

          g->label_width = MAX (g->label_width, text_width (self, category->label, FALSE));
          for (guint s = 0; s < self->n_series; s++)
            g->value_width = MAX (g->value_width, text_width (self, category->value_texts[s], TRUE));
        }
      /* long labels are ellipsized rather than squeezing the bars */
      g->label_width = MIN (g->label_width, width * 2 / 5);
      g->row_pitch = horizontal_row_pitch (self, g->text_height, &g->bar_thickness);
      g->origin = g->label_width + LABEL_GAP;
      g->extent = MAX (0, width - g->origin - (g->value_width > 0 ? g->value_width + VALUE_GAP : 0));
    }
  else
    {
      g->slot_width = n > 0 ? (double) width / n : width;
      g->plot_top = g->legend_height + g->small_height + VALUE_GAP;
      g->plot_bottom = height - g->text_height - VALUE_GAP;
      g->origin = g->plot_bottom;
      g->extent = MAX (0, g->plot_bottom - g->plot_top);
    }
}

/* The category at (x, y), or -1. */
static int
category_at (ProcuraChart *self,
             double        x,
             double        y)
{
  Geometry g;
  int index;

  if (self->categories->len == 0 || chart_is_empty (self))
    return -1;

  compute_geometry (self, gtk_widget_get_width (GTK_WIDGET (self)),
                    gtk_widget_get_height (GTK_WIDGET (self)), &g);

  if (self->orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      if (y < g.legend_height)
        return -1;
      index = (int) floor ((y - g.legend_height + ROW_SPACING / 2.0) / g.row_pitch);
    }
  else
    {
      if (y < g.legend_height)
        return -1;
      index = (int) floor (x / g.slot_width);
    }

  return index >= 0 && index < (int) self->categories->len ? index : -1;
}

static void
lookup_color (ProcuraChart *self,
              const char   *name,
              GdkRGBA      *rgba)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  if (name != NULL && gtk_style_context_lookup_color (context, name, rgba))
    return;
  if (name != NULL && gdk_rgba_parse (rgba, name))
    return;

  /* libadwaita's blue_3 */
  *rgba = (GdkRGBA) { 0.208, 0.518, 0.894, 1.0 };
}

static void
get_text_color (ProcuraChart *self,
                GdkRGBA      *rgba)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), rgba);
}

static void
rounded_rectangle (cairo_t *cr,
                   double   x,
                   double   y,
                   double   width,
                   double   height,
                   double   radius)
{
  radius = MIN (radius, MIN (width, height) / 2);

  cairo_new_sub_path (cr);
  cairo_arc (cr, x + width - radius, y + radius, radius, -G_PI_2, 0);
  cairo_arc (cr, x + width - radius, y + height - radius, radius, 0, G_PI_2);
  cairo_arc (cr, x + radius, y + height - radius, radius, G_PI_2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI_2);
  cairo_close_path (cr);
}

static void
append_text (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             double         x,
             double         y,
             const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (x), round (y)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
update_accessible_description (ProcuraChart *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (chart_is_empty (self))
    g_string_append (text, self->empty_text != NULL ? self->empty_text : "");

  for (guint i = 0; i < self->categories->len && !chart_is_empty (self); i++)
    {
      const Category *category = g_ptr_array_index (self->categories, i);

      if (text->len > 0)
        g_string_append (text, "; ");
      g_string_append (text, category->label);
      g_string_append (text, ": ");
      for (guint s = 0; s < self->n_series; s++)
        {
          if (s > 0)
            g_string_append (text, ", ");
          if (self->n_series > 1)
            g_string_append_printf (text, "%s ", self->series_names[s]);
          if (category->value_texts[s] != NULL)
            g_string_append (text, category->value_texts[s]);
          else
            g_string_append_printf (text, "%g", category->values[s]);
        }
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text->str,
                                  -1);
}

static void
changed (ProcuraChart *self)
{
  self->hover = -1;
  update_accessible_description (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CATEGORIES]);
}

/* Drawing */

static void
snapshot_legend (ProcuraChart  *self,
                 GtkSnapshot   *snapshot,
                 const GdkRGBA *text_color)
{
  double x = 0;

  for (guint s = 0; s < self->n_series; s++)
    {
      g_autoptr(PangoLayout) layout = create_layout (self, self->series_names[s], TRUE);
      int w, h;
      GdkRGBA color;
      GskRoundedRect swatch;

      pango_layout_get_pixel_size (layout, &w, &h);
      lookup_color (self, self->series_colors[s], &color);

      gsk_rounded_rect_init_from_rect (&swatch,
                                       &GRAPHENE_RECT_INIT (x, (h - LEGEND_SWATCH) / 2.0,
                                                            LEGEND_SWATCH, LEGEND_SWATCH),
                                       2);
      gtk_snapshot_push_rounded_clip (snapshot, &swatch);
      gtk_snapshot_append_color (snapshot, &color, &swatch.bounds);
      gtk_snapshot_pop (snapshot);

      append_text (snapshot, layout, x + LEGEND_SWATCH + 6, 0, text_color);
      x += LEGEND_SWATCH + 6 + w + LEGEND_GAP;
    }
}

static void
snapshot_empty (ProcuraChart  *self,
                GtkSnapshot   *snapshot,
                int            width,
                int            height,
                const GdkRGBA *text_color)
{
  g_autoptr(PangoLayout) layout = NULL;
  GdkRGBA dim = *text_color;
  int w, h;

  if (self->empty_text == NULL)
    return;

  layout = create_layout (self, self->empty_text, FALSE);
  pango_layout_set_width (layout, width * PANGO_SCALE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_get_pixel_size (layout, &w, &h);

  dim.alpha *= 0.55;
  append_text (snapshot, layout, 0, (height - h) / 2.0, &dim);
}

static void
snapshot_horizontal (ProcuraChart   *self,
                     GtkSnapshot    *snapshot,
                     const Geometry *g,
                     const GdkRGBA  *text_color)
{
  cairo_t *cr;
  GdkRGBA faint = *text_color;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, g->width, g->height));

  /* the hovered category */
  if (self->hover >= 0)
    {
      double y = g->legend_height + self->hover * g->row_pitch - ROW_SPACING / 2.0;

      faint.alpha = 0.06;
      gdk_cairo_set_source_rgba (cr, &faint);
      rounded_rectangle (cr, 0, y, g->width, g->row_pitch, 6);
      cairo_fill (cr);
    }

  /* the axis */
  faint = *text_color;
  faint.alpha = 0.2;
  gdk_cairo_set_source_rgba (cr, &faint);
  cairo_rectangle (cr, g->origin - 1, g->legend_height - ROW_SPACING / 2.0,
                   1, self->categories->len * g->row_pitch);
  cairo_fill (cr);

  for (guint i = 0; i < self->categories->len; i++)
    {
      const Category *category = g_ptr_array_index (self->categories, i);
      double row_y = g->legend_height + i * g->row_pitch;
      int bars = (int) self->n_series * g->bar_thickness + ((int) self->n_series - 1) * BAR_SPACING;
      double bar_y = row_y + MAX (0, (g->text_height - bars) / 2.0);

      for (guint s = 0; s < self->n_series; s++)
        {
          double length = category->values[s] / g->max_value * g->extent;
          double y = bar_y + s * (g->bar_thickness + BAR_SPACING);
          GdkRGBA color;

          lookup_color (self, category->color != NULL ? category->color : self->series_colors[s], &color);
          gdk_cairo_set_source_rgba (cr, &color);
          if (category->values[s] > 0)
            {
              /* square at the axis, rounded at the end */
              length = MAX (length, 2);
              rounded_rectangle (cr, g->origin - BAR_RADIUS, y, length + BAR_RADIUS,
                                 g->bar_thickness, BAR_RADIUS);
              cairo_fill (cr);
            }
        }
    }
  cairo_destroy (cr);

  /* the text, on top of the bars' overhang at the axis */
  for (guint i = 0; i < self->categories->len; i++)
    {
      const Category *category = g_ptr_array_index (self->categories, i);
      g_autoptr(PangoLayout) label = create_layout (self, category->label, FALSE);
      double row_y = g->legend_height + i * g->row_pitch;
      int bars = (int) self->n_series * g->bar_thickness + ((int) self->n_series - 1) * BAR_SPACING;
      double bar_y = row_y + MAX (0, (g->text_height - bars) / 2.0);
      int lh;

      pango_layout_set_width (label, g->label_width * PANGO_SCALE);
      pango_layout_set_ellipsize (label, PANGO_ELLIPSIZE_END);
      pango_layout_set_alignment (label, PANGO_ALIGN_RIGHT);
      pango_layout_get_pixel_size (label, NULL, &lh);
      append_text (snapshot, label, 0, row_y + MAX (0, (bars - lh) / 2.0), text_color);

      for (guint s = 0; s < self->n_series; s++)
        {
          g_autoptr(PangoLayout) value = NULL;
          double length = category->values[s] / g->max_value * g->extent;
          double y = bar_y + s * (g->bar_thickness + BAR_SPACING);
          GdkRGBA dim = *text_color;
          int vh;

          if (category->value_texts[s] == NULL)
            continue;

          value = create_layout (self, category->value_texts[s], TRUE);
          pango_layout_get_pixel_size (value, NULL, &vh);
          dim.alpha *= 0.75;
          append_text (snapshot, value, g->origin + MAX (length, 0) + VALUE_GAP,
                       y + (g->bar_thickness - vh) / 2.0, &dim);
        }
    }
}

static void
snapshot_vertical (ProcuraChart   *self,
                   GtkSnapshot    *snapshot,
                   const Geometry *g,
                   const GdkRGBA  *text_color)
{
  double group_width = MIN (g->slot_width * 0.6, BAR_MAX_WIDTH * self->n_series);
  double bar_width = (group_width - (self->n_series - 1) * BAR_SPACING) / self->n_series;
  GdkRGBA faint = *text_color;
  cairo_t *cr;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, g->width, g->height));

  if (self->hover >= 0)
    {
      faint.alpha = 0.06;
      gdk_cairo_set_source_rgba (cr, &faint);
      rounded_rectangle (cr, self->hover * g->slot_width + 2, g->legend_height,
                         g->slot_width - 4, g->height - g->legend_height, 6);
      cairo_fill (cr);
    }

  faint = *text_color;
  faint.alpha = 0.2;
  gdk_cairo_set_source_rgba (cr, &faint);
  cairo_rectangle (cr, 0, g->plot_bottom, g->width, 1);
  cairo_fill (cr);

  for (guint i = 0; i < self->categories->len; i++)
    {
      const Category *category = g_ptr_array_index (self->categories, i);
      double x0 = i * g->slot_width + (g->slot_width - group_width) / 2.0;

      for (guint s = 0; s < self->n_series; s++)
        {
          double length = category->values[s] / g->max_value * g->extent;
          double x = x0 + s * (bar_width + BAR_SPACING);
          GdkRGBA color;

          if (category->values[s] <= 0)
            continue;

          length = MAX (length, 2);
          lookup_color (self, category->color != NULL ? category->color : self->series_colors[s], &color);
          gdk_cairo_set_source_rgba (cr, &color);
          rounded_rectangle (cr, x, g->plot_bottom - length, bar_width, length + BAR_RADIUS, BAR_RADIUS);
          cairo_fill (cr);
        }
    }
  cairo_destroy (cr);

  for (guint i = 0; i < self->categories->len; i++)
    {
      const Category *category = g_ptr_array_index (self->categories, i);
      g_autoptr(PangoLayout) label = create_layout (self, category->label, FALSE);
      double x0 = i * g->slot_width + (g->slot_width - group_width) / 2.0;

      pango_layout_set_width (label, MAX (1, (int) g->slot_width - 4) * PANGO_SCALE);
      pango_layout_set_ellipsize (label, PANGO_ELLIPSIZE_END);
      pango_layout_set_alignment (label, PANGO_ALIGN_CENTER);
      append_text (snapshot, label, i * g->slot_width + 2, g->plot_bottom + VALUE_GAP, text_color);

      for (guint s = 0; s < self->n_series; s++)
        {
          g_autoptr(PangoLayout) value = NULL;
          double length = MAX (category->values[s] / g->max_value * g->extent, 0);
          double x = x0 + s * (bar_width + BAR_SPACING);
          int vw, vh;

          if (category->value_texts[s] == NULL)
            continue;

          value = create_layout (self, category->value_texts[s], TRUE);
          pango_layout_get_pixel_size (value, &vw, &vh);
          append_text (snapshot, value, x + (bar_width - vw) / 2.0,
                       g->plot_bottom - length - VALUE_GAP / 2.0 - vh, text_color);
        }
    }
}

/* GtkWidget */

static void
procura_chart_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  ProcuraChart *self = PROCURA_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA text_color;
  Geometry g;

  if (width <= 0 || height <= 0)
    return;

  get_text_color (self, &text_color);

  if (chart_is_empty (self))
    {
      snapshot_empty (self, snapshot, width, height, &text_color);
      return;
    }

  compute_geometry (self, width, height, &g);

  if (self->n_series > 1)
    snapshot_legend (self, snapshot, &text_color);

  if (self->orientation == GTK_ORIENTATION_HORIZONTAL)
    snapshot_horizontal (self, snapshot, &g, &text_color);
  else
    snapshot_vertical (self, snapshot, &g, &text_color);
}

static void
procura_chart_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  ProcuraChart *self = PROCURA_CHART (widget);
  int n = self->categories->len;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      if (self->orientation == GTK_ORIENTATION_VERTICAL)
        {
          *minimum = MAX (160, n * 48);
          *natural = MAX (320, n * 80);
        }
      else
        {
          *minimum = 200;
          *natural = 360;
        }
    }
  else if (chart_is_empty (self))
    {
      *minimum = *natural = EMPTY_HEIGHT;
    }
  else if (self->orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int pitch = horizontal_row_pitch (self, text_height (self, FALSE), NULL);

      *minimum = *natural = legend_height (self) + n * pitch - ROW_SPACING;
    }
  else
    {
      *minimum = *natural = legend_height (self) + text_height (self, TRUE) + VALUE_GAP
                            + PLOT_HEIGHT + VALUE_GAP + text_height (self, FALSE);
    }
}

static void
procura_chart_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (procura_chart_parent_class)->css_changed (widget, change);

  /* the colours of the palette come from the style sheet (dark mode,
   * high contrast) and are looked up at each snapshot */
  gtk_widget_queue_draw (widget);
}

static gboolean
procura_chart_query_tooltip (GtkWidget  *widget,
                             int         x,
                             int         y,
                             gboolean    keyboard_mode,
                             GtkTooltip *tooltip)
{
  ProcuraChart *self = PROCURA_CHART (widget);
  g_autoptr(GString) text = NULL;
  const Category *category;
  int index;

  if (keyboard_mode || (index = category_at (self, x, y)) < 0)
    return FALSE;

  category = g_ptr_array_index (self->categories, index);
  if (category->tooltip != NULL)
    {
      gtk_tooltip_set_text (tooltip, category->tooltip);
      return TRUE;
    }

  text = g_string_new (category->label);
  for (guint s = 0; s < self->n_series; s++)
    {
      g_string_append_c (text, '\n');
      if (self->n_series > 1)
        /* Translators: a line of a chart's tooltip: series name, value */
        g_string_append_printf (text, _("%s: %s"), self->series_names[s],
                                category->value_texts[s] != NULL ? category->value_texts[s] : "");
      else if (category->value_texts[s] != NULL)
        g_string_append (text, category->value_texts[s]);
    }
  gtk_tooltip_set_text (tooltip, text->str);

  return TRUE;
}

static void
motion_cb (ProcuraChart             *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *controller)
{
  int hover = category_at (self, x, y);

  if (hover != self->hover)
    {
      self->hover = hover;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
leave_cb (ProcuraChart             *self,
          GtkEventControllerMotion *controller)
{
  if (self->hover != -1)
    {
      self->hover = -1;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

/* GObject */

static void
procura_chart_finalize (GObject *object)
{
  ProcuraChart *self = (ProcuraChart *) object;

  g_clear_pointer (&self->categories, g_ptr_array_unref);
  g_clear_pointer (&self->series_names, g_strfreev);
  g_clear_pointer (&self->series_colors, g_strfreev);
  g_clear_pointer (&self->empty_text, g_free);

  G_OBJECT_CLASS (procura_chart_parent_class)->finalize (object);
}

static void
procura_chart_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ProcuraChart *self = PROCURA_CHART (object);

  switch (prop_id)
    {
    case PROP_ORIENTATION:
      g_value_set_enum (value, self->orientation);
      break;

    case PROP_EMPTY_TEXT:
      g_value_set_string (value, self->empty_text);
      break;

    case PROP_N_CATEGORIES:
      g_value_set_uint (value, self->categories->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_chart_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ProcuraChart *self = PROCURA_CHART (object);

  switch (prop_id)
    {
    case PROP_ORIENTATION:
      procura_chart_set_orientation (self, g_value_get_enum (value));
      break;

    case PROP_EMPTY_TEXT:
      procura_chart_set_empty_text (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_chart_class_init (ProcuraChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = procura_chart_finalize;
  object_class->get_property = procura_chart_get_property;
  object_class->set_property = procura_chart_set_property;

  widget_class->snapshot = procura_chart_snapshot;
  widget_class->measure = procura_chart_measure;
  widget_class->css_changed = procura_chart_css_changed;
  widget_class->query_tooltip = procura_chart_query_tooltip;

  properties [PROP_ORIENTATION] =
    g_param_spec_enum ("orientation", NULL, NULL,
                       GTK_TYPE_ORIENTATION,
                       GTK_ORIENTATION_HORIZONTAL,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties [PROP_EMPTY_TEXT] =
    g_param_spec_string ("empty-text", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties [PROP_N_CATEGORIES] =
    g_param_spec_uint ("n-categories", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
procura_chart_init (ProcuraChart *self)
{
  static const char * const names[] = { "" };
  static const char * const colors[] = { "blue_3" };
  GtkEventController *motion;

  self->categories = g_ptr_array_new_with_free_func ((GDestroyNotify) category_free);
  self->hover = -1;
  self->orientation = GTK_ORIENTATION_HORIZONTAL;
  self->n_series = 1;
  self->series_names = g_strdupv ((char **) names);
  self->series_colors = g_strdupv ((char **) colors);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect_object (motion, "motion", G_CALLBACK (motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "leave", G_CALLBACK (leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

/* Public API */

GtkWidget *
procura_chart_new (GtkOrientation orientation)
{
  return g_object_new (PROCURA_TYPE_CHART, "orientation", orientation, NULL);
}

GtkOrientation
procura_chart_get_orientation (ProcuraChart *self)
{
  g_return_val_if_fail (PROCURA_IS_CHART (self), GTK_ORIENTATION_HORIZONTAL);

  return self->orientation;
}

void
procura_chart_set_orientation (ProcuraChart   *self,
                               GtkOrientation  orientation)
{
  g_return_if_fail (PROCURA_IS_CHART (self));

  if (self->orientation == orientation)
    return;

  self->orientation = orientation;
  self->hover = -1;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORIENTATION]);
}

const char *
procura_chart_get_empty_text (ProcuraChart *self)
{
  g_return_val_if_fail (PROCURA_IS_CHART (self), NULL);

  return self->empty_text;
}

void
procura_chart_set_empty_text (ProcuraChart *self,
                              const char   *empty_text)
{
  g_return_if_fail (PROCURA_IS_CHART (self));

  if (g_strcmp0 (self->empty_text, empty_text) == 0)
    return;

  g_free (self->empty_text);
  self->empty_text = g_strdup (empty_text);
  update_accessible_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMPTY_TEXT]);
}

void
procura_chart_set_series (ProcuraChart       *self,
                          guint               n_series,
                          const char * const *names,
                          const char * const *colors)
{
  g_return_if_fail (PROCURA_IS_CHART (self));
  g_return_if_fail (n_series > 0);
  g_return_if_fail (names != NULL);
  g_return_if_fail (colors != NULL);

  g_ptr_array_set_size (self->categories, 0);
  g_strfreev (self->series_names);
  g_strfreev (self->series_colors);
  self->n_series = n_series;
  self->series_names = g_new0 (char *, n_series + 1);
  self->series_colors = g_new0 (char *, n_series + 1);
  for (guint s = 0; s < n_series; s++)
    {
      self->series_names[s] = g_strdup (names[s] != NULL ? names[s] : "");
      self->series_colors[s] = g_strdup (colors[s]);
    }

  changed (self);
}

void
procura_chart_remove_all (ProcuraChart *self)
{
  g_return_if_fail (PROCURA_IS_CHART (self));

  if (self->categories->len == 0)
    return;

  g_ptr_array_set_size (self->categories, 0);
  changed (self);
}

void
procura_chart_append (ProcuraChart       *self,
                      const char         *label,
                      const double       *values,
                      const char * const *value_texts,
                      const char         *color,
                      const char         *tooltip)
{
  Category *category;

  g_return_if_fail (PROCURA_IS_CHART (self));
  g_return_if_fail (label != NULL);
  g_return_if_fail (values != NULL);

  category = g_new0 (Category, 1);
  category->label = g_strdup (label);
  category->n_values = self->n_series;
  category->values = g_new0 (double, self->n_series);
  category->value_texts = g_new0 (char *, self->n_series + 1);
  for (guint s = 0; s < self->n_series; s++)
    {
      /* negative and NaN values draw as nothing */
      category->values[s] = values[s] > 0 ? values[s] : 0;
      category->value_texts[s] = value_texts != NULL ? g_strdup (value_texts[s]) : NULL;
    }
  category->color = g_strdup (color);
  category->tooltip = g_strdup (tooltip);
  g_ptr_array_add (self->categories, category);

  changed (self);
}

guint
procura_chart_get_n_categories (ProcuraChart *self)
{
  g_return_val_if_fail (PROCURA_IS_CHART (self), 0);

  return self->categories->len;
}

gboolean
procura_chart_is_empty (ProcuraChart *self)
{
  g_return_val_if_fail (PROCURA_IS_CHART (self), TRUE);

  return chart_is_empty (self);
}
