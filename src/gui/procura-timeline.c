/* procura-timeline.c
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

#define G_LOG_DOMAIN "procura-timeline"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "procura-date.h"
#include "procura-schema.h"
#include "procura-timeline.h"

/* What is drawn, top to bottom:
 *
 *   month labels (and the "Today" flag over the today line)
 *   the track across the period, the elapsed part tinted, month ticks,
 *   one marker per milestone at its due date
 *   leader lines down to the milestone labels, laid out in lanes so that
 *   labels never overlap
 *   a legend of the marker colours
 */

#define PAD_X          18.0
#define MONTH_ROW_H    18.0
#define TRACK_Y        34.0   /* centre of the track */
#define TRACK_H        6.0
#define MARKER_R       7.0
#define LANES_Y        58.0
#define LANE_H         40.0
#define MAX_LANES      4
#define MAX_LABEL_W    160
#define LABEL_GAP      14.0
#define LEGEND_H       20.0
#define LEGEND_GAP     10.0

typedef struct
{
  char     *id;
  char     *title;
  char     *due_date;
  char     *date_met;
  char     *status;
  guint     julian;
  gboolean  overdue;

  /* layout, for the width last laid out */
  double    x;
  double    label_x;
  double    label_w;
  guint     lane;
} Marker;

struct _ProcuraTimeline
{
  GtkWidget  parent_instance;

  char      *start_date;
  char      *end_date;
  char      *today;
  GPtrArray *markers;   /* Marker*, sorted by due date */

  int        laid_out_width;
  guint      n_lanes;
  guint      first_julian;
  guint      last_julian;
};

G_DEFINE_FINAL_TYPE (ProcuraTimeline, procura_timeline, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_START_DATE,
  PROP_END_DATE,
  PROP_TODAY,
  N_PROPS
};

enum {
  MILESTONE_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

/* Auxiliary methods */

static void
marker_free (gpointer data)
{
  Marker *marker = data;

  g_free (marker->id);
  g_free (marker->title);
  g_free (marker->due_date);
  g_free (marker->date_met);
  g_free (marker->status);
  g_free (marker);
}

/* Julian day of "YYYY-MM-DD", 0 when it is not a date. */
static guint
julian_of (const char *date)
{
  GDate gd;
  int y, m, d;

  if (date == NULL || sscanf (date, "%d-%d-%d", &y, &m, &d) != 3 ||
      !g_date_valid_dmy (d, m, y))
    return 0;

  g_date_clear (&gd, 1);
  g_date_set_dmy (&gd, d, m, y);

  return g_date_get_julian (&gd);
}

static int
compare_markers (gconstpointer a,
                 gconstpointer b)
{
  const Marker *ma = *(const Marker * const *) a;
  const Marker *mb = *(const Marker * const *) b;

  if (ma->julian != mb->julian)
    return ma->julian < mb->julian ? -1 : 1;

  return g_strcmp0 (ma->title, mb->title);
}

/* The days shown: the period, widened to every milestone, a little
 * margin on either side. */
static void
compute_range (ProcuraTimeline *self)
{
  guint first = julian_of (self->start_date);
  guint last = julian_of (self->end_date);

  for (guint i = 0; i < self->markers->len; i++)
    {
      Marker *marker = g_ptr_array_index (self->markers, i);

      if (marker->julian == 0)
        continue;
      if (first == 0 || marker->julian < first)
        first = marker->julian;
      if (last == 0 || marker->julian > last)
        last = marker->julian;
    }

  if (first == 0 && last == 0)
    {
      first = julian_of (self->today);
      if (first == 0)
        {
          GDate gd;

          g_date_clear (&gd, 1);
          g_date_set_time_t (&gd, time (NULL));
          first = g_date_get_julian (&gd);
        }
      last = first;
    }
  else if (first == 0)
    first = last;
  else if (last == 0)
    last = first;

  if (last - first < 30)
    {
      first = first > 15 ? first - 15 : 1;
      last = first + 30;
    }

  self->first_julian = first;
  self->last_julian = last;
}

static double
x_of_julian (ProcuraTimeline *self,
             guint            julian,
             int              width)
{
  double span = (double) (self->last_julian - self->first_julian);
  double usable = MAX (1.0, width - 2 * PAD_X);

  if (span <= 0)
    return PAD_X;

  return PAD_X + ((double) julian - (double) self->first_julian) / span * usable;
}

static char *
short_date (const char *date)
{
  g_autoptr(GDateTime) dt = NULL;
  int y, m, d;

  if (date == NULL || sscanf (date, "%d-%d-%d", &y, &m, &d) != 3)
    return g_strdup ("");

  dt = g_date_time_new_utc (y, m, d, 0, 0, 0);
  if (dt == NULL)
    return g_strdup (date);

  /* Translators: a milestone's due date under its label on the timeline,
   * a g_date_time_format() format; "%-m月%-d日" in Chinese. */
  return g_date_time_format (dt, _("%b %-d"));
}

static PangoLayout *
new_layout (ProcuraTimeline *self,
            const char      *text,
            gboolean         bold,
            gboolean         small,
            int              max_width)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  if (bold)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  if (small)
    pango_attr_list_insert (attrs, pango_attr_scale_new (0.83333));
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  if (max_width > 0)
    {
      pango_layout_set_width (layout, max_width * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }

  return layout;
}

/* Places the labels in lanes for width; returns the number of lanes. */
static guint
layout_labels (ProcuraTimeline *self,
               int              width)
{
  double lane_end[MAX_LANES];
  guint n_lanes = 0;

  compute_range (self);

  for (guint i = 0; i < self->markers->len; i++)
    {
      Marker *marker = g_ptr_array_index (self->markers, i);
      g_autoptr(PangoLayout) title = NULL;
      g_autoptr(PangoLayout) date = NULL;
      g_autofree char *date_text = short_date (marker->due_date);
      int title_w, date_w;
      guint lane = G_MAXUINT;

      title = new_layout (self, marker->title, FALSE, FALSE, MAX_LABEL_W);
      date = new_layout (self, date_text, FALSE, TRUE, MAX_LABEL_W);
      pango_layout_get_pixel_size (title, &title_w, NULL);
      pango_layout_get_pixel_size (date, &date_w, NULL);

      marker->x = x_of_julian (self, marker->julian != 0 ? marker->julian : self->first_julian, width);
      marker->label_w = MAX (title_w, date_w);
      marker->label_x = CLAMP (marker->x - marker->label_w / 2, 0, MAX (0, width - marker->label_w));

      for (guint l = 0; l < n_lanes && lane == G_MAXUINT; l++)
        if (lane_end[l] + LABEL_GAP <= marker->label_x)
          lane = l;

      if (lane == G_MAXUINT && n_lanes < MAX_LANES)
        lane = n_lanes++;

      if (lane == G_MAXUINT)
        {
          /* crowded: the lane that frees up first */
          lane = 0;
          for (guint l = 1; l < n_lanes; l++)
            if (lane_end[l] < lane_end[lane])
              lane = l;
        }

      marker->lane = lane;
      lane_end[lane] = marker->label_x + marker->label_w;
    }

  self->laid_out_width = width;
  self->n_lanes = n_lanes;

  return n_lanes;
}

static int
height_for_lanes (guint n_lanes)
{
  return (int) (LANES_Y + MAX (1, n_lanes) * LANE_H + LEGEND_GAP + LEGEND_H);
}

static GdkRGBA
lookup_color (ProcuraTimeline *self,
              const char      *name,
              const char      *fallback)
{
  GdkRGBA rgba;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (self)), name, &rgba))
    gdk_rgba_parse (&rgba, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS

  return rgba;
}

static GdkRGBA
foreground (ProcuraTimeline *self,
            float            alpha)
{
  GdkRGBA rgba;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &rgba);
  G_GNUC_END_IGNORE_DEPRECATIONS
  rgba.alpha *= alpha;

  return rgba;
}

typedef enum
{
  MARK_PLANNED,
  MARK_SUBMITTED,
  MARK_RETURNED,
  MARK_ACCEPTED,
  MARK_OVERDUE,
} MarkKind;

static MarkKind
mark_kind (const Marker *marker)
{
  if (marker->overdue)
    return MARK_OVERDUE;
  if (g_strcmp0 (marker->status, "accepted") == 0)
    return MARK_ACCEPTED;
  if (g_strcmp0 (marker->status, "submitted") == 0)
    return MARK_SUBMITTED;
  if (g_strcmp0 (marker->status, "returned") == 0)
    return MARK_RETURNED;
  return MARK_PLANNED;
}

static GdkRGBA
mark_color (ProcuraTimeline *self,
            MarkKind         kind)
{
  switch (kind)
    {
    case MARK_ACCEPTED:
      return lookup_color (self, "success_color", "#26a269");
    case MARK_SUBMITTED:
      return lookup_color (self, "accent_color", "#1c71d8");
    case MARK_RETURNED:
      return lookup_color (self, "warning_color", "#9c6e03");
    case MARK_OVERDUE:
      return lookup_color (self, "error_color", "#c01c28");
    case MARK_PLANNED:
    default:
      return foreground (self, 0.45f);
    }
}

static void
append_circle (GtkSnapshot   *snapshot,
               double         cx,
               double         cy,
               double         r,
               const GdkRGBA *fill)
{
  GskRoundedRect rect;

  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (cx - r, cy - r, 2 * r, 2 * r), r);
  gtk_snapshot_push_rounded_clip (snapshot, &rect);
  gtk_snapshot_append_color (snapshot, fill, &rect.bounds);
  gtk_snapshot_pop (snapshot);
}

static void
append_ring (GtkSnapshot   *snapshot,
             double         cx,
             double         cy,
             double         r,
             double         width,
             const GdkRGBA *color)
{
  GskRoundedRect rect;
  const float widths[4] = { width, width, width, width };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (cx - r, cy - r, 2 * r, 2 * r), r);
  gtk_snapshot_append_border (snapshot, &rect, widths, colors);
}

static void
append_marker (ProcuraTimeline *self,
               GtkSnapshot     *snapshot,
               MarkKind         kind,
               double           cx,
               double           cy,
               double           r)
{
  GdkRGBA color = mark_color (self, kind);
  GdkRGBA bg = lookup_color (self, "card_bg_color", "#ffffff");

  /* a halo in the background colour keeps touching markers apart */
  bg.alpha = 1.0f;
  append_circle (snapshot, cx, cy, r + 2, &bg);

  if (kind == MARK_PLANNED)
    {
      append_circle (snapshot, cx, cy, r, &bg);
      append_ring (snapshot, cx, cy, r, 2.0, &color);
    }
  else
    append_circle (snapshot, cx, cy, r, &color);
}

static void
append_layout_at (GtkSnapshot   *snapshot,
                  PangoLayout   *layout,
                  double         x,
                  double         y,
                  const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
append_month_ticks (ProcuraTimeline *self,
                    GtkSnapshot     *snapshot,
                    int              width)
{
  GdkRGBA tick_color = foreground (self, 0.25f);
  GdkRGBA text_color = foreground (self, 0.6f);
  double per_month = (width - 2 * PAD_X) * 30.44 / MAX (1.0, (double) (self->last_julian - self->first_julian));
  guint step = 1;
  GDate date;
  gboolean labelled = FALSE;

  /* keep about 64 px between labels */
  while (per_month * step < 64 && step < 12)
    step = step < 3 ? step + 1 : (step < 6 ? 6 : 12);

  g_date_clear (&date, 1);
  g_date_set_julian (&date, self->first_julian);
  g_date_set_day (&date, 1);
  if (g_date_get_julian (&date) < self->first_julian)
    g_date_add_months (&date, 1);

  for (; g_date_get_julian (&date) <= self->last_julian; g_date_add_months (&date, 1))
    {
      double x = x_of_julian (self, g_date_get_julian (&date), width);
      gboolean january = g_date_get_month (&date) == G_DATE_JANUARY;
      g_autoptr(GDateTime) dt = NULL;
      g_autoptr(PangoLayout) layout = NULL;
      g_autofree char *text = NULL;
      int w;

      gtk_snapshot_append_color (snapshot, &tick_color,
                                 &GRAPHENE_RECT_INIT (x - 0.5, TRACK_Y - TRACK_H / 2 - 5, 1, TRACK_H + 10));

      if ((g_date_get_month (&date) - 1) % step != 0)
        continue;

      dt = g_date_time_new_utc (g_date_get_year (&date), g_date_get_month (&date), 1, 0, 0, 0);
      /* the year where it starts, and on the first label */
      if (january || !labelled)
        /* Translators: a month label on the timeline where a year starts,
         * a g_date_time_format() format; "%Y年%-m月" in Chinese. */
        text = g_date_time_format (dt, _("%b %Y"));
      else
        /* Translators: a month label on the timeline, a
         * g_date_time_format() format; "%-m月" in Chinese. */
        text = g_date_time_format (dt, _("%b"));

      labelled = TRUE;
      layout = new_layout (self, text, january, TRUE, -1);
      pango_layout_get_pixel_size (layout, &w, NULL);
      append_layout_at (snapshot, layout,
                        CLAMP (x - w / 2.0, 0, MAX (0, width - w)), 0, &text_color);
    }
}

static void
append_legend (ProcuraTimeline *self,
               GtkSnapshot     *snapshot,
               int              width,
               double           y)
{
  const ProcuraFieldInfo *status = procura_entity_lookup_field (procura_schema_lookup ("milestone"), "status");
  const struct { MarkKind kind; const char *code; } items[] = {
    { MARK_PLANNED, "planned" },
    { MARK_SUBMITTED, "submitted" },
    { MARK_RETURNED, "returned" },
    { MARK_ACCEPTED, "accepted" },
    { MARK_OVERDUE, NULL },
  };
  GdkRGBA text_color = foreground (self, 0.6f);
  GdkRGBA today_color = lookup_color (self, "accent_color", "#1c71d8");
  PangoLayout *layouts[G_N_ELEMENTS (items) + 1];
  double total = 0;
  double x;
  int h = 0;

  for (guint i = 0; i <= G_N_ELEMENTS (items); i++)
    {
      const char *text;
      int w;

      if (i == G_N_ELEMENTS (items))
        text = _("Today");
      else if (items[i].code == NULL)
        text = _("Overdue");
      else
        text = procura_field_enum_label (status, items[i].code);

      layouts[i] = new_layout (self, text, FALSE, TRUE, -1);
      pango_layout_get_pixel_size (layouts[i], &w, &h);
      total += 10 + 6 + w + 16;
    }

  x = MAX (0, width - PAD_X - total + 16);

  for (guint i = 0; i <= G_N_ELEMENTS (items); i++)
    {
      int w;

      if (i == G_N_ELEMENTS (items))
        gtk_snapshot_append_color (snapshot, &today_color,
                                   &GRAPHENE_RECT_INIT (x + 4, y + h / 2.0 - 6, 2, 12));
      else
        append_marker (self, snapshot, items[i].kind, x + 5, y + h / 2.0, 4.5);

      pango_layout_get_pixel_size (layouts[i], &w, NULL);
      append_layout_at (snapshot, layouts[i], x + 16, y, &text_color);
      x += 10 + 6 + w + 16;
      g_object_unref (layouts[i]);
    }
}

/* Parent class overrides */

static GtkSizeRequestMode
procura_timeline_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
procura_timeline_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  ProcuraTimeline *self = PROCURA_TIMELINE (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 720;
    }
  else
    {
      guint n_lanes = layout_labels (self, for_size > 0 ? for_size : 720);

      *minimum = *natural = height_for_lanes (n_lanes);
    }
}

static void
procura_timeline_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  layout_labels (PROCURA_TIMELINE (widget), width);
}

static void
procura_timeline_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  ProcuraTimeline *self = PROCURA_TIMELINE (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA track = foreground (self, 0.12f);
  GdkRGBA elapsed = lookup_color (self, "accent_color", "#1c71d8");
  GdkRGBA leader = foreground (self, 0.2f);
  GdkRGBA title_color = foreground (self, 0.9f);
  GdkRGBA date_color = foreground (self, 0.55f);
  GdkRGBA today_color = lookup_color (self, "accent_color", "#1c71d8");
  GskRoundedRect rect;
  guint today = julian_of (self->today);
  double lanes_bottom;

  if (width <= 0 || height <= 0)
    return;

  if (self->laid_out_width != width)
    layout_labels (self, width);

  lanes_bottom = LANES_Y + MAX (1, self->n_lanes) * LANE_H;

  /* the track, and the time elapsed of the contract period */
  gsk_rounded_rect_init_from_rect (&rect,
                                   &GRAPHENE_RECT_INIT (PAD_X, TRACK_Y - TRACK_H / 2, width - 2 * PAD_X, TRACK_H),
                                   TRACK_H / 2);
  gtk_snapshot_push_rounded_clip (snapshot, &rect);
  gtk_snapshot_append_color (snapshot, &track, &rect.bounds);
  if (today > self->first_julian)
    {
      double x = x_of_julian (self, MIN (today, self->last_julian), width);

      elapsed.alpha = 0.35f;
      gtk_snapshot_append_color (snapshot, &elapsed,
                                 &GRAPHENE_RECT_INIT (PAD_X, TRACK_Y - TRACK_H / 2, x - PAD_X, TRACK_H));
    }
  gtk_snapshot_pop (snapshot);

  append_month_ticks (self, snapshot, width);

  /* leaders, behind the markers */
  for (guint i = 0; i < self->markers->len; i++)
    {
      Marker *marker = g_ptr_array_index (self->markers, i);
      double bottom = LANES_Y + marker->lane * LANE_H - 2;

      gtk_snapshot_append_color (snapshot, &leader,
                                 &GRAPHENE_RECT_INIT (marker->x - 0.5, TRACK_Y + MARKER_R, 1, bottom - TRACK_Y - MARKER_R));
    }

  /* the today line */
  if (today >= self->first_julian && today <= self->last_julian)
    {
      double x = x_of_julian (self, today, width);

      gtk_snapshot_append_color (snapshot, &today_color,
                                 &GRAPHENE_RECT_INIT (x - 1, MONTH_ROW_H + 2, 2, TRACK_Y + MARKER_R + 6 - MONTH_ROW_H - 2));
    }

  for (guint i = 0; i < self->markers->len; i++)
    {
      Marker *marker = g_ptr_array_index (self->markers, i);

      append_marker (self, snapshot, mark_kind (marker), marker->x, TRACK_Y, MARKER_R);
    }

  /* labels */
  for (guint i = 0; i < self->markers->len; i++)
    {
      Marker *marker = g_ptr_array_index (self->markers, i);
      g_autoptr(PangoLayout) title = new_layout (self, marker->title, FALSE, FALSE, MAX_LABEL_W);
      g_autofree char *date_text = short_date (marker->due_date);
      g_autoptr(PangoLayout) date = new_layout (self, date_text, mark_kind (marker) == MARK_OVERDUE, TRUE, MAX_LABEL_W);
      GdkRGBA date_fg = mark_kind (marker) == MARK_OVERDUE ? mark_color (self, MARK_OVERDUE) : date_color;
      double y = LANES_Y + marker->lane * LANE_H;
      int tw, dw, th;

      pango_layout_get_pixel_size (title, &tw, &th);
      pango_layout_get_pixel_size (date, &dw, NULL);
      append_layout_at (snapshot, title, marker->label_x + (marker->label_w - tw) / 2, y, &title_color);
      append_layout_at (snapshot, date, marker->label_x + (marker->label_w - dw) / 2, y + th, &date_fg);
    }

  append_legend (self, snapshot, width, lanes_bottom + LEGEND_GAP);
}

static gboolean
procura_timeline_query_tooltip (GtkWidget  *widget,
                                int         x,
                                int         y,
                                gboolean    keyboard_tooltip,
                                GtkTooltip *tooltip)
{
  ProcuraTimeline *self = PROCURA_TIMELINE (widget);
  const ProcuraFieldInfo *status = procura_entity_lookup_field (procura_schema_lookup ("milestone"), "status");
  const char *id = procura_timeline_get_milestone_at (self, x, y);
  g_autoptr(GString) markup = NULL;
  g_autofree char *title = NULL;
  g_autofree char *due = NULL;

  if (id == NULL)
    return FALSE;

  for (guint i = 0; i < self->markers->len; i++)
    {
      Marker *marker = g_ptr_array_index (self->markers, i);

      if (g_strcmp0 (marker->id, id) != 0)
        continue;

      markup = g_string_new (NULL);
      title = g_markup_escape_text (marker->title, -1);
      due = procura_date_format_display (marker->due_date);
      g_string_append_printf (markup, "<b>%s</b>\n", title);
      /* Translators: in the timeline's tooltip; %s is a date */
      g_string_append_printf (markup, _("Due %s"), due);
      g_string_append_c (markup, '\n');
      g_string_append (markup, procura_field_enum_label (status, marker->status));
      if (marker->date_met != NULL)
        {
          g_autofree char *met = procura_date_format_display (marker->date_met);

          g_string_append (markup, " · ");
          /* Translators: in the timeline's tooltip; %s is a date */
          g_string_append_printf (markup, _("met %s"), met);
        }
      if (marker->overdue)
        {
          g_string_append (markup, " · ");
          g_string_append (markup, _("Overdue"));
        }
      gtk_tooltip_set_markup (tooltip, markup->str);
      return TRUE;
    }

  return FALSE;
}

/* Signal callbacks */

static void
click_released_cb (GtkGestureClick *gesture,
                   int              n_press,
                   double           x,
                   double           y,
                   ProcuraTimeline *self)
{
  const char *id = procura_timeline_get_milestone_at (self, x, y);

  if (id != NULL)
    {
      g_autofree char *copy = g_strdup (id);

      g_signal_emit (self, signals [MILESTONE_ACTIVATED], 0, copy);
    }
}

/* GObject */

static void
procura_timeline_finalize (GObject *object)
{
  ProcuraTimeline *self = (ProcuraTimeline *)object;

  g_clear_pointer (&self->markers, g_ptr_array_unref);
  g_clear_pointer (&self->start_date, g_free);
  g_clear_pointer (&self->end_date, g_free);
  g_clear_pointer (&self->today, g_free);

  G_OBJECT_CLASS (procura_timeline_parent_class)->finalize (object);
}

static void
procura_timeline_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ProcuraTimeline *self = PROCURA_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_START_DATE:
      g_value_set_string (value, self->start_date);
      break;

    case PROP_END_DATE:
      g_value_set_string (value, self->end_date);
      break;

    case PROP_TODAY:
      g_value_set_string (value, self->today);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_timeline_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ProcuraTimeline *self = PROCURA_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_START_DATE:
      procura_timeline_set_start_date (self, g_value_get_string (value));
      break;

    case PROP_END_DATE:
      procura_timeline_set_end_date (self, g_value_get_string (value));
      break;

    case PROP_TODAY:
      procura_timeline_set_today (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_timeline_class_init (ProcuraTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = procura_timeline_finalize;
  object_class->get_property = procura_timeline_get_property;
  object_class->set_property = procura_timeline_set_property;

  widget_class->get_request_mode = procura_timeline_get_request_mode;
  widget_class->measure = procura_timeline_measure;
  widget_class->size_allocate = procura_timeline_size_allocate;
  widget_class->snapshot = procura_timeline_snapshot;
  widget_class->query_tooltip = procura_timeline_query_tooltip;

  properties [PROP_START_DATE] =
    g_param_spec_string ("start-date", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_END_DATE] =
    g_param_spec_string ("end-date", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_TODAY] =
    g_param_spec_string ("today", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ProcuraTimeline::milestone-activated:
   * @id: the milestone's id
   *
   * A milestone's marker was clicked.
   */
  signals [MILESTONE_ACTIVATED] =
    g_signal_new ("milestone-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_css_name (widget_class, "timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
procura_timeline_init (ProcuraTimeline *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->markers = g_ptr_array_new_with_free_func (marker_free);

  g_signal_connect_object (click, "released", G_CALLBACK (click_released_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Milestone timeline"),
                                  -1);
}

/* Public API */

GtkWidget *
procura_timeline_new (void)
{
  return g_object_new (PROCURA_TYPE_TIMELINE, NULL);
}

static void
set_date_property (ProcuraTimeline  *self,
                   char            **field,
                   const char       *value,
                   guint             prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  self->laid_out_width = -1;

  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties [prop]);
}

const char *
procura_timeline_get_start_date (ProcuraTimeline *self)
{
  g_return_val_if_fail (PROCURA_IS_TIMELINE (self), NULL);

  return self->start_date;
}

void
procura_timeline_set_start_date (ProcuraTimeline *self,
                                 const char      *start_date)
{
  g_return_if_fail (PROCURA_IS_TIMELINE (self));

  set_date_property (self, &self->start_date, start_date, PROP_START_DATE);
}

const char *
procura_timeline_get_end_date (ProcuraTimeline *self)
{
  g_return_val_if_fail (PROCURA_IS_TIMELINE (self), NULL);

  return self->end_date;
}

void
procura_timeline_set_end_date (ProcuraTimeline *self,
                               const char      *end_date)
{
  g_return_if_fail (PROCURA_IS_TIMELINE (self));

  set_date_property (self, &self->end_date, end_date, PROP_END_DATE);
}

const char *
procura_timeline_get_today (ProcuraTimeline *self)
{
  g_return_val_if_fail (PROCURA_IS_TIMELINE (self), NULL);

  return self->today;
}

void
procura_timeline_set_today (ProcuraTimeline *self,
                            const char      *today)
{
  g_return_if_fail (PROCURA_IS_TIMELINE (self));

  set_date_property (self, &self->today, today, PROP_TODAY);
}

void
procura_timeline_remove_all (ProcuraTimeline *self)
{
  g_return_if_fail (PROCURA_IS_TIMELINE (self));

  if (self->markers->len == 0)
    return;

  g_ptr_array_set_size (self->markers, 0);
  self->laid_out_width = -1;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
procura_timeline_add_milestone (ProcuraTimeline *self,
                                const char      *id,
                                const char      *title,
                                const char      *due_date,
                                const char      *date_met,
                                const char      *status,
                                gboolean         overdue)
{
  Marker *marker;

  g_return_if_fail (PROCURA_IS_TIMELINE (self));
  g_return_if_fail (id != NULL);

  marker = g_new0 (Marker, 1);
  marker->id = g_strdup (id);
  marker->title = g_strdup (title != NULL ? title : "");
  marker->due_date = g_strdup (due_date);
  marker->date_met = g_strdup (date_met);
  marker->status = g_strdup (status);
  marker->overdue = !!overdue;
  marker->julian = julian_of (due_date);

  g_ptr_array_add (self->markers, marker);
  g_ptr_array_sort (self->markers, compare_markers);

  self->laid_out_width = -1;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
procura_timeline_get_n_milestones (ProcuraTimeline *self)
{
  g_return_val_if_fail (PROCURA_IS_TIMELINE (self), 0);

  return self->markers->len;
}

const char *
procura_timeline_get_milestone_at (ProcuraTimeline *self,
                                   double           x,
                                   double           y)
{
  const char *best = NULL;
  double best_distance = G_MAXDOUBLE;

  g_return_val_if_fail (PROCURA_IS_TIMELINE (self), NULL);

  if (self->laid_out_width != gtk_widget_get_width (GTK_WIDGET (self)))
    layout_labels (self, gtk_widget_get_width (GTK_WIDGET (self)));

  for (guint i = 0; i < self->markers->len; i++)
    {
      Marker *marker = g_ptr_array_index (self->markers, i);
      double label_y = LANES_Y + marker->lane * LANE_H;

      /* on the marker */
      if (ABS (y - TRACK_Y) <= MARKER_R + 4 && ABS (x - marker->x) <= MARKER_R + 4)
        {
          if (ABS (x - marker->x) < best_distance)
            {
              best_distance = ABS (x - marker->x);
              best = marker->id;
            }
          continue;
        }

      /* on its label */
      if (best == NULL &&
          x >= marker->label_x && x <= marker->label_x + marker->label_w &&
          y >= label_y && y < label_y + LANE_H - 4)
        best = marker->id;
    }

  return best;
}
