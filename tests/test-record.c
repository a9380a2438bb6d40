/* test-record.c — records: parsing what people type, canonical text,
 * display and the JSON form
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "procura-error.h"
#include "procura-json.h"
#include "procura-record.h"
#include "procura-schema.h"
#include "procura-test-utils.h"

#define SOME_ID  "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
#define OTHER_ID "6fa459ea-ee8a-3ca4-894e-db77e160355e"

/* ---- helpers ------------------------------------------------------- */

static const ProcuraFieldInfo *
field_of (const char *entity,
          const char *name)
{
  const ProcuraEntityInfo *info = procura_schema_lookup (entity);
  const ProcuraFieldInfo *field;

  g_assert_nonnull (info);
  field = procura_entity_lookup_field (info, name);
  g_assert_nonnull (field);

  return field;
}

/* Parses text into entity.name through a record and returns the slot. */
static GVariant *
parse_ok (const char *entity,
          const char *name,
          const char *text)
{
  g_autoptr(ProcuraRecord) record = procura_record_new (procura_schema_lookup (entity), NULL);
  g_autoptr(GError) error = NULL;
  int index = procura_entity_field_index (procura_schema_lookup (entity), name);
  GVariant *value;

  g_assert_cmpint (index, >=, 0);
  g_test_message ("parsing %s.%s “%s”", entity, name, text != NULL ? text : "(null)");
  g_assert_true (procura_record_set_from_text (record, name, text, &error));
  g_assert_no_error (error);
  g_assert_true (procura_record_is_set (record, index));

  value = procura_record_get_value (record, index);
  return value != NULL ? g_variant_ref (value) : NULL;
}

/* The same, asserting the slot holds a value of type. */
static GVariant *
parse_as (const char         *entity,
          const char         *name,
          const char         *text,
          const GVariantType *type)
{
  GVariant *value = parse_ok (entity, name, text);

  g_assert_nonnull (value);
  g_assert_true (g_variant_is_of_type (value, type));

  return value;
}

static void
assert_parse_int (const char *entity,
                  const char *name,
                  const char *text,
                  gint64      expected)
{
  g_autoptr(GVariant) value = parse_as (entity, name, text, G_VARIANT_TYPE_INT64);

  g_assert_cmpint (g_variant_get_int64 (value), ==, expected);
}

static void
assert_parse_string (const char *entity,
                     const char *name,
                     const char *text,
                     const char *expected)
{
  g_autoptr(GVariant) value = parse_as (entity, name, text, G_VARIANT_TYPE_STRING);

  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, expected);
}

static void
assert_parse_bool (const char *entity,
                   const char *name,
                   const char *text,
                   gboolean    expected)
{
  g_autoptr(GVariant) value = parse_as (entity, name, text, G_VARIANT_TYPE_BOOLEAN);

  g_assert_cmpint (g_variant_get_boolean (value), ==, expected);
}

/* A refused text leaves the slot as it was and names the field. */
static void
assert_parse_refused (const char *entity,
                      const char *name,
                      const char *text,
                      const char *label)
{
  const ProcuraEntityInfo *info = procura_schema_lookup (entity);
  g_autoptr(ProcuraRecord) record = procura_record_new (info, NULL);
  g_autoptr(GError) error = NULL;
  int index = procura_entity_field_index (info, name);

  g_assert_cmpint (index, >=, 0);
  g_test_message ("refusing %s.%s “%s”", entity, name, text);
  g_assert_false (procura_record_set_from_text (record, name, text, &error));
  assert_error_names (error, PROCURA_ERROR_INVALID, label);
  g_assert_false (procura_record_is_set (record, index));
}

/* ---- money --------------------------------------------------------- */

static void
test_parse_money_formats (void)
{
  static const struct { const char *text; gint64 fen; } rows[] = {
    { "1234.56", 123456 },
    { "1,234.56", 123456 },
    { "¥1,234.56", 123456 },
    { "￥1234.56", 123456 },
    { "1234.56元", 123456 },
    { "12.5万", 12500000 },
    { "12.5万元", 12500000 },
    { "100", 10000 },
    { "0", 0 },
    { "  88.8  ", 8880 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    assert_parse_int ("project", "value", rows[i].text, rows[i].fen);

  /* A money field that may be negative (an amendment may reduce). */
  assert_parse_int ("amendment", "value_delta", "-300", -30000);
  assert_parse_int ("amendment", "value_delta", "-1.5万", -1500000);
  assert_parse_int ("payment", "planned_amount", "3万元", 3000000);
}

static void
test_parse_money_refused (void)
{
  static const char * const bad[] = {
    "12.345",      /* finer than a fen */
    "abc",
    "1,23.45",     /* misplaced separator */
    "1.2.3",
    "$100",
    "-300",        /* contract value is never negative */
    "1e5",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_parse_refused ("project", "value", bad[i], "Contract value");
  assert_parse_refused ("payment", "paid_amount", "-1", "Amount paid");
  assert_parse_refused ("project", "budget", "十万", "Budget");
}

/* A failed parse must not touch what the slot held before. */
static void
test_parse_refused_keeps_value (void)
{
  g_autoptr(ProcuraRecord) record = procura_record_new (PROCURA_ENTITY_PROJECT, NULL);
  g_autoptr(GError) error = NULL;

  procura_record_set_int (record, "value", 4242);
  g_assert_false (procura_record_set_from_text (record, "value", "12.345", &error));
  assert_error_names (error, PROCURA_ERROR_INVALID, "Contract value");
  g_assert_cmpint (procura_record_get_int (record, "value", -1), ==, 4242);
  g_clear_error (&error);

  procura_record_set_string (record, "start_date", "2021-01-01");
  g_assert_false (procura_record_set_from_text (record, "start_date", "2021-02-30", &error));
  assert_error_names (error, PROCURA_ERROR_INVALID, "Start date");
  g_assert_cmpstr (procura_record_get_string (record, "start_date"), ==, "2021-01-01");
}

/* ---- dates, months, timestamps ------------------------------------- */

static void
test_parse_dates (void)
{
  static const char * const forms[] = {
    "2021-08-01",
    "2021-8-1",
    "2021/8/1",
    "2021/08/01",
    "2021.8.1",
    "2021年8月1日",
    "2021年8月1号",
    "2021年08月01日",
    "  2021/8/1  ",
  };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    assert_parse_string ("project", "start_date", forms[i], "2021-08-01");

  assert_parse_string ("milestone", "due_date", "2020/2/29", "2020-02-29");
  assert_parse_string ("payment", "paid_date", "2021年12月31日", "2021-12-31");

  assert_parse_refused ("project", "start_date", "2021-02-30", "Start date");
  assert_parse_refused ("project", "end_date", "2021/13/1", "End date");
  assert_parse_refused ("project", "end_date", "2021-8/1", "End date");
  assert_parse_refused ("milestone", "due_date", "yesterday", "Due date");
  assert_parse_refused ("milestone", "due_date", "2019-02-29", "Due date");
  assert_parse_refused ("payment", "paid_date", "1.8.2021", "Date paid");
}

static void
test_parse_month (void)
{
  assert_parse_string ("consultation", "month", "2021-08", "2021-08");
  assert_parse_refused ("consultation", "month", "2021-13", "Month");
  assert_parse_refused ("consultation", "month", "August", "Month");
  assert_parse_refused ("consultation", "month", "2021-08-01", "Month");
}

static void
test_parse_timestamp (void)
{
  assert_parse_string ("report", "submitted_at", "2021-08-01T08:30:00+08:00", "2021-08-01T00:30:00Z");
  assert_parse_string ("report", "submitted_at", "2021-08-01T00:30:00Z", "2021-08-01T00:30:00Z");
  assert_parse_refused ("report", "submitted_at", "2021-08-01 08:30", "Submitted at");
  assert_parse_refused ("report", "reviewed_at", "now", "Reviewed at");
}

/* ---- numbers ------------------------------------------------------- */

static void
test_parse_int (void)
{
  assert_parse_int ("project", "budget_year", "2021", 2021);
  assert_parse_int ("activity", "participants", " 35 ", 35);
  assert_parse_int ("activity", "participants", "0", 0);
  assert_parse_int ("criterion", "level", "2", 2);

  assert_parse_refused ("activity", "participants", "-1", "Participants");
  assert_parse_refused ("activity", "residents", "4.5", "Residents");
  assert_parse_refused ("project", "budget_year", "二〇二一", "Budget year");
  assert_parse_refused ("attachment", "size", "99999999999999999999999", "Size");
}

static void
test_parse_decimal (void)
{
  assert_parse_int ("criterion", "weight", "85.5", 8550);
  assert_parse_int ("criterion", "weight", "100", 10000);
  assert_parse_int ("criterion", "score", "0.05", 5);
  assert_parse_int ("indicator", "target_value", "70%", 7000);
  assert_parse_int ("indicator", "baseline_value", "-3.25", -325);

  assert_parse_refused ("criterion", "weight", "1.234", "Weight");
  assert_parse_refused ("criterion", "weight", "-1", "Weight");
  assert_parse_refused ("criterion", "score", "lots", "Score");
}

/* ---- enumerations and booleans -------------------------------------- */

static void
test_parse_enum (void)
{
  /* by code */
  assert_parse_string ("project", "status", "active", "active");
  assert_parse_string ("project", "category", "community_governance", "community_governance");
  assert_parse_string ("milestone", "type", "delivery", "delivery");
  /* by English label, any case */
  assert_parse_string ("project", "status", "In progress", "active");
  assert_parse_string ("project", "status", "in PROGRESS", "active");
  assert_parse_string ("project", "method", "Single source", "single_source");
  assert_parse_string ("report", "state", "Returned for changes", "returned");
  assert_parse_string ("evaluation", "kind", "Mid-term evaluation", "midterm");
  assert_parse_string ("activity", "kind", "Consultation meeting", "consultation_meeting");
  assert_parse_string ("organization", "kind", "Social work agency", "social_work_agency");

  assert_parse_refused ("project", "status", "bogus", "Status");
  assert_parse_refused ("project", "category", "Elderly", "Service category");
  assert_parse_refused ("milestone", "status", "done", "Status");
}

static void
test_parse_enum_message_lists_codes (void)
{
  g_autoptr(ProcuraRecord) record = procura_record_new (PROCURA_ENTITY_PAYMENT, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (procura_record_set_from_text (record, "status", "settled", &error));
  assert_error_names (error, PROCURA_ERROR_INVALID, "Status");
  g_assert_nonnull (strstr (error->message, "settled"));
  g_assert_nonnull (strstr (error->message, "planned"));
  g_assert_nonnull (strstr (error->message, "payable"));
  g_assert_nonnull (strstr (error->message, "paid"));
}

static void
test_parse_bool (void)
{
  static const struct { const char *text; gboolean value; } rows[] = {
    { "是", TRUE }, { "否", FALSE },
    { "true", TRUE }, { "false", FALSE },
    { "Yes", TRUE }, { "no", FALSE },
    { "1", TRUE }, { "0", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    assert_parse_bool ("milestone", "outside_period_allowed", rows[i].text, rows[i].value);
  assert_parse_bool ("indicator", "ascending", " 是 ", TRUE);

  assert_parse_refused ("milestone", "outside_period_allowed", "maybe",
                        "Allowed outside the contract period");
  assert_parse_refused ("attachment", "contains_personal_info", "2",
                        "Contains personal information");
}

static void
test_parse_text (void)
{
  assert_parse_string ("project", "title", "  社区长者关爱服务  ", "社区长者关爱服务");
  assert_parse_string ("project", "agency_id", " " SOME_ID " ", SOME_ID);
  assert_parse_refused ("project", "title", "\xff\xfe", "Project title");
}

/* A value of the field's type that differs from the defaults. */
static GVariant *
sample_value (const ProcuraFieldInfo *field)
{
  switch (field->type)
    {
    case PROCURA_FIELD_TEXT:
      return g_variant_new_printf ("样本 %s “quoted” \\ \n", field->name);
    case PROCURA_FIELD_INT:
      return g_variant_new_int64 (42);
    case PROCURA_FIELD_MONEY:
      return g_variant_new_int64 (123456789);
    case PROCURA_FIELD_DECIMAL:
      return g_variant_new_int64 (8555);
    case PROCURA_FIELD_DATE:
      return g_variant_new_string ("2021-08-01");
    case PROCURA_FIELD_MONTH:
      return g_variant_new_string ("2021-08");
    case PROCURA_FIELD_TIMESTAMP:
      return g_variant_new_string ("2021-08-01T00:30:00Z");
    case PROCURA_FIELD_BOOL:
      return g_variant_new_boolean (TRUE);
    case PROCURA_FIELD_ENUM:
      {
        const ProcuraEnumValue *last = field->enum_values;

        for (guint i = 0; i < 64 && field->enum_values[i].code != NULL; i++)
          last = &field->enum_values[i];
        return g_variant_new_string (last->code);
      }
    case PROCURA_FIELD_REF:
      return g_variant_new_string (OTHER_ID);
    default:
      g_assert_not_reached ();
    }
}

/* Empty (or blank) text sets null, for every field of every entity. */
static void
test_parse_empty_is_null (void)
{
  const ProcuraEntityInfo * const *all;
  guint n_all;

  all = procura_schema_entities (&n_all);
  g_assert_cmpuint (n_all, >, 0);

  for (guint e = 0; e < n_all; e++)
    for (guint i = 0; i < all[e]->n_fields; i++)
      {
        static const char * const blanks[] = { "", "   ", "\t\n", NULL };

        for (guint b = 0; b < G_N_ELEMENTS (blanks); b++)
          {
            g_autoptr(ProcuraRecord) record = procura_record_new (all[e], NULL);
            g_autoptr(GError) error = NULL;

            procura_record_set_value (record, i, sample_value (&all[e]->fields[i]));
            g_assert_nonnull (procura_record_get_value (record, i));
            g_assert_true (procura_record_set_from_text (record, all[e]->fields[i].name, blanks[b], &error));
            g_assert_no_error (error);
            g_assert_true (procura_record_is_set (record, i));
            g_assert_null (procura_record_get_value (record, i));
          }
      }
}

static void
test_parse_unknown_field (void)
{
  g_autoptr(ProcuraRecord) record = procura_record_new (PROCURA_ENTITY_PROJECT, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (procura_record_set_from_text (record, "colour", "blue", &error));
  assert_error_names (error, PROCURA_ERROR_INVALID, "colour");
  g_assert_nonnull (strstr (error->message, "Project"));
  g_assert_cmpuint (procura_record_count_set (record), ==, 0);
}

/* ---- canonical text ------------------------------------------------- */

typedef struct
{
  const char *entity;
  const char *field;
  const char *canonical;  /* procura_field_value_to_text() of the value */
} TextRow;

static void
test_value_text_round_trip (void)
{
  static const TextRow rows[] = {
    { "project", "title", "社区长者关爱服务" },
    { "project", "value", "123456" },
    { "amendment", "value_delta", "-30000" },
    { "criterion", "weight", "85.5" },
    { "criterion", "score", "0.05" },
    { "criterion", "weight", "100" },
    { "indicator", "baseline_value", "-3.25" },
    { "project", "budget_year", "2021" },
    { "project", "start_date", "2021-08-01" },
    { "consultation", "month", "2021-08" },
    { "report", "submitted_at", "2021-08-01T00:30:00Z" },
    { "milestone", "outside_period_allowed", "true" },
    { "milestone", "outside_period_allowed", "false" },
    { "project", "status", "active" },
    { "project", "agency_id", SOME_ID },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const ProcuraFieldInfo *field = field_of (rows[i].entity, rows[i].field);
      g_autoptr(GVariant) value = procura_field_value_from_text (field, rows[i].canonical);
      g_autofree char *text = NULL;

      g_test_message ("%s.%s “%s”", rows[i].entity, rows[i].field, rows[i].canonical);
      g_assert_nonnull (value);
      g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE (procura_field_variant_type (field))));
      text = procura_field_value_to_text (field, value);
      g_assert_cmpstr (text, ==, rows[i].canonical);
    }
}

/* Parsed values have the canonical text history keeps. */
static void
test_value_text_canonical (void)
{
  static const struct { const char *entity, *field, *typed, *canonical; } rows[] = {
    { "project", "value", "12.5万", "12500000" },
    { "project", "value", "¥1,234.56", "123456" },
    { "criterion", "weight", "85.50", "85.5" },
    { "indicator", "target_value", "70%", "70" },
    { "project", "start_date", "2021年8月1日", "2021-08-01" },
    { "milestone", "outside_period_allowed", "是", "true" },
    { "milestone", "outside_period_allowed", "否", "false" },
    { "project", "status", "In progress", "active" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const ProcuraFieldInfo *field = field_of (rows[i].entity, rows[i].field);
      g_autoptr(GVariant) value = NULL;
      g_autoptr(GVariant) back = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      g_assert_true (procura_field_parse_text (field, rows[i].typed, &value, &error));
      g_assert_no_error (error);
      text = procura_field_value_to_text (field, value);
      g_assert_cmpstr (text, ==, rows[i].canonical);
      back = procura_field_value_from_text (field, text);
      g_assert_true (procura_field_value_equal (value, back));
    }
}

static void
test_value_text_null (void)
{
  const ProcuraFieldInfo *field = field_of ("project", "value");
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (procura_field_value_to_text (field, NULL));
  g_assert_null (procura_field_value_from_text (field, NULL));
  g_assert_true (procura_field_parse_text (field, NULL, &value, &error));
  g_assert_no_error (error);
  g_assert_null (value);
  g_assert_true (procura_field_value_equal (NULL, NULL));
}

/* ---- display -------------------------------------------------------- */

static void
test_display (void)
{
  static const struct { const char *entity, *field, *canonical, *shown; } rows[] = {
    { "project", "value", "123456", "¥1,234.56" },
    { "project", "value", "12500000", "¥125,000.00" },
    { "amendment", "value_delta", "-30000", "-¥300.00" },
    { "project", "status", "active", "In progress" },
    { "report", "state", "returned", "Returned for changes" },
    { "milestone", "outside_period_allowed", "true", "Yes" },
    { "milestone", "outside_period_allowed", "false", "No" },
    { "project", "start_date", "2021-08-01", "1 Aug 2021" },
    { "criterion", "weight", "85.5", "85.5" },
    { "project", "budget_year", "2021", "2021" },
    { "project", "title", "长者关爱", "长者关爱" },
    { "consultation", "month", "2021-08", "2021-08" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const ProcuraFieldInfo *field = field_of (rows[i].entity, rows[i].field);
      g_autoptr(GVariant) value = procura_field_value_from_text (field, rows[i].canonical);
      g_autofree char *shown = procura_field_value_to_display (field, value);

      g_assert_cmpstr (shown, ==, rows[i].shown);
    }

  {
    g_autofree char *empty = procura_field_value_to_display (field_of ("project", "value"), NULL);
    g_assert_cmpstr (empty, ==, "");
  }
}

/* ---- record basics -------------------------------------------------- */

static void
test_record_slots (void)
{
  g_autoptr(ProcuraRecord) record = procura_record_new (PROCURA_ENTITY_MILESTONE, SOME_ID);
  g_autoptr(ProcuraRecord) copy = NULL;
  int title = procura_entity_field_index (PROCURA_ENTITY_MILESTONE, "title");

  g_assert_cmpstr (procura_record_get_id (record), ==, SOME_ID);
  g_assert_cmpuint (procura_record_count_set (record), ==, 0);
  g_assert_false (procura_record_is_set (record, title));

  procura_record_set_string (record, "title", "第一季度");
  procura_record_set_null (record, "description");
  procura_record_set_bool (record, "outside_period_allowed", TRUE);
  g_assert_cmpuint (procura_record_count_set (record), ==, 3);
  g_assert_true (procura_record_has (record, "title"));
  g_assert_false (procura_record_has (record, "description"));  /* set, but null */
  g_assert_true (procura_record_get_bool (record, "outside_period_allowed"));
  g_assert_cmpint (procura_record_get_int (record, "outside_period_allowed", 7), ==, 7);  /* not an int */

  copy = procura_record_copy (record);
  procura_record_set_string (record, "title", "changed");
  g_assert_cmpstr (procura_record_get_string (copy, "title"), ==, "第一季度");
  g_assert_cmpuint (procura_record_count_set (copy), ==, 3);

  procura_record_unset (record, title);
  g_assert_false (procura_record_is_set (record, title));
  g_assert_cmpuint (procura_record_count_set (record), ==, 2);
}

/* ---- JSON ----------------------------------------------------------- */

static void
assert_records_equal (const ProcuraRecord *a,
                      const ProcuraRecord *b)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (a);

  g_assert_true (procura_record_get_entity (b) == entity);
  g_assert_cmpstr (procura_record_get_id (a), ==, procura_record_get_id (b));
  g_assert_cmpint (procura_record_get_rev (a), ==, procura_record_get_rev (b));
  g_assert_cmpint (procura_record_get_deleted (a), ==, procura_record_get_deleted (b));
  g_assert_cmpstr (procura_record_get_updated_at (a), ==, procura_record_get_updated_at (b));

  for (guint i = 0; i < entity->n_fields; i++)
    {
      GVariant *va = procura_record_get_value (a, i);
      GVariant *vb = procura_record_get_value (b, i);

      if (procura_record_is_set (a, i) != procura_record_is_set (b, i) ||
          !procura_field_value_equal (va, vb))
        {
          g_autofree char *ta = va != NULL ? g_variant_print (va, TRUE) : g_strdup ("null");
          g_autofree char *tb = vb != NULL ? g_variant_print (vb, TRUE) : g_strdup ("null");

          g_test_message ("%s.%s: %s (set %d) vs %s (set %d)", entity->name, entity->fields[i].name,
                          ta, procura_record_is_set (a, i), tb, procura_record_is_set (b, i));
        }
      g_assert_cmpint (procura_record_is_set (a, i), ==, procura_record_is_set (b, i));
      g_assert_true (procura_field_value_equal (va, vb));
    }
}

static ProcuraRecord *
json_round_trip (const ProcuraRecord *record)
{
  g_autoptr(JsonNode) node = procura_record_to_json (record);
  g_autofree char *text = procura_json_to_string (node, FALSE);
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraRecord *back;

  /* through text, as sync and exports carry it */
  parsed = json_from_string (text, &error);
  g_assert_no_error (error);
  back = procura_record_from_json (parsed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);

  return back;
}

static void
test_json_round_trip_entity (gconstpointer data)
{
  const ProcuraEntityInfo *entity = data;
  g_autoptr(ProcuraRecord) full = procura_record_new (entity, SOME_ID);
  g_autoptr(ProcuraRecord) back = NULL;
  g_autoptr(ProcuraRecord) sparse = procura_record_new (entity, OTHER_ID);
  g_autoptr(ProcuraRecord) sparse_back = NULL;

  /* every field set */
  for (guint i = 0; i < entity->n_fields; i++)
    procura_record_set_value (full, i, sample_value (&entity->fields[i]));
  procura_record_set_rev (full, 17);
  procura_record_set_updated_at (full, "2021-09-15T02:03:04Z");
  back = json_round_trip (full);
  assert_records_equal (full, back);
  g_assert_cmpuint (procura_record_count_set (back), ==, entity->n_fields);

  /* alternately null and unset: null stays null, unset stays unset */
  for (guint i = 0; i < entity->n_fields; i++)
    if (i % 2 == 0)
      procura_record_set_value (sparse, i, NULL);
  procura_record_set_deleted (sparse, TRUE);
  sparse_back = json_round_trip (sparse);
  assert_records_equal (sparse, sparse_back);
}

/* The documented JSON shapes: money integers of fen, decimals as exact
 * strings, booleans, null. */
static void
test_json_shape (void)
{
  g_autoptr(ProcuraRecord) record = procura_record_new (PROCURA_ENTITY_CRITERION, SOME_ID);
  g_autoptr(ProcuraRecord) project = procura_record_new (PROCURA_ENTITY_PROJECT, OTHER_ID);
  g_autoptr(ProcuraRecord) milestone = procura_record_new (PROCURA_ENTITY_MILESTONE, OTHER_ID);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) pnode = NULL;
  g_autoptr(JsonNode) mnode = NULL;
  JsonObject *object;
  JsonObject *fields;

  procura_record_set_int (record, "weight", 8550);
  procura_record_set_null (record, "score");
  procura_record_set_int (record, "level", 2);
  node = procura_record_to_json (record);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "entity"), ==, "criterion");
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, SOME_ID);
  g_assert_cmpint (json_object_get_int_member (object, "rev"), ==, 0);
  g_assert_false (json_object_get_boolean_member (object, "deleted"));
  fields = json_object_get_object_member (object, "fields");
  g_assert_cmpuint (json_object_get_size (fields), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (fields, "weight"), ==, "85.5");
  g_assert_true (json_object_get_null_member (fields, "score"));
  g_assert_cmpint (json_object_get_int_member (fields, "level"), ==, 2);
  g_assert_false (json_object_has_member (fields, "name"));

  procura_record_set_int (project, "value", 12500000);
  pnode = procura_record_to_json (project);
  fields = json_object_get_object_member (json_node_get_object (pnode), "fields");
  g_assert_cmpuint (json_node_get_value_type (json_object_get_member (fields, "value")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (fields, "value"), ==, 12500000);

  procura_record_set_bool (milestone, "outside_period_allowed", FALSE);
  mnode = procura_record_to_json (milestone);
  fields = json_object_get_object_member (json_node_get_object (mnode), "fields");
  g_assert_cmpuint (json_node_get_value_type (json_object_get_member (fields, "outside_period_allowed")), ==, G_TYPE_BOOLEAN);
  g_assert_false (json_object_get_boolean_member (fields, "outside_period_allowed"));
}

/* A whole number given for a decimal means that many units. */
static void
test_json_decimal_from_integer (void)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(ProcuraRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  node = json_from_string ("{\"entity\": \"criterion\", \"id\": \"" SOME_ID "\", "
                           "\"fields\": {\"weight\": 85, \"score\": \"12.25\"}}", &error);
  g_assert_no_error (error);
  record = procura_record_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpint (procura_record_get_int (record, "weight", -1), ==, 8500);
  g_assert_cmpint (procura_record_get_int (record, "score", -1), ==, 1225);
  g_assert_cmpint (procura_record_get_rev (record), ==, 0);
  g_assert_false (procura_record_get_deleted (record));
}

typedef struct
{
  const char *json;
  const char *named;   /* what the message must name */
} JsonBad;

static const JsonBad json_bad[] = {
  /* not a record */
  { "[1, 2]", "Record" },
  { "\"project\"", "Record" },
  /* entity */
  { "{\"id\": \"" SOME_ID "\", \"fields\": {}}", "entity" },
  { "{\"entity\": \"contract\", \"id\": \"" SOME_ID "\", \"fields\": {}}", "entity" },
  { "{\"entity\": 3, \"id\": \"" SOME_ID "\", \"fields\": {}}", "entity" },
  /* id */
  { "{\"entity\": \"project\", \"fields\": {}}", "id" },
  { "{\"entity\": \"project\", \"id\": \"P-1\", \"fields\": {}}", "id" },
  { "{\"entity\": \"project\", \"id\": 12, \"fields\": {}}", "id" },
  /* envelope types */
  { "{\"entity\": \"project\", \"id\": \"" SOME_ID "\", \"rev\": \"3\", \"fields\": {}}", "rev" },
  { "{\"entity\": \"project\", \"id\": \"" SOME_ID "\", \"deleted\": 0, \"fields\": {}}", "deleted" },
  { "{\"entity\": \"project\", \"id\": \"" SOME_ID "\"}", "fields" },
  { "{\"entity\": \"project\", \"id\": \"" SOME_ID "\", \"fields\": [1]}", "fields" },
  /* unknown field */
  { "{\"entity\": \"project\", \"id\": \"" SOME_ID "\", \"fields\": {\"colour\": \"red\"}}", "colour" },
  /* wrong value types */
  { "{\"entity\": \"project\", \"id\": \"" SOME_ID "\", \"fields\": {\"value\": \"1234.56\"}}", "Contract value" },
  { "{\"entity\": \"project\", \"id\": \"" SOME_ID "\", \"fields\": {\"value\": 12.5}}", "Contract value" },
  { "{\"entity\": \"project\", \"id\": \"" SOME_ID "\", \"fields\": {\"title\": 5}}", "Project title" },
  { "{\"entity\": \"project\", \"id\": \"" SOME_ID "\", \"fields\": {\"title\": {\"zh\": \"x\"}}}", "Project title" },
  { "{\"entity\": \"project\", \"id\": \"" SOME_ID "\", \"fields\": {\"budget_year\": true}}", "Budget year" },
  { "{\"entity\": \"milestone\", \"id\": \"" SOME_ID "\", \"fields\": {\"outside_period_allowed\": \"true\"}}",
    "Allowed outside the contract period" },
  { "{\"entity\": \"milestone\", \"id\": \"" SOME_ID "\", \"fields\": {\"outside_period_allowed\": 1}}",
    "Allowed outside the contract period" },
  { "{\"entity\": \"criterion\", \"id\": \"" SOME_ID "\", \"fields\": {\"weight\": 85.5}}", "Weight" },
  { "{\"entity\": \"criterion\", \"id\": \"" SOME_ID "\", \"fields\": {\"weight\": \"85.555\"}}", "Weight" },
  { "{\"entity\": \"criterion\", \"id\": \"" SOME_ID "\", \"fields\": {\"score\": [85]}}", "Score" },
  { "{\"entity\": \"project\", \"id\": \"" SOME_ID "\", \"fields\": {\"start_date\": 20210801}}", "Start date" },
  { "{\"entity\": \"project\", \"id\": \"" SOME_ID "\", \"fields\": {\"agency_id\": 7}}", "Contracted agency" },
};

static void
test_json_refused (gconstpointer data)
{
  const JsonBad *row = data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(ProcuraRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  g_test_message ("%s", row->json);
  node = json_from_string (row->json, &error);
  g_assert_no_error (error);
  record = procura_record_from_json (node, &error);
  g_assert_null (record);
  assert_error_names (error, PROCURA_ERROR_INVALID, row->named);
}

static void
test_json_refused_null_node (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (procura_record_from_json (NULL, &error));
  assert_error_names (error, PROCURA_ERROR_INVALID, "Record");
}

/* "Every type and enum checked" (procura-json.h): a code outside the
 * field's enumeration must not come in through JSON. */
static void
test_json_refused_unknown_enum (void)
{
  static const char * const docs[] = {
    "{\"entity\": \"project\", \"id\": \"" SOME_ID "\", \"fields\": {\"status\": \"approved\"}}",
    "{\"entity\": \"payment\", \"id\": \"" SOME_ID "\", \"fields\": {\"status\": \"In progress\"}}",
  };
  static const char * const labels[] = { "Status", "Status" };

  for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(ProcuraRecord) record = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", docs[i]);
      node = json_from_string (docs[i], &error);
      g_assert_no_error (error);
      record = procura_record_from_json (node, &error);
      g_assert_null (record);
      assert_error_names (error, PROCURA_ERROR_INVALID, labels[i]);
    }
}

/* Text formats: credit codes, telephone numbers, e-mail addresses. */
static void
test_parse_formats (void)
{
  const ProcuraFieldInfo *uscc = procura_entity_lookup_field (PROCURA_ENTITY_ORGANIZATION, "uscc");
  const ProcuraFieldInfo *phone = procura_entity_lookup_field (PROCURA_ENTITY_ORGANIZATION, "contact_phone");
  const ProcuraFieldInfo *email = procura_entity_lookup_field (PROCURA_ENTITY_ORGANIZATION, "contact_email");
  static const char *good_phones[] = { "0731-28812345", "(0731) 2881 2345", "13812345678",
                                       "+86 138 1234 5678", "0731-28812345-801", "28812345" };
  static const char *bad_phones[] = { "abc", "123", "0731-2881234x", "1234567890123456", "+", "138 1234 5678 +1" };
  static const char *good_emails[] = { "qixin@example.org", "li.na+report@shequ.gov.cn" };
  static const char *bad_emails[] = { "abc", "@example.org", "a@b", "a@@b.cn", "a b@c.cn", "a@b.", "a@.cn" };

  for (guint i = 0; i < G_N_ELEMENTS (good_phones); i++)
    {
      g_autoptr(GVariant) value = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", good_phones[i]);
      g_assert_true (procura_field_parse_text (phone, good_phones[i], &value, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_phones); i++)
    {
      g_autoptr(GVariant) value = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", bad_phones[i]);
      g_assert_false (procura_field_parse_text (phone, bad_phones[i], &value, &error));
      g_assert_null (value);
      assert_error_names (error, PROCURA_ERROR_INVALID, "Contact phone");
    }
  for (guint i = 0; i < G_N_ELEMENTS (good_emails); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (procura_field_check_text (email, good_emails[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_emails); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", bad_emails[i]);
      g_assert_false (procura_field_check_text (email, bad_emails[i], &error));
      assert_error_names (error, PROCURA_ERROR_INVALID, "Contact email");
    }

  /* the credit code's own check, at parse time */
  {
    g_autoptr(GVariant) value = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_false (procura_field_parse_text (uscc, "12345", &value, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_assert_true (procura_field_parse_text (uscc, "52420000MJH233402K", &value, &error));
    g_assert_no_error (error);
  }
}

/* ---- running tests ------------------------------------------------- */

int
main (int argc, char *argv[])
{
  const ProcuraEntityInfo * const *all;
  guint n_all;

  /* each test in a child process of its own */
  procura_test_init (&argc, &argv);

  procura_test_add_isolated ("/record/parse/money/formats", test_parse_money_formats);
  procura_test_add_isolated ("/record/parse/money/refused", test_parse_money_refused);
  procura_test_add_isolated ("/record/parse/refused-keeps-value", test_parse_refused_keeps_value);
  procura_test_add_isolated ("/record/parse/date", test_parse_dates);
  procura_test_add_isolated ("/record/parse/month", test_parse_month);
  procura_test_add_isolated ("/record/parse/timestamp", test_parse_timestamp);
  procura_test_add_isolated ("/record/parse/int", test_parse_int);
  procura_test_add_isolated ("/record/parse/decimal", test_parse_decimal);
  procura_test_add_isolated ("/record/parse/enum", test_parse_enum);
  procura_test_add_isolated ("/record/parse/enum/message", test_parse_enum_message_lists_codes);
  procura_test_add_isolated ("/record/parse/bool", test_parse_bool);
  procura_test_add_isolated ("/record/parse/text", test_parse_text);
  procura_test_add_isolated ("/record/parse/formats", test_parse_formats);
  procura_test_add_isolated ("/record/parse/empty-is-null", test_parse_empty_is_null);
  procura_test_add_isolated ("/record/parse/unknown-field", test_parse_unknown_field);
  procura_test_add_isolated ("/record/text/round-trip", test_value_text_round_trip);
  procura_test_add_isolated ("/record/text/canonical", test_value_text_canonical);
  procura_test_add_isolated ("/record/text/null", test_value_text_null);
  procura_test_add_isolated ("/record/display", test_display);
  procura_test_add_isolated ("/record/slots", test_record_slots);

  all = procura_schema_entities (&n_all);
  for (guint e = 0; e < n_all; e++)
    {
      g_autofree char *path = g_strdup_printf ("/record/json/round-trip/%s", all[e]->name);
      procura_test_add_isolated_data (path, all[e], test_json_round_trip_entity);
    }
  procura_test_add_isolated ("/record/json/shape", test_json_shape);
  procura_test_add_isolated ("/record/json/decimal-from-integer", test_json_decimal_from_integer);
  for (guint i = 0; i < G_N_ELEMENTS (json_bad); i++)
    {
      g_autofree char *path = g_strdup_printf ("/record/json/refused/%02u", i);
      procura_test_add_isolated_data (path, &json_bad[i], test_json_refused);
    }
  procura_test_add_isolated ("/record/json/refused/null", test_json_refused_null_node);
  procura_test_add_isolated ("/record/json/refused/unknown-enum", test_json_refused_unknown_enum);

  return g_test_run ();
}
