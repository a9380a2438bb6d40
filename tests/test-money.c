/* test-money.c — money (integer 分) and exact decimals
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>

#include "procura-decimal.h"
#include "procura-error.h"
#include "procura-money.h"
#include "procura-test-utils.h"

/* g_test_message() output must stay valid UTF-8 for the TAP stream. */
static const char *
printable (const char *text)
{
  if (text == NULL)
    return "(null)";
  return g_utf8_validate (text, -1, NULL) ? text : "(not UTF-8)";
}

/* ---- money parsing ---- */

typedef struct
{
  const char *text;
  gboolean    allow_negative;
  gint64      fen;
} MoneyOk;

static const MoneyOk money_ok[] = {
  { "1234.56", FALSE, 123456 },
  { "1,234.56", FALSE, 123456 },
  { "¥1,234.56", FALSE, 123456 },
  { "￥1234.56", FALSE, 123456 },
  { "1234.56元", FALSE, 123456 },
  { "12.5万", FALSE, 12500000 },          /* 125 000 yuan */
  { "12.5万元", FALSE, 12500000 },
  { "0.001万", FALSE, 1000 },             /* 10 yuan */
  { "0.000001万", FALSE, 1 },             /* one fen: six decimals of 万 */
  { "3万", FALSE, 3000000 },
  { "-300", TRUE, -30000 },
  { "-¥300.00", TRUE, -30000 },           /* what procura_money_format writes */
  { "¥-300", TRUE, -30000 },
  { "  42  ", FALSE, 4200 },
  { "\t42\n", FALSE, 4200 },
  { "0", FALSE, 0 },
  { "0.5", FALSE, 50 },
  { "7.05", FALSE, 705 },
  { "007", FALSE, 700 },
  { "123", FALSE, 12300 },
  { "1,234,567.89", FALSE, 123456789 },
  { "999,999", FALSE, 99999900 },
  { "¥ 1,000", FALSE, 100000 },
  { "100 元", FALSE, 10000 },
  { "１２３４．５６", FALSE, 123456 },      /* full-width input method */
  { "１，２３４元", FALSE, 123400 },
  { "\u3000100\u3000", FALSE, 10000 },    /* ideographic spaces */
  { "10000000000000", FALSE, PROCURA_MONEY_MAX },
  { "10,000,000,000,000.00", FALSE, PROCURA_MONEY_MAX },
  { "1000000000万", FALSE, PROCURA_MONEY_MAX },
  { "-10000000000000", TRUE, -PROCURA_MONEY_MAX },
  { "-5", TRUE, -500 },
  { "300", TRUE, 30000 },
};

static void
test_money_parse_ok (gconstpointer data)
{
  const MoneyOk *row = data;
  g_autoptr(GError) error = NULL;
  gint64 fen = G_MININT64;

  g_test_message ("parsing “%s”", row->text);
  g_assert_true (procura_money_parse (row->text, row->allow_negative,
                                      "Contract value", &fen, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fen, ==, row->fen);
}

typedef struct
{
  const char *text;
  gboolean    allow_negative;
  const char *label;          /* NULL: the default "Amount" */
  const char *reason;
} MoneyBad;

static const MoneyBad money_bad[] = {
  { NULL, FALSE, NULL, "empty" },
  { "", FALSE, "Contract value", "empty" },
  { "   ", FALSE, NULL, "empty" },
  { "1,23.45", FALSE, "Contract value", "misplaced thousands separator" },
  { "1234,567", FALSE, NULL, "misplaced thousands separator" },
  { "1,2345", FALSE, NULL, "misplaced thousands separator" },
  { ",123", FALSE, NULL, "misplaced thousands separator" },
  { "1,234,", FALSE, NULL, "misplaced thousands separator" },
  { "1,,234", FALSE, NULL, "misplaced thousands separator" },
  { "1.234,5", FALSE, NULL, "misplaced thousands separator" },
  { "1.2.3", FALSE, "Payment", "more than one decimal point" },
  { "1.2万.3", FALSE, NULL, "more than one decimal point" },
  { "12.345", FALSE, "Contract value", "more than two decimal places" },
  { "12.340", FALSE, NULL, "more than two decimal places" },
  { "1.2345678万", FALSE, NULL, "more than six decimal places of 万 (finer than one fen)" },
  { "abc", FALSE, "Budget", "not an amount" },
  { "12abc", FALSE, NULL, "not an amount" },
  { "5.", FALSE, NULL, "not an amount" },
  { ".5", FALSE, NULL, "not an amount" },
  { "--5", TRUE, NULL, "not an amount" },
  { "+5", FALSE, NULL, "not an amount" },
  { "1 000", FALSE, NULL, "not an amount" },
  { "¥", FALSE, NULL, "not an amount" },
  { "万", FALSE, NULL, "not an amount" },
  { "1元万", FALSE, NULL, "not an amount" },
  { "1e5", FALSE, NULL, "not an amount" },
  { "0x10", FALSE, NULL, "not an amount" },
  { "$100", FALSE, NULL, "not an amount" },
  { "\xff\xfe", FALSE, NULL, "not an amount" },   /* not UTF-8 */
  { "10000000000000.01", FALSE, "Contract value",
    "too large (at most ¥10,000,000,000,000.00)" },
  { "1000000000.0001万", FALSE, NULL, "too large (at most ¥10,000,000,000,000.00)" },
  { "99999999999999999999999999", FALSE, NULL,
    "too large (at most ¥10,000,000,000,000.00)" },
  { "-10000000000000.01", TRUE, NULL, "too large (at most ¥10,000,000,000,000.00)" },
  { "-300", FALSE, "Contract value", "must not be negative" },
  { "-¥300.00", FALSE, NULL, "must not be negative" },
  { "-0", FALSE, NULL, "must not be negative" },
};

static void
test_money_parse_bad (gconstpointer data)
{
  const MoneyBad *row = data;
  g_autoptr(GError) error = NULL;
  gint64 fen = 4242;

  g_test_message ("parsing “%s”", printable (row->text));
  g_assert_false (procura_money_parse (row->text, row->allow_negative,
                                       row->label, &fen, &error));
  assert_refused (error, row->label != NULL ? row->label : "Amount", row->reason);
  g_assert_cmpint (fen, ==, 4242);   /* untouched on failure */
}

static void
test_money_parse_null_out (void)
{
  g_assert_true (procura_money_parse ("12", FALSE, NULL, NULL, NULL));
  g_assert_false (procura_money_parse ("x", FALSE, NULL, NULL, NULL));
}

/* ---- money formatting ---- */

typedef struct
{
  gint64      value;   /* fen, or hundredths of a decimal */
  const char *text;
} Formatted;

typedef char *(*FormatFunc) (gint64 value);

/* format (value) is text, row by row */
static void
assert_formats (FormatFunc       format,
                const Formatted *rows,
                gsize            n_rows)
{
  for (gsize i = 0; i < n_rows; i++)
    {
      g_autofree char *text = format (rows[i].value);

      g_assert_cmpstr (text, ==, rows[i].text);
    }
}

static void
test_money_format (void)
{
  static const Formatted rows[] = {
    { 123456, "¥1,234.56" },
    { -30000, "-¥300.00" },
    { 0, "¥0.00" },
    { 5, "¥0.05" },
    { 99999, "¥999.99" },
    { 100000, "¥1,000.00" },
    { 12345678901, "¥123,456,789.01" },
    { PROCURA_MONEY_MAX, "¥10,000,000,000,000.00" },
    { G_MININT64, "-¥92,233,720,368,547,758.08" },
    { G_MAXINT64, "¥92,233,720,368,547,758.07" },
  };

  assert_formats (procura_money_format, rows, G_N_ELEMENTS (rows));
}

static void
test_money_format_plain (void)
{
  static const Formatted rows[] = {
    { 123456, "1234.56" },
    { -30000, "-300.00" },
    { 0, "0.00" },
    { -5, "-0.05" },
    { 10, "0.10" },
    { PROCURA_MONEY_MAX, "10000000000000.00" },
    { G_MININT64, "-92233720368547758.08" },
  };

  assert_formats (procura_money_format_plain, rows, G_N_ELEMENTS (rows));
}

static void
test_money_format_wan (void)
{
  static const Formatted rows[] = {
    { 12500000, "12.50" },       /* 125 000 yuan */
    { 123456, "0.12" },          /* 1 234.56 yuan = 0.123456 万 */
    { 125000, "0.13" },          /* exactly half: away from zero */
    { 124999, "0.12" },
    { -125000, "-0.13" },
    { -124999, "-0.12" },
    { -1, "0.00" },              /* no "-0.00" */
    { 0, "0.00" },
    { 1234500000, "1234.50" },
    { 105000000, "105.00" },     /* the ¥1,050,000 Changsha contract */
    { PROCURA_MONEY_MAX, "1000000000.00" },
  };

  assert_formats (procura_money_format_wan, rows, G_N_ELEMENTS (rows));
}

static void
test_money_round_trip (void)
{
  static const gint64 values[] = {
    0, 1, 5, 99, 100, 123456, -30000, 100000000, 9999999999, -1,
    PROCURA_MONEY_MAX, -PROCURA_MONEY_MAX,
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *formatted = procura_money_format (values[i]);
      g_autofree char *plain = procura_money_format_plain (values[i]);
      gint64 back = 0;

      g_assert_true (procura_money_parse (formatted, TRUE, NULL, &back, NULL));
      g_assert_cmpint (back, ==, values[i]);
      back = 0;
      g_assert_true (procura_money_parse (plain, TRUE, NULL, &back, NULL));
      g_assert_cmpint (back, ==, values[i]);
    }

  /* and a sweep of random amounts */
  for (guint i = 0; i < 500; i++)
    {
      gint64 v = ((gint64) g_test_rand_int_range (0, 1000000) * 1000000
                  + g_test_rand_int_range (0, 1000000)) * (i % 2 ? -1 : 1);
      g_autofree char *formatted = procura_money_format (v);
      gint64 back = 0;

      g_assert_true (procura_money_parse (formatted, TRUE, NULL, &back, NULL));
      g_assert_cmpint (back, ==, v);
    }
}

/* ---- 大写金额 ---- */

typedef struct
{
  gint64      fen;
  const char *text;
} Capital;

static const Capital capital[] = {
  { 0, "零元整" },
  { 100, "壹元整" },
  { 1000, "壹拾元整" },                          /* 壹 kept before 拾 */
  { 1100, "壹拾壹元整" },
  { 10000005, "壹拾万元零伍分" },                 /* 100 000.05 */
  { 123456789, "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分" },
  { 12500000, "壹拾贰万伍仟元整" },              /* 125 000 */
  { 100100, "壹仟零壹元整" },                    /* 1 001.00 */
  { 50, "伍角整" },                              /* under one yuan: no 元 */
  { 5, "伍分" },
  { 55, "伍角伍分" },
  { 1030, "壹拾元叁角整" },                      /* 整 when there is no 分 */
  { 1035, "壹拾元叁角伍分" },
  { 1005, "壹拾元零伍分" },                      /* zero 角 before 分 → 零 */
  { 168032, "壹仟陆佰捌拾元叁角贰分" },           /* PBOC example 1 680.32 */
  { 10700053, "壹拾万柒仟元伍角叁分" },           /* PBOC example 107 000.53 */
  { 10100000, "壹拾万壹仟元整" },                /* 101 000 */
  { 10010000, "壹拾万零壹佰元整" },              /* 100 100 */
  { 10000100, "壹拾万零壹元整" },                /* 100 001 */
  { 101010100, "壹佰零壹万零壹佰零壹元整" },      /* 1 010 101 */
  { 100000000, "壹佰万元整" },
  { 200000020, "贰佰万元贰角整" },
  { 10000000000, "壹亿元整" },                   /* 100 000 000 */
  { 10001000000, "壹亿零壹万元整" },              /* 100 010 000 */
  { 11000000000, "壹亿壹仟万元整" },              /* 110 000 000 */
  { 10010000000, "壹亿零壹拾万元整" },            /* 100 100 000 */
  { 100000000100, "壹拾亿零壹元整" },             /* 1 000 000 001 */
  { 100000000000, "壹拾亿元整" },
  { 200300400500, "贰拾亿零叁佰万肆仟零伍元整" },  /* 2 003 004 005 */
  { 100000000000000, "壹万亿元整" },              /* 10^12 */
  { 100000000000100, "壹万亿零壹元整" },
  { 123456789012345, "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分" },
  { PROCURA_MONEY_MAX, "壹拾万亿元整" },           /* 10^13 yuan */
  { -30000, "负叁佰元整" },
  { -5, "负伍分" },
  { -123456789, "负壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分" },
};

static void
test_money_capital (gconstpointer data)
{
  const Capital *row = data;
  g_autofree char *text = procura_money_format_capital (row->fen);

  g_assert_cmpstr (text, ==, row->text);
}

static void
test_money_capital_extremes (void)
{
  g_autofree char *min = procura_money_format_capital (G_MININT64);
  g_autofree char *max = procura_money_format_capital (G_MAXINT64);

  /* 92 233 720 368 547 758.07 yuan: 亿 groups nest */
  g_assert_cmpstr (max, ==,
                   "玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分");
  g_assert_true (g_str_has_prefix (min, "负玖亿"));
  g_assert_true (g_str_has_suffix (min, "元零捌分"));
}

/* ---- decimals ---- */

typedef struct
{
  const char *text;
  gint64      hundredths;
} DecimalOk;

static const DecimalOk decimal_ok[] = {
  { "85", 8500 },
  { "85.5", 8550 },
  { "85.50", 8550 },
  { "-3.25", -325 },
  { "70%", 7000 },
  { "70 %", 7000 },
  { "12.5%", 1250 },
  { "0", 0 },
  { "-0", 0 },
  { "0.05", 5 },
  { " 12.34 ", 1234 },
  { "100.00", 10000 },
  { "１００", 10000 },
  { "７０％", 7000 },
  { "007", 700 },
  { "1000000000000", PROCURA_DECIMAL_MAX },
  { "-1000000000000", -PROCURA_DECIMAL_MAX },
};

static void
test_decimal_parse_ok (gconstpointer data)
{
  const DecimalOk *row = data;
  g_autoptr(GError) error = NULL;
  gint64 v = G_MININT64;

  g_test_message ("parsing “%s”", row->text);
  g_assert_true (procura_decimal_parse (row->text, "Score", &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v, ==, row->hundredths);
}

typedef struct
{
  const char *text;
  const char *label;
  const char *reason;
} DecimalBad;

static const DecimalBad decimal_bad[] = {
  { NULL, NULL, "empty" },
  { "", "Score", "empty" },
  { "  ", NULL, "empty" },
  { "85.555", "Weight", "more than two decimal places" },
  { "85.500", NULL, "more than two decimal places" },
  { "abc", "Score", "not a number" },
  { "1e3", NULL, "not a number" },
  { "85.", NULL, "not a number" },
  { ".5", NULL, "not a number" },
  { "--1", NULL, "not a number" },
  { "+1", NULL, "not a number" },
  { "1,000", NULL, "not a number" },
  { "1.2.3", NULL, "not a number" },
  { "%", NULL, "not a number" },
  { "70%%", NULL, "not a number" },
  { "%70", NULL, "not a number" },
  { "-", NULL, "not a number" },
  { "\xc3", NULL, "not a number" },
  { "1000000000000.01", "Target", "too large" },
  { "-1000000000000.01", NULL, "too large" },
  { "99999999999999999999999", NULL, "too large" },
};

static void
test_decimal_parse_bad (gconstpointer data)
{
  const DecimalBad *row = data;
  g_autoptr(GError) error = NULL;
  gint64 v = 4242;

  g_test_message ("parsing “%s”", printable (row->text));
  g_assert_false (procura_decimal_parse (row->text, row->label, &v, &error));
  assert_refused (error, row->label != NULL ? row->label : "Value", row->reason);
  g_assert_cmpint (v, ==, 4242);
}

static void
test_decimal_format (void)
{
  static const Formatted rows[] = {
    { 8550, "85.5" },
    { 8500, "85" },
    { -325, "-3.25" },
    { 5, "0.05" },
    { -5, "-0.05" },
    { 0, "0" },
    { 10, "0.1" },
    { -50, "-0.5" },
    { 123456, "1234.56" },
    { -100, "-1" },
    { PROCURA_DECIMAL_MAX, "1000000000000" },
    { G_MININT64, "-92233720368547758.08" },
  };

  assert_formats (procura_decimal_format, rows, G_N_ELEMENTS (rows));

  for (gint64 v = -1000; v <= 1000; v += 7)
    {
      g_autofree char *text = procura_decimal_format (v);
      gint64 back = 0;

      g_assert_true (procura_decimal_parse (text, NULL, &back, NULL));
      g_assert_cmpint (back, ==, v);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (money_ok); i++)
    {
      g_autofree char *path = g_strdup_printf ("/money/parse/accepted/%02u", i);
      g_test_add_data_func (path, &money_ok[i], test_money_parse_ok);
    }
  for (guint i = 0; i < G_N_ELEMENTS (money_bad); i++)
    {
      g_autofree char *path = g_strdup_printf ("/money/parse/refused/%02u", i);
      g_test_add_data_func (path, &money_bad[i], test_money_parse_bad);
    }
  g_test_add_func ("/money/parse/null-out", test_money_parse_null_out);
  g_test_add_func ("/money/format/grouped", test_money_format);
  g_test_add_func ("/money/format/plain", test_money_format_plain);
  g_test_add_func ("/money/format/wan", test_money_format_wan);
  g_test_add_func ("/money/format/round-trip", test_money_round_trip);
  for (guint i = 0; i < G_N_ELEMENTS (capital); i++)
    {
      g_autofree char *path = g_strdup_printf ("/money/capital/%02u", i);
      g_test_add_data_func (path, &capital[i], test_money_capital);
    }
  g_test_add_func ("/money/capital/extremes", test_money_capital_extremes);

  for (guint i = 0; i < G_N_ELEMENTS (decimal_ok); i++)
    {
      g_autofree char *path = g_strdup_printf ("/decimal/parse/accepted/%02u", i);
      g_test_add_data_func (path, &decimal_ok[i], test_decimal_parse_ok);
    }
  for (guint i = 0; i < G_N_ELEMENTS (decimal_bad); i++)
    {
      g_autofree char *path = g_strdup_printf ("/decimal/parse/refused/%02u", i);
      g_test_add_data_func (path, &decimal_bad[i], test_decimal_parse_bad);
    }
  g_test_add_func ("/decimal/format", test_decimal_format);

  return g_test_run ();
}
