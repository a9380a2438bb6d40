/* procura-demo.c — deterministic, realistic demo data
 *
 * Builds the ledger of one district, 株洲市天元区, buying social-work
 * services over ten years: organizations first, then projects with their
 * milestone plans, tranches, reports, evaluations, indicators, activities
 * and consultation items. Everything goes through the store's single write
 * path with the real workflow transitions, so history, outbox and the
 * cascades (report accepted → milestone accepted → tranche payable) look
 * exactly as if officers and agencies had done the work.
 *
 * Each project draws from its own random stream derived from the seed and
 * its number, so its content does not depend on how much randomness the
 * ones before it used (its ids and number do follow on from theirs).
 * Dates are placed relative to the store's today, so the same seed and the
 * same today give the same data, ids included; only wall-clock stamps set
 * by the store (created_at, submitted_at, history times) differ.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "procura-blobs.h"
#include "procura-date.h"
#include "procura-demo.h"
#include "procura-grade.h"
#include "procura-money.h"
#include "procura-uscc.h"

#define PROJECTS_PER_BATCH 100
#define ID_LEN             37
#define NEVER              G_MAXUINT32

/* ---- deterministic randomness -------------------------------------- */

/* xoshiro256** seeded through splitmix64: identical on every platform,
 * unlike g_random (seeded from the clock) or rand(). */
typedef struct
{
  guint64 s[4];
} Rng;

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static void
rng_init (Rng     *rng,
          guint64  seed,
          guint64  stream)
{
  guint64 x = seed ^ (stream * G_GUINT64_CONSTANT (0xD1B54A32D192ED03));

  for (guint i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

static guint64
rng_next (Rng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);

  return result;
}

/* Uniform in [0, n), n > 0 (multiply-shift: no modulo bias worth noting). */
static guint
rng_below (Rng   *rng,
           guint  n)
{
  return (guint) (((rng_next (rng) >> 32) * (guint64) n) >> 32);
}

/* Uniform in [lo, hi]. */
static int
rng_range (Rng *rng,
           int  lo,
           int  hi)
{
  if (hi <= lo)
    return lo;
  return lo + (int) rng_below (rng, (guint) (hi - lo + 1));
}

/* Uniform in [0, 1). */
static double
rng_unit (Rng *rng)
{
  return (double) (rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

static gboolean
rng_chance (Rng    *rng,
            double  p)
{
  return rng_unit (rng) < p;
}

static guint
rng_weighted (Rng         *rng,
              const guint *weights,
              guint        n)
{
  guint total = 0;
  guint x;

  for (guint i = 0; i < n; i++)
    total += weights[i];
  x = rng_below (rng, total);
  for (guint i = 0; i < n; i++)
    {
      if (x < weights[i])
        return i;
      x -= weights[i];
    }

  return n - 1;
}

#define PICK(rng, array) ((array)[rng_below ((rng), G_N_ELEMENTS (array))])

/* A UUID of version 4 (valid for g_uuid_string_is_valid()) whose first
 * 48 bits climb by random steps from a random start and whose other bits
 * come from the stream. Ids in creation order let SQLite's primary-key and
 * reference indexes grow at their right edge; fully random ids scatter
 * every insert over the whole index, which made a 20,000-project ledger
 * write several times more pages. The steps (up to 2^24) keep the ids
 * looking as varied as random ones; 2^47 of room leaves space for
 * millions of records. */
static void
rng_uuid (Rng     *rng,
          guint64 *counter,
          char     out[ID_LEN])
{
  static const char hex[] = "0123456789abcdef";
  guint64 prefix = *counter & G_GUINT64_CONSTANT (0xFFFFFFFFFFFF);
  guint64 a = rng_next (rng);
  guint64 b = rng_next (rng);
  guint8 bytes[16];
  guint o = 0;

  for (guint i = 0; i < 6; i++)
    bytes[i] = (guint8) (prefix >> (8 * (5 - i)));
  for (guint i = 0; i < 2; i++)
    bytes[6 + i] = (guint8) (a >> (8 * i));
  for (guint i = 0; i < 8; i++)
    bytes[8 + i] = (guint8) (b >> (8 * i));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  *counter += 1 + (a >> 40);

  for (guint i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        out[o++] = '-';
      out[o++] = hex[bytes[i] >> 4];
      out[o++] = hex[bytes[i] & 0x0f];
    }
  out[o] = '\0';
}

/* Random hex in the form of a SHA-256 (the demo once made up attachment
 * hashes with it; it still draws from the stream to keep the demo stable). */
static void
rng_sha256 (Rng  *rng,
            char  out[65])
{
  static const char hex[] = "0123456789abcdef";

  for (guint i = 0; i < 64; i += 16)
    {
      guint64 v = rng_next (rng);

      for (guint j = 0; j < 16; j++)
        out[i + j] = hex[(v >> (4 * j)) & 0x0f];
    }
  out[64] = '\0';
}

/* ---- dates as Julian day numbers ------------------------------------ */

static guint32
jd_make (int y,
         int m,
         int d)
{
  GDate g;

  g_date_clear (&g, 1);
  g_date_set_dmy (&g, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  return g_date_get_julian (&g);
}

static void
jd_split (guint32  jd,
          int     *y,
          int     *m,
          int     *d)
{
  GDate g;

  g_date_clear (&g, 1);
  g_date_set_julian (&g, jd);
  *y = g_date_get_year (&g);
  *m = g_date_get_month (&g);
  if (d != NULL)
    *d = g_date_get_day (&g);
}

static int
jd_year (guint32 jd)
{
  int y, m;

  jd_split (jd, &y, &m, NULL);
  return y;
}

/* Same day n months later, clamped to the month's end. */
static guint32
jd_add_months (guint32 jd,
               int     months)
{
  GDate g;

  g_date_clear (&g, 1);
  g_date_set_julian (&g, jd);
  g_date_add_months (&g, (guint) months);
  return g_date_get_julian (&g);
}

static const char *
jd_format (guint32  jd,
           char     buf[16])
{
  int y, m, d;

  jd_split (jd, &y, &m, &d);
  g_snprintf (buf, 16, "%04d-%02d-%02d", y, m, d);
  return buf;
}

static gboolean
jd_parse (const char *text,
          guint32    *out)
{
  int y, m, d;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
      !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;
  *out = jd_make (y, m, d);
  return TRUE;
}

/* "2023年3—5月", "2023年11月—2024年1月", "2023年3月" */
static void
period_label (guint32  from,
              guint32  to,
              char    *buf,
              gsize    size)
{
  int y1, m1, y2, m2;

  jd_split (from, &y1, &m1, NULL);
  jd_split (to, &y2, &m2, NULL);
  if (y1 == y2 && m1 == m2)
    g_snprintf (buf, size, "%d年%d月", y1, m1);
  else if (y1 == y2)
    g_snprintf (buf, size, "%d年%d—%d月", y1, m1, m2);
  else
    g_snprintf (buf, size, "%d年%d月—%d年%d月", y1, m1, y2, m2);
}

/* ---- text templates -------------------------------------------------- */

/* Templates name their blanks {a} … {z}, filled from Vars: the project
 * builds with -Wformat=2, which refuses printf with variable formats. */
typedef struct
{
  const char *v[26];
  char        num[26][24];
} Vars;

static void
vars_set (Vars       *vars,
          char        key,
          const char *value)
{
  vars->v[key - 'a'] = value;
}

static void
vars_num (Vars   *vars,
          char    key,
          gint64  value)
{
  g_snprintf (vars->num[key - 'a'], sizeof vars->num[0], "%" G_GINT64_FORMAT, value);
  vars->v[key - 'a'] = vars->num[key - 'a'];
}

static void
expand (GString    *out,
        const char *tmpl,
        const Vars *vars)
{
  for (const char *p = tmpl; *p != '\0'; p++)
    {
      if (p[0] == '{' && p[1] >= 'a' && p[1] <= 'z' && p[2] == '}')
        {
          const char *v = vars->v[p[1] - 'a'];

          if (v != NULL)
            g_string_append (out, v);
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }
}

/* ---- the district ---------------------------------------------------- */

#define DISTRICT_FULL "株洲市天元区"
#define DISTRICT_NAME "天元区"
#define DIVISION      "430211"
#define CITY_DIVISION "430200"
#define PROV_DIVISION "430000"

typedef struct
{
  const char *name;
  const char *communities[6];
} Street;

static const Street streets[] = {
  { "嵩山路街道", { "尚格社区", "湘芸社区", "金谷社区", "珠江社区", "华晨社区", NULL } },
  { "泰山路街道", { "泰山社区", "天台社区", "白鹤社区", "黄河社区", "湘江社区", NULL } },
  { "栗雨街道", { "栗雨社区", "金城社区", "凿石社区", "天易社区", "中央公园社区", NULL } },
  { "马家河街道", { "马家河社区", "清水社区", "荷叶塘社区", "新塘社区", NULL } },
  { "长江街道", { "长江社区", "湘水湾社区", "庐山社区", "神农社区", NULL } },
  { "群丰镇", { "群丰社区", "杨梅塘社区", "高塘社区", NULL } },
  { "雷打石镇", { "雷打石社区", "金花社区", "双塘社区", NULL } },
  { "三门镇", { "三门社区", "双江社区", NULL } },
};

static const char * const roads[] = {
  "嵩山路", "泰山路", "黄河南路", "长江北路", "珠江北路", "湘芸路", "株洲大道",
  "天台路", "华山路", "衡山东路", "黄山路", "庐山路", "栗雨路", "神农大道",
};

static guint
street_n_communities (const Street *street)
{
  guint n = 0;

  while (n < G_N_ELEMENTS (street->communities) && street->communities[n] != NULL)
    n++;
  return n;
}

/* ---- people ------------------------------------------------------------ */

static const char * const surnames[] = {
  "李", "王", "张", "刘", "陈", "杨", "黄", "周", "吴", "谭", "彭", "罗", "邓", "曾",
  "唐", "胡", "易", "贺", "龙", "文", "肖", "蒋", "谢", "廖", "邹", "何", "朱", "袁",
  "钟", "颜", "汤", "刘", "李", "王", "陈", "欧阳", "旷", "丁", "伍", "尹",
};

static const char * const given_chars[] = {
  "敏", "娟", "芳", "静", "丽", "婷", "勇", "军", "磊", "洋", "涛", "琳", "倩", "慧",
  "霞", "雪", "鹏", "浩", "宇", "杰", "艳", "红", "平", "华", "玲", "燕", "斌", "波",
  "志", "明", "建", "国", "湘", "卫", "晓", "佳", "思", "雨", "嘉", "欣", "春", "秀",
  "文", "海", "亮", "辉", "蓉", "颖", "超", "强",
};

static char *
make_person (Rng *rng)
{
  GString *s = g_string_new (PICK (rng, surnames));

  g_string_append (s, PICK (rng, given_chars));
  if (rng_chance (rng, 0.7))
    g_string_append (s, PICK (rng, given_chars));

  return g_string_free (s, FALSE);
}

static void
make_mobile (Rng  *rng,
             char  out[16])
{
  static const char * const prefixes[] = {
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "158", "159", "173", "176", "177", "180", "181", "182", "183",
    "186", "187", "188", "189", "191", "199",
  };

  g_snprintf (out, 16, "%s%08u", PICK (rng, prefixes), rng_below (rng, 100000000));
}

/* ---- organizations ----------------------------------------------------- */

typedef enum
{
  ROLE_BUREAU,
  ROLE_STREET,
  ROLE_BUYER_OTHER,  /* 残联, 妇联, 团区委 */
  ROLE_AGENCY,
  ROLE_EVALUATOR,
  ROLE_OTHER,
} Role;

typedef struct
{
  char    id[ID_LEN];
  char   *name;
  char   *person;   /* contact person; also who writes on its behalf */
  Role    role;
  double  quality;  /* agencies: how well their projects tend to go */
} Org;

static void
org_free (gpointer data)
{
  Org *org = data;

  g_free (org->name);
  g_free (org->person);
  g_free (org);
}

static const char * const agency_brands[] = {
  "齐心", "同心", "阳光", "博爱", "仁爱", "乐群", "善缘", "心桥", "益路", "和家", "德馨",
  "馨雨", "春晖", "暖阳", "向日葵", "启航", "新起点", "百合", "晨曦", "蒲公英", "爱心",
  "长青", "福寿", "康乐", "众乐", "融爱", "友邻", "睦邻", "和美", "恒爱", "至善", "明德",
  "思源", "汇爱", "携手", "聚力", "筑梦", "惠民", "彩虹", "绿洲", "星光", "晴天", "夕阳红",
  "常青藤", "木棉", "紫荆", "湘韵", "神农", "湘江", "凤凰", "天台", "栗雨", "嵩山", "善行",
  "益心", "和谐", "安心", "暖心", "仁心", "慧心", "爱邻", "家和", "悦群", "乐龄", "颐和",
  "康宁", "怡康", "朝阳", "启明星", "北斗", "心连心", "手拉手", "微光", "萤火虫", "蓝天",
  "青禾", "禾苗", "同行", "同舟", "共享", "共融", "益友", "善友", "立德", "弘德", "厚德",
  "致远", "行知", "明心", "清源", "润心", "润泽", "春雨", "春苗", "小树苗", "雏鹰", "心晴",
  "心语", "守望", "相伴", "陪伴", "温馨", "恒善", "益众", "惠众", "和众", "聚爱", "大爱",
  "乐助", "映山红", "湘楚", "红枫", "秋实", "金色年华", "邻里守望", "社缘", "众心", "欣悦",
};

static const char * const agency_suffixes[] = {
  "社会工作服务中心", "社会工作服务中心", "社会工作服务中心", "社工服务中心",
  "社会工作服务社", "社会工作服务社", "社会工作发展中心", "公益服务中心",
  "社区服务中心", "居家养老服务中心", "青少年事务服务中心", "社会工作事务所",
};

static const char * const evaluator_brands[] = {
  "众智", "睿博", "明鉴", "衡正", "公信", "求实", "致信", "正源", "华评", "智汇", "至诚",
  "笃行", "恒信", "中衡", "天衡", "明远", "信达", "精诚", "博远", "湘信",
};

static const char * const property_brands[] = {
  "天元", "湘江", "和润", "恒大", "中建", "保利", "碧桂园", "万达", "美的", "华晨", "神农",
  "金谷", "长房", "嘉兴", "新城", "兴业",
};

/* ---- categories -------------------------------------------------------- */

enum
{
  CAT_GOVERNANCE,
  CAT_ELDERLY,
  CAT_YOUTH,
  CAT_ASSISTANCE,
  CAT_DISABILITY,
  CAT_FAMILY,
  CAT_COMPREHENSIVE,
  CAT_OTHER,
  N_CATEGORIES
};

#define CAT(c) (1u << (c))

typedef struct
{
  const char *code;
  guint       weight;
  /* {a} is where the service happens, {y} the budget year */
  const char *titles_community[4];
  const char *titles_street[4];
  const char *titles_district[4];
  const char *description;
  /* sentences of reports; {a} area, {n} {m} {k} {j} counts, {t} {u} topics */
  const char *fragments[4];
} Category;

static const Category categories[N_CATEGORIES] = {
  { "community_governance", 26,
    { "{a}“三社联动”社区治理服务项目（{y}年度）", "{a}社区协商议事能力提升项目（{y}年）",
      "{a}“微心愿·微治理”邻里互助项目", "{a}“红色物业”小区治理服务项目" },
    { "{a}“三社联动”社区治理创新项目（{y}年度）", "{a}社区协商议事规范化建设项目",
      "{a}网格化社区治理社会工作服务项目", NULL },
    { "{a}社区治理和服务创新实验区社会工作服务项目（{y}年度）", "{a}“党建领航·三社联动”社区治理项目",
      "{a}城乡社区协商示范点建设服务项目", NULL },
    "由承接机构进驻{a}，每月上旬通过线上、线下问卷收集居民最迫切需要解决的热点难点问题，"
    "整理《社区协商议事项目清单》；每月下旬联动社区、城管、物业、志愿者、居民代表召开社区事务协商议事会，"
    "协助社区探索“三社联动”机制，培育社区社会组织。",
    { "每月上旬通过线上问卷和入户走访收集居民需求，共回收有效问卷{m}份，梳理出“{t}”“{u}”等热点难点问题{k}项，形成《社区协商议事项目清单》。",
      "每月下旬联动社区、城管、物业、志愿者和居民代表召开社区事务协商议事会{n}场，议定事项{k}项，其中“{t}”问题已协调解决。",
      "链接辖区爱心企业和志愿者认领“微心愿”{m}个，已全部完成。",
      "培育社区社会组织{j}支，涵盖文体、志愿服务、邻里互助等类型，居民参与社区事务的积极性明显提高。" } },
  { "elderly", 22,
    { "{a}居家养老上门服务项目（{y}年）", "{a}“银龄互助”为老服务项目", "{a}老年人日间照料中心运营服务项目", NULL },
    { "{a}为老服务项目", "{a}“时间银行”互助养老服务项目（{y}年度）", "{a}特殊困难老年人探访关爱服务项目", NULL },
    { "{a}特殊困难老年人探访关爱服务项目（{y}年度）", "{a}居家和社区养老服务社会工作项目",
      "{a}农村留守老年人关爱服务项目", NULL },
    "面向{a}高龄、独居、空巢及失能半失能老年人，提供定期探访、居家上门、精神慰藉和应急援助服务，"
    "链接志愿者开展助餐、助洁、助医等互助服务。",
    { "开展独居、空巢老人入户探访{m}户次，新建老年人服务档案{k}份，跟进个案{n}个。",
      "组织重阳敬老、健康讲座、智能手机使用培训等小组及社区活动{n}场，参与老年人{m}人次。",
      "“时间银行”新增注册志愿者{k}名，累计存储服务时长{j}小时。", NULL } },
  { "youth", 12,
    { "{a}“四点半课堂”青少年成长服务项目", "{a}“童伴计划”儿童关爱服务项目（{y}年）", NULL, NULL },
    { "{a}困境儿童关爱保护服务项目", "{a}青少年社会工作服务项目（{y}年度）", NULL, NULL },
    { "{a}农村留守儿童和困境儿童关爱服务项目（{y}年度）", "{a}未成年人保护社会工作服务项目", NULL, NULL },
    "面向{a}留守儿童、困境儿童和社区青少年，开展课业辅导、安全教育、心理支持和亲子活动，"
    "建立儿童成长档案，落实“一人一档”关爱保护。",
    { "“四点半课堂”开班{n}期，为{k}名儿童提供课业辅导和安全教育，服务{m}人次。",
      "对{k}名困境儿童开展走访评估，建立“一人一档”，转介心理支持{n}人。",
      "开展防溺水、防性侵等安全教育活动{n}场，覆盖儿童及家长{m}人次。", NULL } },
  { "social_assistance", 10,
    { "{a}困难群众“社工+救助”服务项目", NULL, NULL, NULL },
    { "{a}社会救助社会工作服务项目（{y}年度）", "{a}低保及特困人员关爱帮扶项目", NULL, NULL },
    { "{a}社会救助“物质+服务”试点项目（{y}年度）", "{a}困难群众救助帮扶社会工作服务项目", NULL, NULL },
    "对{a}低保、特困、低保边缘家庭开展需求评估，提供个案管理、资源链接、能力提升等服务，"
    "推动社会救助由“物质型”向“物质+服务”转变。",
    { "完成困难家庭需求评估{m}户，开展个案服务{k}个，链接社会资源{n}项。",
      "协助{k}户困难家庭申请临时救助，开展就业技能培训{n}场。", NULL, NULL } },
  { "disability", 7,
    { "{a}残疾人“阳光家园”托养服务项目", NULL, NULL, NULL },
    { "{a}残疾人社区康复服务项目（{y}年）", "{a}精神障碍社区康复服务项目", NULL, NULL },
    { "{a}残疾人康复及社会融入服务项目（{y}年度）", "{a}精神障碍社区康复服务项目", NULL, NULL },
    "为{a}残疾人及其家庭提供康复训练、辅具适配指导、就业支持和社区融入活动，为精神障碍患者提供社区康复服务。",
    { "开展残疾人康复训练{m}人次，组织社区融入活动{n}场，入户指导辅具使用{k}户。",
      "为{k}名精神障碍康复者建立个案档案，开展家属支持小组{n}期。", NULL, NULL } },
  { "family", 7,
    { "{a}家庭教育指导服务项目", "{a}“和美家庭”邻里服务项目（{y}年）", NULL, NULL },
    { "{a}婚姻家庭辅导服务项目", "{a}家庭综合服务项目（{y}年度）", NULL, NULL },
    { "{a}婚姻家庭辅导服务项目（{y}年度）", "{a}婚姻登记处婚姻家庭辅导服务项目", NULL, NULL },
    "在{a}开展婚姻家庭辅导、家庭教育指导和家庭矛盾调解服务，培育家庭志愿者队伍，促进家庭和睦与邻里和谐。",
    { "开展婚姻家庭辅导{k}例、家庭教育讲座{n}场，调解家庭矛盾{j}起。",
      "组织亲子活动{n}场，参与家庭{m}户。", NULL, NULL } },
  { "comprehensive", 12,
    { "{a}社区综合服务项目（{y}年度）", "{a}社区社会工作室运营项目", NULL, NULL },
    { "{a}社会工作服务站运营项目（{y}年度）", "{a}社区综合社会工作服务项目", NULL, NULL },
    { "{a}乡镇（街道）社会工作服务站建设项目（{y}年度）", "{a}社会工作综合服务项目", NULL, NULL },
    "依托{a}社会工作服务站，配备专职社工，统筹开展社会救助、养老服务、儿童关爱、社区治理等综合社会工作服务，培育本土社工人才。",
    { "社工站统筹开展“五社联动”服务，完成重点人群走访{m}人次，开展个案{k}个、小组{n}个、社区活动{j}场。",
      "每月下旬联动社区、城管、物业、志愿者和居民代表召开社区事务协商议事会{n}场，议定事项{k}项。",
      "链接辖区爱心企业和志愿者认领“微心愿”{m}个，已全部完成。", NULL } },
  { "other", 4,
    { "{a}社区社会组织培育项目", NULL, NULL, NULL },
    { "{a}社区社会组织培育孵化项目", NULL, NULL, NULL },
    { "{a}社会组织孵化基地运营服务项目（{y}年度）", "{a}社会组织等级评估及能力建设项目", "{a}志愿服务站点运营项目", NULL },
    "在{a}开展社区社会组织孵化培育、能力建设和等级评估辅导，建立社会组织“双孵化”“双培育”支持体系。",
    { "孵化培育社区社会组织{k}家，开展能力建设培训{n}场，指导{j}家社会组织参加等级评估。", NULL, NULL, NULL } },
};

static const char * const common_fragments[] = {
  "本阶段共招募、培训志愿者{k}名，志愿服务时长累计{j}小时。",
  "项目团队保持专职社工{k}名、兼职社工{j}名，按计划开展专业督导{n}次。",
  "项目经费按预算执行，支出明细及凭证已随报告一并提交。",
  "服务过程中注重收集居民反馈，满意度抽样调查回收问卷{m}份，满意率{k}%。",
  "针对居民反映集中的问题，项目团队进一步完善了服务台账和个案跟进机制。",
  "针对服务中发现的“{t}”问题，已及时反馈社区并跟进办理情况。",
};

typedef struct
{
  const char *topic;
  const char *resolution;
} Topic;

static const Topic topics[] = {
  { "小区停车难", "协调物业在小区东侧空地增设临时停车位，城管加强周边道路违停巡查" },
  { "楼道堆放杂物", "物业牵头开展楼道清理行动，志愿者每月巡查一次，建立楼栋长责任制" },
  { "广场舞噪音扰民", "与广场舞队协商将活动时间调整为19:00—21:00，音响音量控制在规定范围内" },
  { "电动车楼道充电", "协调供电部门和物业在小区内新建集中充电桩，开展消防安全宣传" },
  { "高空抛物", "物业加装高空监控探头，社区开展文明宣传并纳入居民公约" },
  { "绿化带被占用种菜", "组织居民代表协商恢复绿化，在闲置地块设置“共享菜园”" },
  { "宠物粪便污染", "制定文明养犬公约，设置宠物粪便收集箱，志愿者开展劝导" },
  { "路灯损坏", "报城管部门维修，更换损坏路灯并纳入定期巡检" },
  { "垃圾分类投放点设置不合理", "经居民投票调整投放点位置，实行定时定点投放" },
  { "老旧小区加装电梯", "组织单元住户协商出资比例，协助办理加装电梯审批手续" },
  { "物业费收缴矛盾", "社区组织业委会、物业和业主代表三方协商，公开物业服务收支情况" },
  { "小区门禁系统故障", "物业更换门禁设备，费用由公共维修资金列支" },
  { "下水道堵塞反味", "协调物业和市政部门疏通管网，建立定期清掏制度" },
  { "流浪猫狗扰民", "联系动物保护志愿者组织开展救助收容" },
  { "快递柜占用消防通道", "协调快递企业将快递柜迁至指定位置，消防通道恢复畅通" },
  { "社区服务用房不足", "协调辖区单位共享活动场地，服务用房问题纳入街道统筹解决" },
  { "儿童游乐设施老化", "经协商由物业使用公共收益更换儿童游乐设施" },
  { "占道经营", "城管划定临时摊点区域，实行定时经营" },
  { "共享单车乱停放", "协调运营企业划定停放区域，志愿者定期整理" },
  { "独居老人无人照看", "建立邻里结对帮扶机制，志愿者每周上门探访" },
  { "小区积水", "物业清理雨水井并加装排水管，社区跟踪回访" },
  { "违章搭建", "报城管部门依法处置，社区做好居民沟通解释" },
};

static const char * const review_comments[] = {
  "服务台账中活动签到表缺失，请补充后重新提交。",
  "请补充居民满意度问卷统计结果。",
  "经费使用明细与预算科目不一致，请核对后修改。",
  "服务成效描述过于笼统，请补充具体数据和典型案例。",
  "附件照片未标注活动日期和地点，请完善。",
  "个案服务记录不完整，请补充个案评估和结案记录。",
  "报告中服务人次与活动台账统计不符，请核实。",
};

static const char * const accept_comments[] = {
  "材料齐全，同意通过。",
  "服务内容与合同约定相符，同意通过。",
  "经审核，同意通过。",
};

/* ---- evaluation indicator tables ---------------------------------------- */

typedef struct
{
  const char *name;
  int         weight;   /* points */
  int         parent;   /* row index, or -1 */
} CritDef;

typedef struct
{
  const CritDef *rows;
  guint          n_rows;
  guint          weight;  /* how often the table is used */
} CritTable;

static const CritDef crit_simple[] = {
  { "项目管理", 20, -1 }, { "服务成效", 40, -1 }, { "财务管理", 20, -1 }, { "满意度", 20, -1 },
};

static const CritDef crit_outcomes[] = {
  { "项目管理", 20, -1 }, { "服务成效", 40, -1 }, { "财务管理", 20, -1 }, { "满意度", 20, -1 },
  { "服务产出（数量、质量、时效）", 20, 1 }, { "服务成效（目标达成、服务对象改变）", 20, 1 },
};

static const CritDef crit_fiscal[] = {
  { "相关性", 15, -1 }, { "效率性", 25, -1 }, { "效果性", 35, -1 }, { "公平性", 10, -1 }, { "可持续性", 15, -1 },
};

static const CritDef crit_performance[] = {
  { "项目决策", 15, -1 }, { "项目过程", 25, -1 }, { "项目产出", 30, -1 }, { "项目效益", 30, -1 },
  { "组织管理", 10, 1 }, { "资金管理", 15, 1 },
  { "产出数量", 15, 2 }, { "产出质量", 10, 2 }, { "产出时效", 5, 2 },
  { "社会效益", 20, 3 }, { "服务对象满意度", 10, 3 },
};

static const CritDef crit_self[] = {
  { "服务计划完成情况", 40, -1 }, { "服务质量", 30, -1 }, { "资金使用", 15, -1 }, { "团队建设", 15, -1 },
};

static const CritTable crit_tables[] = {
  { crit_simple, G_N_ELEMENTS (crit_simple), 50 },
  { crit_outcomes, G_N_ELEMENTS (crit_outcomes), 18 },
  { crit_fiscal, G_N_ELEMENTS (crit_fiscal), 25 },
  { crit_performance, G_N_ELEMENTS (crit_performance), 7 },
};

/* ---- outcome indicators ------------------------------------------------- */

typedef struct
{
  const char *title;
  const char *result_type;
  const char *measure;
  const char *unit;
  gboolean    ascending;
  int         base_lo, base_hi;      /* whole units */
  int         target_lo, target_hi;
  guint       categories;
} IndicatorDef;

#define ALL_CATS (CAT (N_CATEGORIES) - 1)

static const IndicatorDef indicator_defs[] = {
  { "居民不认识邻居比例", "outcome", "percentage", "%", FALSE, 55, 75, 35, 45, CAT (CAT_GOVERNANCE) | CAT (CAT_COMPREHENSIVE) },
  { "居民参与社区治理比例", "outcome", "percentage", "%", TRUE, 5, 15, 40, 65, CAT (CAT_GOVERNANCE) | CAT (CAT_COMPREHENSIVE) },
  { "协商议事事项办结数", "output", "unit", "项", TRUE, 0, 0, 12, 40, CAT (CAT_GOVERNANCE) },
  { "“微心愿”完成数", "output", "unit", "个", TRUE, 0, 0, 50, 300, CAT (CAT_GOVERNANCE) | CAT (CAT_COMPREHENSIVE) | CAT (CAT_YOUTH) | CAT (CAT_ASSISTANCE) },
  { "培育社区社会组织数", "output", "unit", "个", TRUE, 0, 2, 3, 8, CAT (CAT_GOVERNANCE) | CAT (CAT_COMPREHENSIVE) | CAT (CAT_OTHER) },
  { "注册志愿者人数", "output", "unit", "人", TRUE, 20, 80, 150, 400, CAT (CAT_GOVERNANCE) | CAT (CAT_COMPREHENSIVE) | CAT (CAT_ELDERLY) | CAT (CAT_OTHER) },
  { "独居老人定期探访覆盖率", "outcome", "percentage", "%", TRUE, 30, 60, 90, 100, CAT (CAT_ELDERLY) },
  { "为老服务人次", "output", "unit", "人次", TRUE, 0, 0, 1000, 5000, CAT (CAT_ELDERLY) },
  { "困境儿童建档率", "outcome", "percentage", "%", TRUE, 40, 70, 95, 100, CAT (CAT_YOUTH) },
  { "课业辅导服务人次", "output", "unit", "人次", TRUE, 0, 0, 500, 2000, CAT (CAT_YOUTH) },
  { "困难家庭需求评估覆盖率", "outcome", "percentage", "%", TRUE, 20, 50, 90, 100, CAT (CAT_ASSISTANCE) },
  { "个案服务数", "output", "unit", "个", TRUE, 0, 0, 20, 60, CAT (CAT_ASSISTANCE) | CAT (CAT_FAMILY) | CAT (CAT_DISABILITY) | CAT (CAT_COMPREHENSIVE) },
  { "残疾人康复训练人次", "output", "unit", "人次", TRUE, 0, 0, 300, 1500, CAT (CAT_DISABILITY) },
  { "家庭矛盾调解成功率", "outcome", "percentage", "%", TRUE, 50, 65, 80, 90, CAT (CAT_FAMILY) },
  { "服务对象满意度", "outcome", "percentage", "%", TRUE, 70, 85, 90, 96, ALL_CATS },
};

/* ---- activities ---------------------------------------------------------- */

static const char * const event_titles[] = {
  "“微心愿”认领活动", "邻里节“百家宴”", "重阳节敬老爱老活动", "“我们的节日·端午”包粽子活动",
  "社区消防安全演练", "“学雷锋”志愿服务日", "亲子趣味运动会", "垃圾分类宣传活动",
  "防范电信诈骗宣传活动", "健康义诊进社区", "“邻里一家亲”中秋游园会", "社区跳蚤市场",
};

static const char * const visit_titles[] = {
  "独居老人入户走访", "困境儿童家庭探访", "低保家庭入户需求评估", "残疾人家庭入户探访",
};

static const char * const training_titles[] = {
  "社区志愿者骨干培训", "居民议事骨干能力培训", "社区社会组织负责人培训", "楼栋长履职能力培训",
};

static const char * const party_sets[] = {
  "社区、城管、物业、志愿者、居民代表",
  "社区、城管、物业、志愿者、居民代表",
  "社区、物业、居民代表",
  "社区、物业、业委会、居民代表",
  "社区、城管、居民代表、社工",
  "社区、派出所、物业、居民代表",
};

static const char * const raisers[] = {
  "居民代表", "小区业主群", "网格员", "楼栋长", "志愿者", "社区“两代表一委员”",
};

/* ---- generation state ----------------------------------------------------- */

typedef struct
{
  ProcuraStore *store;
  guint64       seed;
  guint32       today;
  int           first_year;   /* budget years first_year … today's year (+1) */
  int           last_year;
  char         *orig_today;
  gboolean      today_was_real;
  char         *orig_actor;
  const char   *actor;        /* borrowed from an Org */

  GPtrArray    *orgs;         /* owns Org */
  Org          *bureau;
  Org          *street_offices[G_N_ELEMENTS (streets)];
  Org          *disabled_fed; /* 残联 */
  Org          *women_fed;    /* 妇联 */
  Org          *youth_league; /* 团区委 */
  GPtrArray    *agencies;     /* borrowed Org */
  GPtrArray    *evaluators;   /* borrowed Org */
  GHashTable   *taken;        /* names and credit codes already used */
  GHashTable   *samples;      /* sample file key → DemoSample, stored once */
  GHashTable   *titles;       /* project title → times used */

  guint64       next_id;      /* see rng_uuid() */
  char          scheme_default[ID_LEN];
  char          scheme_alt[ID_LEN];
  guint         code_seq[32]; /* per budget year */

  GStringChunk *chunk;        /* strings of the current project */
  GString      *scratch;

  const ProcuraEntityInfo *e_org, *e_scheme, *e_project, *e_amendment, *e_milestone,
                          *e_payment, *e_report, *e_attachment, *e_evaluation,
                          *e_criterion, *e_indicator, *e_period, *e_activity,
                          *e_consultation;
} Demo;

/* Writes are attributed to the person who would make them, so the
 * history reads like a real file: agencies submit, officers review. */
static void
act_as (Demo      *d,
        const Org *org)
{
  if (d->actor != org->person)
    {
      procura_store_set_actor (d->store, org->person);
      d->actor = org->person;
    }
}

/* The workflow stamps the date an officer accepts a milestone with the
 * store's today; pinning it to the simulated day keeps date_met true. */
static void
pin_today (Demo    *d,
           guint32  day)
{
  char buf[16];

  procura_store_set_today (d->store, jd_format (day, buf));
}

/* A report's timestamp on a demo day (office hours, Beijing time), so
 * that what the demo dates in the past does not read "today". */
static void
stamp_day (ProcuraRecord *record,
           const char    *field,
           guint32        day,
           guint          hour_utc)
{
  char buf[16];
  g_autofree char *text = g_strdup_printf ("%sT%02u:%02u:00Z", jd_format (day, buf), hour_utc, (day * 7) % 60);

  procura_record_set_string (record, field, text);
}

static const char *
keep (Demo       *d,
      const char *text)
{
  return g_string_chunk_insert (d->chunk, text);
}

static const char *
keep_expanded (Demo       *d,
               const char *tmpl,
               const Vars *vars)
{
  g_string_truncate (d->scratch, 0);
  expand (d->scratch, tmpl, vars);
  return g_string_chunk_insert_len (d->chunk, d->scratch->str, (gssize) d->scratch->len);
}

static void
set_date (ProcuraRecord *record,
          const char    *field,
          guint32        day)
{
  char buf[16];

  procura_record_set_string (record, field, jd_format (day, buf));
}

/* ---- organizations ---------------------------------------------------------- */

/* pattern: '#' a digit, '*' a digit or letter of the code's set, else literal */
static void
make_uscc (Demo       *d,
           Rng        *rng,
           const char *head,
           const char *division,
           const char *pattern,
           char        out[19])
{
  static const char alnum[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

  do
    {
      memcpy (out, head, 2);
      memcpy (out + 2, division, 6);
      for (guint i = 0; i < 8; i++)
        {
          char c = pattern[i];

          if (c == '#')
            c = (char) ('0' + rng_below (rng, 10));
          else if (c == '*')
            c = alnum[rng_below (rng, sizeof alnum - 1)];
          out[8 + i] = c;
        }
      out[16] = procura_uscc_org_check_char (out + 8);
      out[17] = procura_uscc_check_char (out);
      out[18] = '\0';
    }
  while (g_hash_table_contains (d->taken, out));

  g_hash_table_add (d->taken, g_strdup (out));
}

static Org *
org_new (Demo *d,
         Rng  *rng,
         Role  role,
         char *name)
{
  Org *org = g_new0 (Org, 1);

  rng_uuid (rng, &d->next_id, org->id);
  org->role = role;
  org->name = name;
  org->person = make_person (rng);
  org->quality = 0.8;
  g_ptr_array_add (d->orgs, org);
  g_hash_table_add (d->taken, g_strdup (name));

  return org;
}

static gboolean
insert_org (Demo        *d,
            Org         *org,
            const char  *kind,
            const char  *uscc,
            const char  *address,
            const char  *phone,
            const char  *email,
            const char  *note,
            GError     **error)
{
  g_autoptr(ProcuraRecord) record = procura_record_new (d->e_org, org->id);

  procura_record_set_string (record, "name", org->name);
  procura_record_set_string (record, "uscc", uscc);
  procura_record_set_string (record, "kind", kind);
  procura_record_set_string (record, "address", address);
  procura_record_set_string (record, "contact_person", org->person);
  procura_record_set_string (record, "contact_phone", phone);
  if (email != NULL)
    procura_record_set_string (record, "contact_email", email);
  if (note != NULL)
    procura_record_set_string (record, "note", note);

  if (!procura_store_insert (d->store, record, error))
    {
      g_prefix_error (error, "%s “%s”: ", procura_entity_get_label (d->e_org), org->name);
      return FALSE;
    }

  return TRUE;
}

static char *
make_address (Rng        *rng,
              const char *prefix)
{
  static const char * const suffixes[] = { "", "", "附近", "综合楼", "党群服务中心" };
  g_autofree char *building = NULL;

  if (rng_chance (rng, 0.5))
    building = g_strdup_printf ("%d栋%d楼", rng_range (rng, 1, 12), rng_range (rng, 1, 6));

  return g_strdup_printf ("%s%s%d号%s%s", prefix, PICK (rng, roads), rng_range (rng, 1, 899),
                          building != NULL ? building : "", PICK (rng, suffixes));
}

/* Government buyers and other units: landline phones, 11… or 13… codes. */
static gboolean
add_government (Demo        *d,
                Rng         *rng,
                Role         role,
                const char  *name,
                const char  *kind,
                const char  *head,
                Org        **out,
                GError     **error)
{
  Org *org = org_new (d, rng, role, g_strdup (name));
  g_autofree char *address = make_address (rng, DISTRICT_FULL);
  char uscc[19];
  char phone[24];

  make_uscc (d, rng, head, DIVISION, "00######", uscc);
  g_snprintf (phone, sizeof phone, "0731-2%07u", rng_below (rng, 10000000));
  if (out != NULL)
    *out = org;

  return insert_org (d, org, kind, uscc, address, phone, NULL, NULL, error);
}

static gboolean
add_agency (Demo    *d,
            Rng     *rng,
            GError **error)
{
  static const char * const levels[] = { DISTRICT_NAME, DISTRICT_NAME, DISTRICT_NAME, "株洲市", "湖南省" };
  static const char * const grades[] = { "3A级社会组织", "4A级社会组织", "5A级社会组织", NULL, NULL };
  g_autofree char *address = make_address (rng, DISTRICT_FULL);
  g_autofree char *note = NULL;
  char *name = NULL;
  const char *level;
  const char *grade;
  const char *division;
  char email[48];
  char phone[16];
  char uscc[19];
  Org *org;

  /* The same brand and suffix can exist at district, city and province
   * level; retry on a clash. */
  for (guint attempt = 0; name == NULL; attempt++)
    {
      level = PICK (rng, levels);
      name = g_strconcat (level, PICK (rng, agency_brands), PICK (rng, agency_suffixes),
                          attempt > 20 ? "（二）" : "", NULL);
      if (g_hash_table_contains (d->taken, name))
        g_clear_pointer (&name, g_free);
    }

  division = g_str_has_prefix (name, "湖南省") ? PROV_DIVISION :
             g_str_has_prefix (name, "株洲市") ? CITY_DIVISION : DIVISION;
  org = org_new (d, rng, ROLE_AGENCY, name);
  /* Skewed towards decent agencies; a few struggle. */
  org->quality = 0.55 + 0.43 * (1.0 - rng_unit (rng) * rng_unit (rng));
  g_ptr_array_add (d->agencies, org);

  make_uscc (d, rng, "52", division, "MJ*#####", uscc);
  make_mobile (rng, phone);
  if (rng_chance (rng, 0.5))
    g_snprintf (email, sizeof email, "%u@qq.com", 100000000 + rng_below (rng, 2000000000));
  else
    email[0] = '\0';
  grade = PICK (rng, grades);
  note = g_strdup_printf ("%d年登记成立%s%s", d->first_year - rng_range (rng, 0, 6),
                          grade != NULL ? "，" : "", grade != NULL ? grade : "");

  return insert_org (d, org, "social_work_agency", uscc, address, phone,
                     email[0] != '\0' ? email : NULL, note, error);
}

static gboolean
add_evaluator (Demo    *d,
               Rng     *rng,
               GError **error)
{
  static const char * const patterns[][3] = {
    { "株洲市", "社会组织评估中心", "52" },
    { "湖南省", "社会工作评估中心", "52" },
    { "株洲", "公益服务评估中心", "52" },
    { "湖南", "项目管理咨询有限公司", "91" },
    { "株洲", "会计师事务所有限责任公司", "91" },
  };
  g_autofree char *address = NULL;
  char *name = NULL;
  const char * const *pattern = NULL;
  char phone[16];
  char uscc[19];
  Org *org;

  for (guint attempt = 0; name == NULL; attempt++)
    {
      pattern = patterns[rng_below (rng, G_N_ELEMENTS (patterns))];
      name = g_strconcat (pattern[0], PICK (rng, evaluator_brands), pattern[1],
                          attempt > 20 ? "分公司" : "", NULL);
      if (g_hash_table_contains (d->taken, name))
        g_clear_pointer (&name, g_free);
    }

  org = org_new (d, rng, ROLE_EVALUATOR, name);
  g_ptr_array_add (d->evaluators, org);
  make_uscc (d, rng, pattern[2],
             g_str_has_prefix (name, "湖南") ? "430100" : CITY_DIVISION,
             pattern[2][0] == '9' ? "MA4*####" : "MJ*#####", uscc);
  make_mobile (rng, phone);
  address = make_address (rng, g_str_has_prefix (name, "湖南") ? "长沙市岳麓区" : DISTRICT_FULL);

  return insert_org (d, org, "evaluator", uscc, address, phone, NULL,
                     "第三方评估机构，按规定回避与本机构存在利益关联的项目", error);
}

static gboolean
add_other_org (Demo    *d,
               Rng     *rng,
               guint    i,
               GError **error)
{
  g_autofree char *address = make_address (rng, DISTRICT_FULL);
  char phone[16];
  char uscc[19];
  char *name = NULL;
  Org *org;

  /* A few fixed units first, then property companies. */
  if (i == 0)
    return add_government (d, rng, ROLE_OTHER, DISTRICT_FULL "城市管理和综合执法局",
                           "city_management", "11", NULL, error);
  if (i == 1)
    {
      org = org_new (d, rng, ROLE_OTHER, g_strdup (DISTRICT_FULL "志愿者协会"));
      make_uscc (d, rng, "51", DIVISION, "MJ*#####", uscc);
      make_mobile (rng, phone);
      return insert_org (d, org, "volunteer_organization", uscc, address, phone, NULL, NULL, error);
    }

  for (guint attempt = 0; name == NULL; attempt++)
    {
      name = g_strconcat ("株洲", PICK (rng, property_brands), PICK (rng, agency_brands),
                          "物业管理有限公司", attempt > 20 ? "天元分公司" : "", NULL);
      if (g_hash_table_contains (d->taken, name))
        g_clear_pointer (&name, g_free);
    }
  org = org_new (d, rng, ROLE_OTHER, name);
  make_uscc (d, rng, "91", DIVISION, "MA4*####", uscc);
  make_mobile (rng, phone);

  return insert_org (d, org, "property_management", uscc, address, phone, NULL, NULL, error);
}

static gboolean
ensure_grade_scheme (Demo        *d,
                     Rng         *rng,
                     const char  *name,
                     const char  *bands,
                     char         out_id[ID_LEN],
                     GError     **error)
{
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(ProcuraRecord) record = NULL;

  found = procura_store_list (d->store, d->e_scheme, "name", name, error);
  if (found == NULL)
    return FALSE;
  if (found->len > 0)
    {
      g_strlcpy (out_id, procura_record_get_id (g_ptr_array_index (found, 0)), ID_LEN);
      return TRUE;
    }

  rng_uuid (rng, &d->next_id, out_id);
  record = procura_record_new (d->e_scheme, out_id);
  procura_record_set_string (record, "name", name);
  procura_record_set_string (record, "bands", bands);
  if (!procura_store_insert (d->store, record, error))
    {
      g_prefix_error (error, "%s “%s”: ", procura_entity_get_label (d->e_scheme), name);
      return FALSE;
    }

  return TRUE;
}

static gboolean
create_organizations (Demo    *d,
                      guint    n_projects,
                      GError **error)
{
  Rng rng;
  guint n_total, n_evaluators, n_other, n_agencies, n_fixed;

  rng_init (&rng, d->seed, 1);

  if (!ensure_grade_scheme (d, &rng, "百分制（优秀/良好/合格/不合格）", PROCURA_GRADE_SCHEME_DEFAULT,
                            d->scheme_default, error) ||
      !ensure_grade_scheme (d, &rng, "百分制（优秀/良好/基本合格/不合格）",
                            "优秀>=90;良好>=80;基本合格>=60;不合格>=0", d->scheme_alt, error))
    return FALSE;

  /* Buyers: the civil-affairs bureau, every street office and town
   * government, and the mass organizations that buy services too. */
  if (!add_government (d, &rng, ROLE_BUREAU, DISTRICT_FULL "民政局", "civil_affairs_bureau", "11",
                       &d->bureau, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (streets); i++)
    {
      g_autofree char *name = g_strconcat (DISTRICT_FULL, streets[i].name,
                                           g_str_has_suffix (streets[i].name, "镇") ? "人民政府" : "办事处",
                                           NULL);

      if (!add_government (d, &rng, ROLE_STREET, name, "street_office", "11", &d->street_offices[i], error))
        return FALSE;
    }
  if (!add_government (d, &rng, ROLE_BUYER_OTHER, DISTRICT_FULL "残疾人联合会", "other", "13",
                       &d->disabled_fed, error) ||
      !add_government (d, &rng, ROLE_BUYER_OTHER, DISTRICT_FULL "妇女联合会", "other", "13",
                       &d->women_fed, error) ||
      !add_government (d, &rng, ROLE_BUYER_OTHER, "共青团" DISTRICT_FULL "委员会", "other", "13",
                       &d->youth_league, error))
    return FALSE;

  /* About one organization for ten projects, as in product.md §8. */
  n_fixed = d->orgs->len;
  n_total = MAX (n_projects / 10, n_fixed + 6);
  n_evaluators = MAX (2, n_total / 50);
  n_other = n_total >= 100 ? n_total / 20 : 0;
  n_agencies = MAX (4, (int) n_total - (int) (n_fixed + n_evaluators + n_other));

  for (guint i = 0; i < n_evaluators; i++)
    if (!add_evaluator (d, &rng, error))
      return FALSE;
  for (guint i = 0; i < n_agencies; i++)
    if (!add_agency (d, &rng, error))
      return FALSE;
  for (guint i = 0; i < n_other; i++)
    if (!add_other_org (d, &rng, i, error))
      return FALSE;

  return TRUE;
}

/* ---- projects: the plan ------------------------------------------------------ */

typedef enum
{
  MS_SURVEY,
  MS_REPORT,
  MS_MEETING,
  MS_MIDTERM,
  MS_SPOT,
  MS_FINAL,
} MsKind;

typedef struct
{
  char        id[ID_LEN];
  MsKind      kind;
  const char *title;
  const char *code;         /* NULL for periodic reports: no code fits */
  guint32     due;
  guint32     period_start; /* what its report covers */
  guint32     period_end;
  /* simulated timeline; NEVER when it does not happen */
  guint32     draft_at;
  guint32     submit_at;
  guint32     return_at;
  guint32     resubmit_at;
  guint32     accept_at;
} Ms;

typedef struct
{
  char        id[ID_LEN];
  int         milestone;    /* index into ms, or -1: due on signing */
  const char *title;
  const char *condition;
  gint64      amount;       /* fen */
  guint32     planned;
  gboolean    paid;
} Tranche;

typedef struct
{
  char                id[ID_LEN];
  const IndicatorDef *def;
  gint64              baseline;   /* hundredths */
  gint64              target;
  guint               n_periods;
  struct
  {
    char    id[ID_LEN];
    guint32 start, end;
    gint64  target;
  } periods[4];
} Ind;

typedef enum
{
  FATE_DRAFT,
  FATE_CANCELLED,
  FATE_ACTIVE,
  FATE_TERMINATED,
} Fate;

typedef enum
{
  AMEND_NONE,
  AMEND_INCREASE,
  AMEND_EXTENSION,
} AmendKind;

typedef struct
{
  Rng          rng;
  char         id[ID_LEN];
  char         code[32];
  const char  *title;
  const char  *area;         /* community, street or district name */
  int          street;       /* -1: district-wide */
  int          community;    /* -1: the whole street */
  guint        category;
  Org         *buyer;
  Org         *agency;       /* NULL while still being procured */
  Org         *evaluator;
  int          year;
  int          years;
  gint64       value;
  gint64       budget;
  const char  *method;
  guint32      start, end, end_eff, signed_on, filed_on;
  Fate         fate;
  gboolean     stale;        /* the final acceptance never happens */
  guint32      cutoff;       /* things happen up to here */
  guint32      pay_cutoff;
  double       quality;
  AmendKind    amend;
  guint32      amend_on;
  gint64       amend_delta;

  Ms           ms[8];
  guint        n_ms;
  Tranche      tr[5];
  guint        n_tr;
  Ind          ind[3];
  guint        n_ind;
  char         contract_no[48];
  char         meetings[8][ID_LEN]; /* consultation meetings, for items to link to */
  guint32      meeting_days[8];
  guint        n_meetings;
} Project;

static int
pick_year (Demo *d,
           Rng  *rng)
{
  guint weights[32];
  guint n = 0;

  /* Purchases grew over the decade; next year's only appear late in the year. */
  for (int y = d->first_year; y <= d->last_year && n < G_N_ELEMENTS (weights); y++)
    weights[n++] = y > jd_year (d->today) ? 4 : (guint) (6 + (y - d->first_year));

  return d->first_year + (int) rng_weighted (rng, weights, n);
}

static Org *
pick_skewed (Rng       *rng,
             GPtrArray *orgs,
             guint      power)
{
  double u = rng_unit (rng);
  double x = u;

  /* u^power: a few organizations get most of the work */
  for (guint i = 1; i < power; i++)
    x *= u;

  return g_ptr_array_index (orgs, MIN ((guint) (x * orgs->len), orgs->len - 1));
}

/* A title used before becomes the next phase: “…项目（2023年度·二期）”. */
static const char *
unique_title (Demo       *d,
              const char *title)
{
  static const char * const phases[] = { "二", "三", "四", "五", "六", "七", "八", "九", "十" };
  guint uses = GPOINTER_TO_UINT (g_hash_table_lookup (d->titles, title));
  char phase[16];

  g_hash_table_insert (d->titles, g_strdup (title), GUINT_TO_POINTER (uses + 1));
  if (uses == 0)
    return title;

  if (uses <= G_N_ELEMENTS (phases))
    g_snprintf (phase, sizeof phase, "%s期", phases[uses - 1]);
  else
    g_snprintf (phase, sizeof phase, "第%u期", uses + 1);

  g_string_assign (d->scratch, title);
  if (g_str_has_suffix (title, "）"))
    {
      g_string_truncate (d->scratch, d->scratch->len - strlen ("）"));
      g_string_append_printf (d->scratch, "·%s）", phase);
    }
  else
    g_string_append_printf (d->scratch, "（%s）", phase);

  return keep (d, d->scratch->str);
}

static void
project_choose (Demo    *d,
                Project *p)
{
  static const guint month_weights[] = { 28, 8, 18, 16, 10, 8, 7, 3, 2 };
  static const guint year_weights[] = { 80, 14, 6 };
  guint cat_weights[N_CATEGORIES];
  Rng *rng = &p->rng;
  const Category *cat;
  const char *tmpl;
  const char * const *titles;
  double level = rng_unit (rng);
  double lo, hi;
  guint32 duration;
  Vars vars = { 0 };
  char year_text[8];
  int month, day;

  rng_uuid (rng, &d->next_id, p->id);

  for (guint i = 0; i < N_CATEGORIES; i++)
    cat_weights[i] = categories[i].weight;
  p->category = rng_weighted (rng, cat_weights, N_CATEGORIES);
  cat = &categories[p->category];

  /* Where: a community (45%), a whole street (35%) or the district. */
  p->street = level < 0.2 ? -1 : (int) rng_below (rng, G_N_ELEMENTS (streets));
  p->community = -1;
  if (p->street >= 0 && level >= 0.55)
    p->community = (int) rng_below (rng, street_n_communities (&streets[p->street]));
  if (p->community >= 0)
    p->area = streets[p->street].communities[p->community];
  else if (p->street >= 0)
    p->area = streets[p->street].name;
  else
    p->area = DISTRICT_NAME;

  p->year = pick_year (d, rng);
  g_snprintf (year_text, sizeof year_text, "%d", p->year);
  titles = p->community >= 0 ? cat->titles_community :
           p->street >= 0 ? cat->titles_street : cat->titles_district;
  do
    tmpl = titles[rng_below (rng, 4)];
  while (tmpl == NULL);
  vars_set (&vars, 'a', p->area);
  vars_set (&vars, 'y', year_text);
  p->title = unique_title (d, keep_expanded (d, tmpl, &vars));

  d->code_seq[p->year - d->first_year]++;
  g_snprintf (p->code, sizeof p->code, "TYCG-%d-%04u", p->year, d->code_seq[p->year - d->first_year]);

  /* When: mostly a calendar year starting in the first half. */
  month = 1 + (int) rng_weighted (rng, month_weights, G_N_ELEMENTS (month_weights));
  day = rng_chance (rng, 0.7) ? 1 : rng_range (rng, 2, 28);
  p->years = 1 + (int) rng_weighted (rng, year_weights, G_N_ELEMENTS (year_weights));
  p->start = jd_make (p->year, month, day);
  p->end = jd_add_months (p->start, 12 * p->years) - 1;
  p->end_eff = p->end;
  p->signed_on = p->start - (guint32) rng_range (rng, 3, 25);
  p->filed_on = p->signed_on + (guint32) rng_range (rng, 1, 9);
  duration = p->end - p->start;

  /* How much: ¥50,000 – ¥1,200,000, rounded to 100 yuan. */
  if (p->community >= 0)
    lo = 50000, hi = 300000;
  else if (p->street >= 0)
    lo = 100000, hi = 600000;
  else
    lo = 200000, hi = 1200000;
  {
    double u = rng_unit (rng);
    double yuan = (lo + (hi - lo) * u * u) * (1.0 + 0.6 * (p->years - 1));

    yuan = CLAMP (yuan, 50000.0, 1200000.0);
    p->value = (gint64) (yuan / 100.0 + 0.5) * 100 * 100;
    p->budget = ((gint64) (yuan / (0.88 + 0.12 * rng_unit (rng)) / 1000.0) + 1) * 1000 * 100;
  }

  /* How bought: open tender for large purchases, consultation in the
   * middle, single source for small continuations. */
  {
    double u = rng_unit (rng);
    gint64 yuan = p->value / 100;

    if (yuan >= 800000)
      p->method = u < 0.8 ? "open_tender" : "competitive_consultation";
    else if (yuan >= 300000)
      p->method = u < 0.55 ? "competitive_consultation" : u < 0.7 ? "open_tender" :
                  u < 0.85 ? "competitive_negotiation" : u < 0.95 ? "invited_tender" : "inquiry";
    else
      p->method = u < 0.4 ? "competitive_consultation" : u < 0.65 ? "single_source" :
                  u < 0.75 ? "inquiry" : u < 0.85 ? "competitive_negotiation" : "other";
    if (strcmp (p->method, "single_source") == 0)
      p->budget = (p->value / 100000 + (p->value % 100000 != 0)) * 100000;
  }

  /* Who buys: the street for its own communities, else the bureau; the
   * federations buy in their own fields. */
  p->buyer = d->bureau;
  if (p->street >= 0 && rng_chance (rng, 0.55))
    p->buyer = d->street_offices[p->street];
  if (p->category == CAT_DISABILITY && rng_chance (rng, 0.4))
    p->buyer = d->disabled_fed;
  else if (p->category == CAT_FAMILY && rng_chance (rng, 0.4))
    p->buyer = d->women_fed;
  else if (p->category == CAT_YOUTH && rng_chance (rng, 0.3))
    p->buyer = d->youth_league;

  /* Some agencies win much more often than others, none wins everything. */
  p->agency = pick_skewed (rng, d->agencies, rng_chance (rng, 0.3) ? 2 : 1);
  p->evaluator = pick_skewed (rng, d->evaluators, 2);
  /* (CLAMP, MIN and MAX evaluate their argument twice: draw first) */
  p->quality = p->agency->quality + (rng_unit (rng) - 0.5) * 0.1;
  p->quality = CLAMP (p->quality, 0.4, 0.99);

  /* What happened to it, seen from today. */
  p->cutoff = d->today;
  if (rng_chance (rng, 0.03))
    p->fate = FATE_CANCELLED;
  else if (p->signed_on > d->today)
    p->fate = FATE_DRAFT;
  else
    {
      double terminate = p->end < d->today ? 0.04 : p->start < d->today ? 0.015 : 0;

      p->fate = FATE_ACTIVE;
      if (duration > 150 && rng_chance (rng, terminate))
        {
          guint32 on = p->start + (guint32) rng_range (rng, 90, (int) duration - 30);

          if (on + 3 <= d->today)
            {
              p->fate = FATE_TERMINATED;
              p->cutoff = on;
            }
        }
    }
  p->pay_cutoff = p->fate == FATE_TERMINATED ? MIN (d->today, p->cutoff + 60) : d->today;
  if (p->fate == FATE_ACTIVE && p->end + 120 < d->today)
    p->stale = rng_chance (rng, 0.03);
  if (p->fate == FATE_DRAFT && rng_chance (rng, 0.4))
    p->agency = NULL;  /* still being procured */
  if (p->fate == FATE_CANCELLED && rng_chance (rng, 0.6))
    p->agency = NULL;

  /* About 5% of signed contracts get a supplementary agreement. */
  if ((p->fate == FATE_ACTIVE || p->fate == FATE_TERMINATED) && duration > 150 && rng_chance (rng, 0.055))
    {
      guint32 on = p->start + (guint32) rng_range (rng, 60, (int) duration - 60);

      if (on <= p->cutoff)
        {
          p->amend_on = on;
          if (rng_chance (rng, 0.6))
            {
              p->amend = AMEND_INCREASE;
              /* 3–10% of the original value, down to 100 yuan (Art. 49: ≤10%) */
              p->amend_delta = p->value * rng_range (rng, 3, 10) / 100 / 10000 * 10000;
              if (p->amend_delta <= 0)
                p->amend = AMEND_NONE;
            }
          else
            {
              p->amend = AMEND_EXTENSION;
              p->end_eff = jd_add_months (p->end + 1, rng_range (rng, 1, 3)) - 1;
            }
        }
    }

  if (p->buyer->role != ROLE_STREET)
    g_snprintf (p->contract_no, sizeof p->contract_no, "%s〔%d〕%u号",
                p->buyer == d->disabled_fed ? "天残购" : p->buyer == d->women_fed ? "天妇购" :
                p->buyer == d->youth_league ? "天团购" : "天民购",
                p->year, d->code_seq[p->year - d->first_year]);
  else
    {
      char first[8] = { 0 };
      const char *name = streets[p->street].name;

      memcpy (first, name, (gsize) (g_utf8_next_char (name) - name));
      g_snprintf (p->contract_no, sizeof p->contract_no, "%s%s购〔%d〕%u号", first,
                  g_str_has_suffix (name, "镇") ? "镇" : "街", p->year,
                  d->code_seq[p->year - d->first_year]);
    }
}

static Ms *
add_ms (Demo       *d,
        Project    *p,
        MsKind      kind,
        guint32     due,
        const char *title)
{
  static const char * const codes[] = {
    [MS_SURVEY] = "residentSurvey",
    [MS_REPORT] = NULL,
    [MS_MEETING] = "consultationMeeting",
    [MS_MIDTERM] = "midtermEvaluation",
    [MS_SPOT] = "spotCheck",
    [MS_FINAL] = "acceptance",
  };
  Ms *m;

  if (p->n_ms >= G_N_ELEMENTS (p->ms))
    return NULL;
  m = &p->ms[p->n_ms++];
  memset (m, 0, sizeof *m);
  rng_uuid (&p->rng, &d->next_id, m->id);
  m->kind = kind;
  m->due = CLAMP (due, p->start + 7, p->end);
  m->title = keep (d, title);
  m->code = codes[kind];
  if (kind == MS_FINAL && rng_chance (&p->rng, 0.3))
    {
      m->code = "finalEvaluation";
      m->title = "末期评估";
    }

  return m;
}

/* A periodic report covers from … to and is due a few days after. */
static void
add_report_ms (Demo    *d,
               Project *p,
               guint32  from,
               guint32  to)
{
  char label[64];
  g_autofree char *title = NULL;
  Ms *m;

  period_label (from, to, label, sizeof label);
  title = g_strconcat (label, "服务报告", NULL);
  m = add_ms (d, p, MS_REPORT, to + (guint32) rng_range (&p->rng, 5, 10), title);
  if (m != NULL)
    m->period_end = to;
}

static void
plan_milestones (Demo    *d,
                 Project *p)
{
  static const guint plan_weights[] = { 40, 30, 15, 15 };
  Rng *rng = &p->rng;
  guint32 s = p->start;
  guint32 final_due = p->end - (guint32) rng_range (rng, 5, 20);
  gboolean meetings = p->category == CAT_GOVERNANCE || p->category == CAT_COMPREHENSIVE;

  p->n_ms = 0;
  if (p->years == 1)
    {
      guint plan = rng_weighted (rng, plan_weights, G_N_ELEMENTS (plan_weights));

      if (plan == 2 && !meetings)
        plan = 1;
      switch (plan)
        {
        case 0:
          add_ms (d, p, MS_SURVEY, jd_add_months (s, 1) + (guint32) rng_range (rng, 0, 10), "居民需求调研及服务计划");
          add_ms (d, p, MS_MIDTERM, jd_add_months (s, 6) + (guint32) rng_range (rng, 0, 15), "中期评估");
          break;
        case 1:
          add_report_ms (d, p, s, jd_add_months (s, 3) - 1);
          add_ms (d, p, MS_MIDTERM, jd_add_months (s, 6) + (guint32) rng_range (rng, 0, 15), "中期评估");
          add_report_ms (d, p, jd_add_months (s, 6), jd_add_months (s, 9) - 1);
          break;
        case 2:
          {
            char label[64];
            g_autofree char *t1 = NULL;
            g_autofree char *t2 = NULL;

            add_ms (d, p, MS_SURVEY, jd_add_months (s, 1) + (guint32) rng_range (rng, 0, 10), "居民需求调研及服务计划");
            period_label (s, jd_add_months (s, 5), label, sizeof label);
            t1 = g_strconcat ("社区协商议事成果报告（", label, "）", NULL);
            add_ms (d, p, MS_MEETING, jd_add_months (s, 5) + (guint32) rng_range (rng, 0, 10), t1);
            add_ms (d, p, MS_MIDTERM, jd_add_months (s, 6) + (guint32) rng_range (rng, 0, 15), "中期评估");
            period_label (jd_add_months (s, 6), jd_add_months (s, 10), label, sizeof label);
            t2 = g_strconcat ("社区协商议事成果报告（", label, "）", NULL);
            add_ms (d, p, MS_MEETING, jd_add_months (s, 10) + (guint32) rng_range (rng, 0, 10), t2);
          }
          break;
        default:
          add_ms (d, p, MS_MIDTERM, jd_add_months (s, 6) + (guint32) rng_range (rng, 0, 15), "中期评估");
          add_ms (d, p, MS_SPOT, jd_add_months (s, 8) + (guint32) rng_range (rng, 0, 30), "项目抽查评估");
          break;
        }
    }
  else
    {
      static const char * const nth[] = { "第一", "第二", "第三" };

      add_ms (d, p, MS_SURVEY, jd_add_months (s, 1) + (guint32) rng_range (rng, 0, 10), "居民需求调研及服务计划");
      for (int y = 0; y < p->years; y++)
        {
          guint32 half = jd_add_months (s, 12 * y + 6);
          guint32 year_end = jd_add_months (s, 12 * (y + 1)) - 1;

          add_report_ms (d, p, jd_add_months (s, 12 * y), half - 1);
          if (y == p->years - 1)
            break;
          if (2 * (y + 1) == p->years || (p->years == 3 && y == 0))
            add_ms (d, p, MS_MIDTERM, year_end + (guint32) rng_range (rng, 0, 15),
                    y == 0 && p->years == 3 ? "第一年度评估" : "中期评估");
          else
            {
              g_autofree char *title = g_strconcat (nth[y], "年度服务报告及年度评估", NULL);
              add_ms (d, p, MS_REPORT, year_end + (guint32) rng_range (rng, 0, 15), title);
            }
        }
    }
  add_ms (d, p, MS_FINAL, final_due, "末期评估及结项验收");

  /* The plan must read in order; squeeze anything that crowds the end. */
  for (guint i = 0; i + 1 < p->n_ms; i++)
    if (p->ms[i].due + 10 > p->ms[p->n_ms - 1].due)
      p->ms[i].due = p->ms[p->n_ms - 1].due - 10 - (p->n_ms - i);

  for (guint i = 0; i < p->n_ms; i++)
    p->ms[i].period_start = i == 0 ? p->start : p->ms[i - 1].due + 1;
  for (guint i = 0; i < p->n_ms; i++)
    {
      Ms *m = &p->ms[i];

      if (m->period_end == 0 || m->period_end > m->due)
        m->period_end = m->due;
      if (m->period_start > m->period_end)
        m->period_start = m->period_end;
    }
}

static int
find_ms (const Project *p,
         MsKind         kind)
{
  for (guint i = 0; i < p->n_ms; i++)
    if (p->ms[i].kind == kind)
      return (int) i;
  return -1;
}

/* The first milestone before the final one due on or after day. */
static int
ms_from (const Project *p,
         guint32        day)
{
  for (guint i = 0; i + 1 < p->n_ms; i++)
    if (p->ms[i].due >= day)
      return (int) i;
  return (int) p->n_ms - 1;
}

static void
add_tranche (Demo       *d,
             Project    *p,
             int         milestone,
             const char *title,
             const char *condition,
             int         percent)
{
  Tranche *t = &p->tr[p->n_tr++];

  rng_uuid (&p->rng, &d->next_id, t->id);
  t->milestone = milestone;
  t->title = title;
  t->condition = condition;
  t->amount = p->value * percent / 100 / 10000 * 10000;
  t->planned = milestone < 0 ? p->signed_on + 15 : p->ms[milestone].due + 30;
}

static void
plan_tranches (Demo    *d,
               Project *p)
{
  Rng *rng = &p->rng;
  int final = (int) p->n_ms - 1;
  int mid = find_ms (p, MS_MIDTERM);
  gint64 sum = 0;

  p->n_tr = 0;
  if (mid < 0)
    mid = final > 0 ? final / 2 : 0;

  if (p->years == 3)
    {
      add_tranche (d, p, -1, "首期款", "合同签订并备案后支付", 25);
      add_tranche (d, p, ms_from (p, jd_add_months (p->start, 12) - 1), "第二期款", "第一年度评估合格后支付", 25);
      add_tranche (d, p, ms_from (p, jd_add_months (p->start, 24) - 1), "第三期款", "第二年度评估合格后支付", 25);
      add_tranche (d, p, final, "尾款", "末期评估合格并通过结项验收后支付", 25);
    }
  else if (rng_chance (rng, 0.25) && p->years == 1)
    {
      add_tranche (d, p, -1, "首期款", "合同签订后10个工作日内支付", 50);
      add_tranche (d, p, final, "尾款", "末期评估合格并通过结项验收后支付", 50);
    }
  else
    {
      gboolean front = rng_chance (rng, 0.5);

      add_tranche (d, p, -1, "首期款", "合同签订并备案后支付", front ? 40 : 30);
      add_tranche (d, p, mid, "第二期款", "中期评估合格后支付", front ? 30 : 40);
      add_tranche (d, p, final, "尾款", "末期评估合格并通过结项验收后支付", 30);
    }

  /* The last tranche takes what rounding left. */
  for (guint i = 0; i + 1 < p->n_tr; i++)
    sum += p->tr[i].amount;
  p->tr[p->n_tr - 1].amount = p->value - sum;
}

/* When the agency drafts, submits and the officer reviews each milestone. */
static void
plan_timeline (Demo    *d,
               Project *p)
{
  Rng *rng = &p->rng;
  double sloppy = 1.0 - p->quality;

  for (guint i = 0; i < p->n_ms; i++)
    {
      Ms *m = &p->ms[i];
      gboolean last = i + 1 == p->n_ms;

      if (m->due + 75 > d->today && rng_chance (rng, 0.08 + sloppy * 0.2))
        m->submit_at = m->due + (guint32) rng_range (rng, 20, 90);  /* will be overdue */
      else if (rng_chance (rng, 0.15))
        m->submit_at = m->due + (guint32) rng_range (rng, 1, 12);
      else
        m->submit_at = m->due - (guint32) rng_range (rng, 0, 10);
      m->draft_at = m->submit_at - (guint32) rng_range (rng, 2, 12);
      m->return_at = m->resubmit_at = NEVER;

      if (rng_chance (rng, 0.07 + sloppy * 0.3))
        {
          m->return_at = m->submit_at + (guint32) rng_range (rng, 2, 10);
          m->resubmit_at = m->return_at + (guint32) rng_range (rng, 3, 15);
          m->accept_at = m->resubmit_at + (guint32) rng_range (rng, 2, 10);
        }
      else
        m->accept_at = m->submit_at + (guint32) rng_range (rng, 2, 15);

      /* A stale file: the final report never arrives, or is never reviewed. */
      if (last && p->stale)
        {
          if (rng_chance (rng, 0.5))
            m->submit_at = m->return_at = m->resubmit_at = m->accept_at = NEVER;
          else
            m->return_at = m->resubmit_at = m->accept_at = NEVER;
        }
    }
}

typedef enum
{
  RS_NONE,
  RS_DRAFT,
  RS_SUBMITTED,
  RS_RETURNED,
  RS_RESUBMITTED,
  RS_ACCEPTED,
} ReportState;

static ReportState
report_state (const Ms *m,
              guint32   cutoff)
{
  if (m->draft_at > cutoff)
    return RS_NONE;
  if (m->submit_at > cutoff)
    return RS_DRAFT;
  if (m->return_at > cutoff)
    return m->accept_at <= cutoff ? RS_ACCEPTED : RS_SUBMITTED;
  if (m->resubmit_at > cutoff)
    return RS_RETURNED;
  return m->accept_at <= cutoff ? RS_ACCEPTED : RS_RESUBMITTED;
}

/* ---- projects: the writes ------------------------------------------------------ */

/* Demo attachments are real files, so that opening one works: a short PDF
 * per document type and a CSV table per file name, each stored once in the
 * blob store (content-addressed) and shared by every attachment of its
 * kind. */
typedef struct
{
  char   *sha256;
  gint64  size;
} DemoSample;

static void
demo_sample_free (DemoSample *sample)
{
  g_free (sample->sha256);
  g_free (sample);
}

/* A one-page PDF with a few lines of ASCII text in Helvetica; the cross
 * reference table is computed, so any reader opens it. */
static GBytes *
sample_pdf (const char *doc_type)
{
  g_autoptr(GString) pdf = g_string_new ("%PDF-1.4\n");
  g_autoptr(GString) text = g_string_new (NULL);
  gsize offsets[6];
  gsize xref;

  g_string_append_printf (text,
                          "BT /F1 18 Tf 72 760 Td (Procura demonstration document) Tj\n"
                          "/F1 12 Tf 0 -32 Td (Document type: %s) Tj\n"
                          "0 -18 Td (This file stands in for the scanned original.) Tj\n"
                          "0 -18 Td (It was generated with the demo data and contains no real information.) Tj ET\n",
                          doc_type);

  offsets[1] = pdf->len;
  g_string_append (pdf, "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
  offsets[2] = pdf->len;
  g_string_append (pdf, "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n");
  offsets[3] = pdf->len;
  g_string_append (pdf, "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >> endobj\n");
  offsets[4] = pdf->len;
  g_string_append (pdf, "4 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n");
  offsets[5] = pdf->len;
  g_string_append_printf (pdf, "5 0 obj << /Length %" G_GSIZE_FORMAT " >> stream\n%sendstream endobj\n",
                          text->len, text->str);
  xref = pdf->len;
  g_string_append (pdf, "xref\n0 6\n0000000000 65535 f \n");
  for (guint i = 1; i < 6; i++)
    g_string_append_printf (pdf, "%010" G_GSIZE_FORMAT " 00000 n \n", offsets[i]);
  g_string_append_printf (pdf, "trailer << /Size 6 /Root 1 0 R >>\nstartxref\n%" G_GSIZE_FORMAT "\n%%%%EOF\n",
                          xref);

  return g_string_free_to_bytes (g_steal_pointer (&pdf));
}

/* A small table as officers exchange them: UTF-8 with a byte-order mark so
 * that WPS and Excel read the Chinese correctly. */
static GBytes *
sample_csv (const char *name)
{
  g_autoptr(GString) csv = g_string_new ("\xef\xbb\xbf");

  g_string_append_printf (csv, "序号,项目,数量,备注\r\n"
                               "1,%s（演示数据）,12,\r\n"
                               "2,入户走访,36,\r\n"
                               "3,小组活动,8,\r\n"
                               "4,社区议事会,2,\r\n",
                          name);

  return g_string_free_to_bytes (g_steal_pointer (&csv));
}

static const DemoSample *
demo_sample (Demo        *d,
             const char  *name,
             const char  *doc_type,
             GError     **error)
{
  gboolean is_csv = g_str_has_suffix (name, ".csv");
  const char *key = is_csv ? name : doc_type;
  DemoSample *sample = g_hash_table_lookup (d->samples, key);

  if (sample == NULL)
    {
      g_autofree char *blob_dir = g_build_filename (procura_store_get_data_dir (d->store), "blobs", NULL);
      g_autoptr(GBytes) bytes = is_csv ? sample_csv (name) : sample_pdf (doc_type);
      char *sha256 = procura_blobs_import_bytes (blob_dir, bytes, error);

      if (sha256 == NULL)
        return NULL;

      sample = g_new0 (DemoSample, 1);
      sample->sha256 = sha256;
      sample->size = g_bytes_get_size (bytes);
      g_hash_table_insert (d->samples, g_strdup (key), sample);
    }

  return sample;
}

static gboolean
write_attachment (Demo        *d,
                  Project     *p,
                  const char  *report_id,
                  const char  *name,
                  const char  *doc_type,
                  gboolean     personal,
                  GError     **error)
{
  g_autoptr(ProcuraRecord) record = NULL;
  const DemoSample *sample;
  Rng *rng = &p->rng;
  char id[ID_LEN];
  char unused_sha[65];

  /* the random stream stays as it was when sizes and hashes were made
   * up, so the rest of the demo is unchanged */
  (void) rng_range (rng, 15, 6000);
  (void) rng_range (rng, 0, 1023);

  rng_uuid (rng, &d->next_id, id);
  rng_sha256 (rng, unused_sha);

  if (!(sample = demo_sample (d, name, doc_type, error)))
    return FALSE;

  record = procura_record_new (d->e_attachment, id);
  procura_record_set_string (record, "project_id", p->id);
  if (report_id != NULL)
    procura_record_set_string (record, "report_id", report_id);
  procura_record_set_string (record, "name", name);
  procura_record_set_string (record, "mime_type",
                             g_str_has_suffix (name, ".csv") ? "text/csv" : "application/pdf");
  procura_record_set_int (record, "size", sample->size);
  procura_record_set_string (record, "sha256", sample->sha256);
  procura_record_set_string (record, "doc_type", doc_type);
  procura_record_set_bool (record, "contains_personal_info", personal);

  return procura_store_insert (d->store, record, error);
}

static gboolean
write_project_draft (Demo     *d,
                     Project  *p,
                     GError  **error)
{
  g_autoptr(ProcuraRecord) record = procura_record_new (d->e_project, p->id);
  static const guint funding_weights[] = { 60, 25, 12, 3 };
  static const char * const funding[] = { "general_budget", "lottery_fund", "special_fund", "other" };
  Vars vars = { 0 };

  vars_set (&vars, 'a', p->area);
  procura_record_set_string (record, "code", p->code);
  procura_record_set_string (record, "title", p->title);
  procura_record_set_string (record, "description", keep_expanded (d, categories[p->category].description, &vars));
  procura_record_set_string (record, "buyer_id", p->buyer->id);
  if (p->agency != NULL)
    {
      procura_record_set_string (record, "agency_id", p->agency->id);
      procura_record_set_int (record, "value", p->value);
    }
  procura_record_set_string (record, "category", categories[p->category].code);
  procura_record_set_string (record, "method", p->method);
  procura_record_set_int (record, "budget", p->budget);
  procura_record_set_string (record, "funding_source",
                             funding[rng_weighted (&p->rng, funding_weights, G_N_ELEMENTS (funding_weights))]);
  procura_record_set_int (record, "budget_year", p->year);
  set_date (record, "start_date", p->start);
  set_date (record, "end_date", p->end);
  if (p->street >= 0)
    procura_record_set_string (record, "street", streets[p->street].name);
  if (p->community >= 0)
    procura_record_set_string (record, "community", p->area);
  procura_record_set_string (record, "grade_scheme_id",
                             p->buyer->role == ROLE_STREET && p->street >= 5 ? d->scheme_alt : d->scheme_default);

  return procura_store_insert (d->store, record, error);
}

static gboolean
write_plan (Demo     *d,
            Project  *p,
            GError  **error)
{
  static const char * const descriptions[] = {
    [MS_SURVEY] = "完成服务区域居民需求调查（有效问卷不少于300份），提交需求评估报告和年度服务计划",
    [MS_REPORT] = "提交阶段服务报告、活动台账、签到表及经费使用明细",
    [MS_MEETING] = "每月召开社区事务协商议事会，提交《社区协商议事项目清单》及办理情况",
    [MS_MIDTERM] = "由第三方评估机构开展中期评估，评估结果为合格及以上",
    [MS_SPOT] = "配合购买方开展项目抽查评估",
    [MS_FINAL] = "完成末期评估，提交结项报告、财务收支报告，通过购买方验收",
  };
  static const char * const types[] = {
    [MS_SURVEY] = "engagement",
    [MS_REPORT] = "reporting",
    [MS_MEETING] = "engagement",
    [MS_MIDTERM] = "assessment",
    [MS_SPOT] = "assessment",
    [MS_FINAL] = "assessment",
  };

  for (guint i = 0; i < p->n_ms; i++)
    {
      g_autoptr(ProcuraRecord) record = procura_record_new (d->e_milestone, p->ms[i].id);

      procura_record_set_string (record, "project_id", p->id);
      procura_record_set_string (record, "title", p->ms[i].title);
      procura_record_set_string (record, "type", types[p->ms[i].kind]);
      if (p->ms[i].code != NULL)
        procura_record_set_string (record, "code", p->ms[i].code);
      set_date (record, "due_date", p->ms[i].due);
      procura_record_set_string (record, "description", descriptions[p->ms[i].kind]);
      if (!procura_store_insert (d->store, record, error))
        return FALSE;
    }

  for (guint i = 0; i < p->n_tr; i++)
    {
      g_autoptr(ProcuraRecord) record = procura_record_new (d->e_payment, p->tr[i].id);

      procura_record_set_string (record, "project_id", p->id);
      if (p->tr[i].milestone >= 0)
        procura_record_set_string (record, "milestone_id", p->ms[p->tr[i].milestone].id);
      procura_record_set_string (record, "title", p->tr[i].title);
      procura_record_set_int (record, "planned_amount", p->tr[i].amount);
      set_date (record, "planned_date", p->tr[i].planned);
      procura_record_set_string (record, "condition", p->tr[i].condition);
      if (!procura_store_insert (d->store, record, error))
        return FALSE;
    }

  return TRUE;
}

static gint64
round_to (gint64 v,
          gint64 step)
{
  return (v + step / 2) / step * step;
}

static gboolean
write_indicator_plan (Demo     *d,
                      Project  *p,
                      GError  **error)
{
  Rng *rng = &p->rng;
  const IndicatorDef *fitting[G_N_ELEMENTS (indicator_defs)];
  guint n_fitting = 0;
  guint want = rng_chance (rng, 0.5) ? 1 : rng_chance (rng, 0.85) ? 2 : 3;

  for (guint i = 0; i < G_N_ELEMENTS (indicator_defs); i++)
    if (indicator_defs[i].categories & CAT (p->category))
      fitting[n_fitting++] = &indicator_defs[i];

  p->n_ind = 0;
  for (guint i = 0; i < want && n_fitting > 0; i++)
    {
      g_autoptr(ProcuraRecord) record = NULL;
      guint k = rng_below (rng, n_fitting);
      const IndicatorDef *def = fitting[k];
      gboolean pct = strcmp (def->measure, "percentage") == 0;
      Ind *ind = &p->ind[p->n_ind++];
      guint32 span = p->end - p->start;

      fitting[k] = fitting[--n_fitting];  /* no indicator twice */
      rng_uuid (rng, &d->next_id, ind->id);
      ind->def = def;
      ind->baseline = rng_range (rng, def->base_lo, def->base_hi) * 100;
      ind->target = rng_range (rng, def->target_lo, def->target_hi) * 100;
      if (!pct)
        ind->target = round_to (ind->target, ind->target >= 100000 ? 10000 : 100);

      record = procura_record_new (d->e_indicator, ind->id);
      procura_record_set_string (record, "project_id", p->id);
      procura_record_set_string (record, "title", def->title);
      procura_record_set_string (record, "result_type", def->result_type);
      procura_record_set_string (record, "measure", def->measure);
      procura_record_set_string (record, "unit", def->unit);
      procura_record_set_bool (record, "ascending", def->ascending);
      procura_record_set_int (record, "baseline_value", ind->baseline);
      set_date (record, "baseline_date", p->start - (guint32) rng_range (rng, 0, 30));
      procura_record_set_int (record, "target_value", ind->target);
      procura_record_set_string (record, "dimension", p->area);
      if (!procura_store_insert (d->store, record, error))
        return FALSE;

      /* Half-years for one-year contracts, years for longer ones. */
      ind->n_periods = p->years == 1 ? 2 : (guint) p->years;
      for (guint j = 0; j < ind->n_periods; j++)
        {
          g_autoptr(ProcuraRecord) period = NULL;
          int months = p->years == 1 ? 6 : 12;
          guint32 from = jd_add_months (p->start, months * (int) j);
          guint32 to = j + 1 == ind->n_periods ? p->end : jd_add_months (p->start, months * (int) (j + 1)) - 1;
          gint64 frac_num = to - p->start + 1;

          rng_uuid (rng, &d->next_id, ind->periods[j].id);
          ind->periods[j].start = from;
          ind->periods[j].end = to;
          ind->periods[j].target = ind->baseline + (ind->target - ind->baseline) * frac_num / (span + 1);
          ind->periods[j].target = round_to (ind->periods[j].target, 100);

          period = procura_record_new (d->e_period, ind->periods[j].id);
          procura_record_set_string (period, "project_id", p->id);
          procura_record_set_string (period, "indicator_id", ind->id);
          set_date (period, "period_start", from);
          set_date (period, "period_end", to);
          procura_record_set_int (period, "target_value", ind->periods[j].target);
          if (!procura_store_insert (d->store, period, error))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean
write_indicator_actuals (Demo     *d,
                         Project  *p,
                         GError  **error)
{
  Rng *rng = &p->rng;

  for (guint i = 0; i < p->n_ind; i++)
    {
      Ind *ind = &p->ind[i];
      gboolean pct = strcmp (ind->def->measure, "percentage") == 0;

      for (guint j = 0; j < ind->n_periods; j++)
        {
          g_autoptr(ProcuraRecord) changes = NULL;
          double achieved = 0.75 + 0.45 * p->quality * rng_unit (rng) + 0.1 * rng_unit (rng);
          gint64 actual;
          char comment[128];
          int y, m;

          /* Actuals are reported a couple of weeks after a period ends. */
          if (ind->periods[j].end + 15 > p->cutoff)
            break;

          actual = ind->baseline + (gint64) ((double) (ind->periods[j].target - ind->baseline) * achieved);
          if (pct)
            actual = CLAMP (round_to (actual, 10), 0, 10000);
          else
            actual = MAX (0, round_to (actual, 100));

          jd_split (ind->periods[j].end, &y, &m, NULL);
          if (pct)
            g_snprintf (comment, sizeof comment, "依据%d年%d月居民问卷测算（有效问卷%d份）", y, m,
                        rng_range (rng, 120, 480));
          else
            g_snprintf (comment, sizeof comment, "根据服务台账统计");

          changes = procura_record_new (d->e_period, ind->periods[j].id);
          procura_record_set_int (changes, "actual_value", actual);
          procura_record_set_string (changes, "comment", comment);
          if (!procura_store_update (d->store, changes, error))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean
write_activation (Demo     *d,
                  Project  *p,
                  GError  **error)
{
  g_autoptr(ProcuraRecord) changes = procura_record_new (d->e_project, p->id);

  procura_record_set_string (changes, "status", "active");
  set_date (changes, "date_signed", p->signed_on);
  set_date (changes, "date_filed", p->filed_on);
  procura_record_set_string (changes, "contract_no", p->contract_no);
  if (!procura_store_update (d->store, changes, error))
    return FALSE;

  if (rng_chance (&p->rng, 0.35))
    {
      g_autofree char *name = g_strconcat ("政府购买服务合同（", p->contract_no, "）.pdf", NULL);

      if (!write_attachment (d, p, NULL, name, "contractSigned", FALSE, error))
        return FALSE;
    }
  if (rng_chance (&p->rng, 0.1) &&
      !write_attachment (d, p, NULL, "项目实施方案.pdf", "projectPlan", FALSE, error))
    return FALSE;

  return TRUE;
}

static gboolean
write_amendment (Demo       *d,
                 Project    *p,
                 const char *rationale,
                 const char *description,
                 gint64      delta,
                 guint32     on,
                 guint32     new_end,
                 GError    **error)
{
  g_autoptr(ProcuraRecord) record = NULL;
  char id[ID_LEN];

  rng_uuid (&p->rng, &d->next_id, id);
  record = procura_record_new (d->e_amendment, id);
  procura_record_set_string (record, "project_id", p->id);
  set_date (record, "date", on);
  procura_record_set_string (record, "rationale", rationale);
  procura_record_set_string (record, "description", description);
  if (delta != 0)
    procura_record_set_int (record, "value_delta", delta);
  if (new_end != 0)
    set_date (record, "new_end_date", new_end);

  return procura_store_insert (d->store, record, error);
}

static gboolean
write_supplementary (Demo     *d,
                     Project  *p,
                     GError  **error)
{
  static const char * const increase_reasons[] = {
    "服务对象增加，追加服务内容",
    "新增两个小区纳入服务范围，相应增加服务经费",
    "追加“微心愿”认领及困难群众节日慰问服务",
    "服务人数超出合同约定，追加个案服务经费",
  };
  static const char * const extension_reasons[] = {
    "服务场地改造施工，服务期限顺延",
    "因购买方调整年度工作安排，服务期限顺延",
  };
  Rng *rng = &p->rng;

  if (p->amend == AMEND_INCREASE)
    {
      g_autoptr(ProcuraRecord) changes = NULL;
      g_autofree char *money = procura_money_format (p->amend_delta);
      g_autofree char *description = g_strdup_printf ("签订补充协议，合同金额增加%s，随尾款一并支付", money);
      Tranche *last = &p->tr[p->n_tr - 1];
      const char *reason = PICK (rng, increase_reasons);

      if (p->year >= 2020 && p->year <= 2022 && rng_chance (rng, 0.5))
        reason = "增加疫情防控社区服务内容，追加服务经费";
      if (!write_amendment (d, p, reason, description, p->amend_delta, p->amend_on, 0, error))
        return FALSE;

      last->amount += p->amend_delta;
      changes = procura_record_new (d->e_payment, last->id);
      procura_record_set_int (changes, "planned_amount", last->amount);
      return procura_store_update (d->store, changes, error);
    }

  if (p->amend == AMEND_EXTENSION)
    {
      g_autoptr(ProcuraRecord) changes = NULL;
      char end_text[16];
      g_autofree char *description = NULL;
      const char *reason = PICK (rng, extension_reasons);
      Ms *final = &p->ms[p->n_ms - 1];

      if (p->year >= 2020 && p->year <= 2022)
        reason = "受疫情影响，部分集中活动暂停，服务期限顺延";
      description = g_strdup_printf ("签订补充协议，服务期限延长至%s，合同金额不变",
                                     jd_format (p->end_eff, end_text));
      if (!write_amendment (d, p, reason, description, 0, p->amend_on, p->end_eff, error))
        return FALSE;

      /* The final acceptance moves with the new end. */
      final->due = p->end_eff - (guint32) rng_range (rng, 5, 15);
      changes = procura_record_new (d->e_milestone, final->id);
      set_date (changes, "due_date", final->due);
      return procura_store_update (d->store, changes, error);
    }

  return TRUE;
}

static void
draw_counts (Rng  *rng,
             Vars *vars)
{
  vars_num (vars, 'n', rng_range (rng, 2, 12));
  vars_num (vars, 'm', rng_range (rng, 80, 600));
  vars_num (vars, 'k', rng_range (rng, 3, 30));
  vars_num (vars, 'j', rng_range (rng, 2, 9));
}

static char *
compose_narrative (Demo     *d,
                   Project  *p,
                   const Ms *m,
                   guint32   from,
                   guint32   to)
{
  const Category *cat = &categories[p->category];
  Rng *rng = &p->rng;
  GString *s = g_string_new (NULL);
  Vars vars = { 0 };
  char label[64];
  guint n_fragments = 0;
  guint first;

  period_label (from, to, label, sizeof label);
  vars_set (&vars, 'a', p->area);
  vars_set (&vars, 'p', label);
  draw_counts (rng, &vars);
  vars_set (&vars, 't', PICK (rng, topics).topic);
  vars_set (&vars, 'u', PICK (rng, topics).topic);
  if (g_strcmp0 (vars.v['t' - 'a'], vars.v['u' - 'a']) == 0)
    vars_set (&vars, 'u', topics[0].topic);

  if (m->kind == MS_SURVEY)
    expand (s, "项目启动后，项目团队通过线上问卷、入户走访和居民座谈会开展需求调研，"
               "回收有效问卷{m}份，访谈居民{k}人，形成需求评估报告和年度服务计划。", &vars);
  else
    expand (s, "{p}，项目团队在{a}累计开展各类服务活动{n}场次，直接服务居民{m}人次。", &vars);

  while (n_fragments < G_N_ELEMENTS (cat->fragments) && cat->fragments[n_fragments] != NULL)
    n_fragments++;
  /* Fresh counts for every sentence: one number repeated reads as fake. */
  first = rng_below (rng, n_fragments);
  draw_counts (rng, &vars);
  expand (s, cat->fragments[first], &vars);
  if (n_fragments > 1 && rng_chance (rng, 0.6))
    {
      draw_counts (rng, &vars);
      expand (s, cat->fragments[(first + 1) % n_fragments], &vars);
    }

  draw_counts (rng, &vars);
  vars_num (&vars, 'k', rng_range (rng, 90, 99));
  expand (s, PICK (rng, common_fragments), &vars);

  if (m->kind == MS_MIDTERM)
    g_string_append (s, "现提交中期服务报告，申请开展中期评估。");
  else if (m->kind == MS_FINAL)
    g_string_append (s, "项目周期内合同约定的各项服务指标均已完成，现申请结项验收。");
  else if (rng_chance (rng, 0.5))
    g_string_append (s, "下一阶段将继续按照服务计划推进，重点做好个案跟进和居民骨干培育。");

  return g_string_free (s, FALSE);
}

static const char *
report_title (Demo     *d,
              Project  *p,
              const Ms *m)
{
  char text[128];

  switch (m->kind)
    {
    case MS_SURVEY:
      return "居民需求调研报告";
    case MS_MEETING:
      return keep (d, m->title);
    case MS_MIDTERM:
      if (p->years == 1)
        {
          g_snprintf (text, sizeof text, "%d年度中期服务报告", p->year);
          return keep (d, text);
        }
      return "中期服务报告";
    case MS_SPOT:
      return "抽查评估自查报告";
    case MS_FINAL:
      return "项目结项总结报告";
    case MS_REPORT:
    default:
      return m->title;
    }
}

static gboolean
write_report (Demo     *d,
              Project  *p,
              Ms       *m,
              GError  **error)
{
  g_autoptr(ProcuraRecord) record = NULL;
  g_autofree char *narrative = NULL;
  g_autofree char *file = NULL;
  ReportState state = report_state (m, p->cutoff);
  Rng *rng = &p->rng;
  const char *title;
  guint32 period_end;
  char id[ID_LEN];

  if (state == RS_NONE)
    return TRUE;

  rng_uuid (rng, &d->next_id, id);
  title = report_title (d, p, m);
  period_end = MIN (m->period_end, m->submit_at != NEVER ? MAX (m->submit_at, m->period_start) : m->period_end);
  narrative = compose_narrative (d, p, m, m->period_start, period_end);

  act_as (d, p->agency);
  record = procura_record_new (d->e_report, id);
  procura_record_set_string (record, "project_id", p->id);
  procura_record_set_string (record, "milestone_id", m->id);
  procura_record_set_string (record, "submitter_org_id", p->agency->id);
  procura_record_set_string (record, "kind", "physicalProgressReport");
  procura_record_set_string (record, "title", title);
  set_date (record, "period_start", m->period_start);
  set_date (record, "period_end", period_end);
  procura_record_set_string (record, "narrative", narrative);
  if (!procura_store_insert (d->store, record, error))
    return FALSE;

  /* Files go in while the report can still change. */
  if (rng_chance (rng, 0.6))
    {
      file = g_strconcat (title, ".pdf", NULL);
      if (!write_attachment (d, p, id, file, "physicalProgressReport", FALSE, error))
        return FALSE;
    }
  if (rng_chance (rng, 0.15))
    {
      gboolean ok;

      switch (m->kind)
        {
        case MS_SURVEY:
          ok = write_attachment (d, p, id, "居民需求调查问卷统计表.csv", "needsAssessment", FALSE, error);
          break;
        case MS_MIDTERM:
          ok = write_attachment (d, p, id, "中期评估报告.pdf", "evaluationReports", FALSE, error);
          break;
        case MS_FINAL:
          ok = write_attachment (d, p, id, "项目经费使用明细表.csv", "financialProgressReport", FALSE, error);
          break;
        case MS_MEETING:
          ok = write_attachment (d, p, id, "社区协商议事项目清单.csv", "other", FALSE, error);
          break;
        case MS_REPORT:
        case MS_SPOT:
        default:
          ok = rng_chance (rng, 0.5)
            ? write_attachment (d, p, id, "活动签到表.pdf", "other", TRUE, error)
            : write_attachment (d, p, id, "活动照片集.pdf", "illustration", TRUE, error);
          break;
        }
      if (!ok)
        return FALSE;
    }

  if (state == RS_DRAFT)
    return TRUE;

  g_clear_pointer (&record, procura_record_unref);
  record = procura_record_new (d->e_report, id);
  procura_record_set_string (record, "state", "submitted");
  stamp_day (record, "submitted_at", m->submit_at, 2);
  if (!procura_store_update (d->store, record, error))
    return FALSE;

  if (m->return_at != NEVER && state != RS_SUBMITTED)
    {
      g_autofree char *revised = NULL;

      act_as (d, p->buyer);
      g_clear_pointer (&record, procura_record_unref);
      record = procura_record_new (d->e_report, id);
      procura_record_set_string (record, "state", "returned");
      procura_record_set_string (record, "review_comment", PICK (rng, review_comments));
      stamp_day (record, "reviewed_at", m->return_at, 6);
      if (!procura_store_update (d->store, record, error))
        return FALSE;
      if (state == RS_RETURNED)
        return TRUE;

      act_as (d, p->agency);
      revised = g_strconcat (narrative, "已根据审核意见补充完善相关材料。", NULL);
      g_clear_pointer (&record, procura_record_unref);
      record = procura_record_new (d->e_report, id);
      procura_record_set_string (record, "state", "submitted");
      procura_record_set_string (record, "narrative", revised);
      stamp_day (record, "submitted_at", m->resubmit_at, 3);
      if (!procura_store_update (d->store, record, error))
        return FALSE;
    }

  if (state != RS_ACCEPTED)
    return TRUE;

  act_as (d, p->buyer);
  pin_today (d, m->accept_at);
  g_clear_pointer (&record, procura_record_unref);
  record = procura_record_new (d->e_report, id);
  procura_record_set_string (record, "state", "accepted");
  stamp_day (record, "reviewed_at", m->accept_at, 7);
  if (rng_chance (rng, 0.3))
    procura_record_set_string (record, "review_comment", PICK (rng, accept_comments));

  return procura_store_update (d->store, record, error);
}

static gboolean
write_evaluation (Demo        *d,
                  Project     *p,
                  const char  *kind,
                  Org         *evaluator,
                  guint32      on,
                  gboolean     finalise,
                  GError     **error)
{
  static const CritTable self_table = { crit_self, G_N_ELEMENTS (crit_self), 1 };
  g_autoptr(ProcuraRecord) record = NULL;
  Rng *rng = &p->rng;
  const CritTable *table;
  char id[ID_LEN];
  char row_ids[16][ID_LEN];
  gint64 total = 0;

  if (strcmp (kind, "self") == 0)
    table = &self_table;
  else
    {
      guint weights[G_N_ELEMENTS (crit_tables)];

      for (guint i = 0; i < G_N_ELEMENTS (crit_tables); i++)
        weights[i] = crit_tables[i].weight;
      table = &crit_tables[rng_weighted (rng, weights, G_N_ELEMENTS (weights))];
    }

  act_as (d, evaluator);
  rng_uuid (rng, &d->next_id, id);
  record = procura_record_new (d->e_evaluation, id);
  procura_record_set_string (record, "project_id", p->id);
  procura_record_set_string (record, "kind", kind);
  procura_record_set_string (record, "evaluator_org_id", evaluator->id);
  set_date (record, "date", on);
  if (!procura_store_insert (d->store, record, error))
    return FALSE;

  for (guint i = 0; i < table->n_rows; i++)
    {
      g_autoptr(ProcuraRecord) row = NULL;
      const CritDef *def = &table->rows[i];
      gboolean leaf = TRUE;
      guint position = 0;

      for (guint j = 0; j < table->n_rows; j++)
        {
          if (table->rows[j].parent == (int) i)
            leaf = FALSE;
          if (j < i && table->rows[j].parent == def->parent)
            position++;
        }

      rng_uuid (rng, &d->next_id, row_ids[i]);
      row = procura_record_new (d->e_criterion, row_ids[i]);
      procura_record_set_string (row, "project_id", p->id);
      procura_record_set_string (row, "evaluation_id", id);
      if (def->parent >= 0)
        procura_record_set_string (row, "parent_id", row_ids[def->parent]);
      procura_record_set_int (row, "level", def->parent >= 0 ? 2 : 1);
      procura_record_set_int (row, "position", position);
      procura_record_set_string (row, "name", def->name);
      procura_record_set_int (row, "weight", def->weight * 100);
      if (leaf && finalise)
        {
          double rate = p->quality + (rng_unit (rng) - 0.6) * 0.2;
          gint64 score;

          rate = CLAMP (rate, 0.4, 1.0);
          score = (gint64) (def->weight * 100 * rate / 50.0) * 50;  /* half points */

          procura_record_set_int (row, "score", score);
          total += score;
        }
      if (!procura_store_insert (d->store, row, error))
        return FALSE;
    }

  if (!finalise)
    return TRUE;

  g_clear_pointer (&record, procura_record_unref);
  record = procura_record_new (d->e_evaluation, id);
  procura_record_set_string (record, "status", "final");
  procura_record_set_string (record, "comment",
                             total >= 9000 ? "项目管理规范，服务成效显著，服务对象满意度高。" :
                             total >= 8000 ? "项目整体运行良好，建议进一步加强服务成效的量化记录。" :
                             total >= 6000 ? "项目基本完成合同约定服务内容，台账资料不够完整，需限期整改。" :
                                             "服务指标完成率偏低，资金使用不够规范，需重点整改。");

  return procura_store_update (d->store, record, error);
}

/* An evaluation tied to a milestone happens shortly before it is due. */
static gboolean
write_milestone_evaluation (Demo     *d,
                            Project  *p,
                            const Ms *m,
                            GError  **error)
{
  const char *kind;
  guint32 on;

  /* Most mid-term reviews are done by the officer from the report alone,
   * without a scored third-party evaluation. */
  if (m->kind == MS_MIDTERM && rng_chance (&p->rng, 0.35))
    kind = "midterm";
  else if (m->kind == MS_FINAL)
    kind = "final";
  else if (m->kind == MS_SPOT)
    kind = "spot_check";
  else
    return TRUE;

  /* The evaluation comes before the report that carries it. */
  on = m->due - (guint32) rng_range (&p->rng, 0, 12);
  if (m->submit_at != NEVER)
    {
      guint32 before = m->submit_at - (guint32) rng_range (&p->rng, 1, 5);

      on = MIN (on, before);
    }
  on = MAX (on, p->start);
  if (on <= p->cutoff)
    return write_evaluation (d, p, kind, p->evaluator, on, TRUE, error);
  if (on <= p->cutoff + 20 && p->fate == FATE_ACTIVE)
    return write_evaluation (d, p, kind, p->evaluator, on, FALSE, error);

  return TRUE;
}

static gboolean
write_payment (Demo     *d,
               Project  *p,
               Tranche  *t,
               GError  **error)
{
  g_autoptr(ProcuraRecord) changes = NULL;
  Rng *rng = &p->rng;
  guint32 payable_on, paid_on;
  char voucher[32];

  if (t->milestone >= 0)
    {
      const Ms *m = &p->ms[t->milestone];

      /* Its milestone's acceptance made it payable (the cascade). */
      if (report_state (m, p->cutoff) != RS_ACCEPTED)
        return TRUE;
      payable_on = m->accept_at;
    }
  else
    {
      payable_on = p->signed_on + (guint32) rng_range (rng, 0, 7);
      if (payable_on > p->pay_cutoff)
        return TRUE;
      act_as (d, p->buyer);
      changes = procura_record_new (d->e_payment, t->id);
      procura_record_set_string (changes, "status", "payable");
      if (!procura_store_update (d->store, changes, error))
        return FALSE;
      g_clear_pointer (&changes, procura_record_unref);
    }

  paid_on = payable_on + (guint32) rng_range (rng, 7, 45);
  if (paid_on > p->pay_cutoff)
    return TRUE;
  if (paid_on + 120 > d->today && rng_chance (rng, 0.15))
    return TRUE;  /* still waiting for the treasury */

  g_snprintf (voucher, sizeof voucher, "记-%d-%04d", jd_year (paid_on), rng_range (rng, 1, 2400));
  act_as (d, p->buyer);
  changes = procura_record_new (d->e_payment, t->id);
  procura_record_set_string (changes, "status", "paid");
  set_date (changes, "paid_date", paid_on);
  procura_record_set_int (changes, "paid_amount", t->amount);
  procura_record_set_string (changes, "voucher_no", voucher);
  t->paid = TRUE;

  return procura_store_update (d->store, changes, error);
}

static const char *
activity_community (Project *p)
{
  Rng *rng = &p->rng;
  const Street *street;

  if (p->community >= 0)
    return p->area;
  street = &streets[p->street >= 0 ? (guint) p->street : rng_below (rng, G_N_ELEMENTS (streets))];
  return street->communities[rng_below (rng, street_n_communities (street))];
}

static gboolean
write_activities (Demo     *d,
                  Project  *p,
                  GError  **error)
{
  static const guint kind_weights[] = { 20, 25, 35, 12, 8 };
  Rng *rng = &p->rng;
  guint32 until = MIN (p->end_eff, p->cutoff);
  gboolean meetings = p->category == CAT_GOVERNANCE || p->category == CAT_COMPREHENSIVE;
  guint n;

  p->n_meetings = 0;
  if (p->start > until)
    return TRUE;

  n = (guint) rng_range (rng, 1, 4) + (guint) (p->years - 1);
  n = MAX (1, n * (until - p->start + 1) / (p->end_eff - p->start + 1));

  act_as (d, p->agency);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ProcuraRecord) record = NULL;
      guint kind = rng_weighted (rng, kind_weights, G_N_ELEMENTS (kind_weights));
      const char *community = activity_community (p);
      guint32 on = p->start + rng_below (rng, until - p->start + 1);
      gint64 residents, volunteers, staff;
      char title[160];
      char location[96];
      char note[256];
      char id[ID_LEN];
      int y, m, day;

      /* Consultation work shows up as meetings in the projects that do it. */
      if (meetings && i == 0)
        kind = 1;
      else if (!meetings && kind == 1)
        kind = 2;

      jd_split (on, &y, &m, &day);
      note[0] = '\0';
      switch (kind)
        {
        case 0:
          /* Early in the month: the survey of what residents need most. */
          on = jd_make (y, m, rng_range (rng, 1, 10));
          g_snprintf (title, sizeof title, "%d月居民需求问卷调查（线上+线下）", m);
          g_snprintf (location, sizeof location, "%s各小区", community);
          residents = rng_range (rng, 80, 450);
          volunteers = rng_range (rng, 3, 12);
          staff = rng_range (rng, 1, 3);
          g_snprintf (note, sizeof note, "回收有效问卷%" G_GINT64_FORMAT "份", residents);
          break;
        case 1:
          /* Late in the month: the consultation meeting. */
          on = jd_make (y, m, rng_range (rng, 20, 28));
          on = MIN (on, until);
          on = MAX (on, p->start);
          jd_split (on, &y, &m, &day);
          g_snprintf (title, sizeof title, "%s%d月社区事务协商议事会", community, m);
          g_snprintf (location, sizeof location, "%s议事厅", community);
          residents = rng_range (rng, 8, 25);
          volunteers = rng_range (rng, 2, 6);
          staff = rng_range (rng, 3, 8);
          g_snprintf (note, sizeof note, "参会：社区、城管、物业、志愿者、居民代表；议题：%s、%s",
                      PICK (rng, topics).topic, PICK (rng, topics).topic);
          break;
        case 2:
          g_snprintf (title, sizeof title, "%s", PICK (rng, event_titles));
          g_snprintf (location, sizeof location, "%s文化广场", community);
          residents = rng_range (rng, 30, 220);
          volunteers = rng_range (rng, 5, 30);
          staff = rng_range (rng, 2, 6);
          break;
        case 3:
          g_snprintf (title, sizeof title, "%s", PICK (rng, visit_titles));
          g_snprintf (location, sizeof location, "%s居民家中", community);
          residents = rng_range (rng, 5, 30);
          volunteers = rng_range (rng, 0, 6);
          staff = rng_range (rng, 1, 3);
          break;
        default:
          g_snprintf (title, sizeof title, "%s", PICK (rng, training_titles));
          g_snprintf (location, sizeof location, "%s党群服务中心", community);
          residents = rng_range (rng, 15, 60);
          volunteers = rng_range (rng, 0, 10);
          staff = rng_range (rng, 1, 4);
          break;
        }
      on = CLAMP (on, p->start, until);

      rng_uuid (rng, &d->next_id, id);
      record = procura_record_new (d->e_activity, id);
      procura_record_set_string (record, "project_id", p->id);
      procura_record_set_string (record, "kind",
                                 (const char *[]) { "survey", "consultation_meeting", "event", "visit", "training" }[kind]);
      procura_record_set_string (record, "title", title);
      set_date (record, "date", on);
      procura_record_set_string (record, "location", location);
      procura_record_set_string (record, "community", community);
      procura_record_set_int (record, "participants", residents + volunteers + staff);
      procura_record_set_int (record, "residents", residents);
      procura_record_set_int (record, "volunteers", volunteers);
      procura_record_set_int (record, "partner_staff", staff);
      if (note[0] != '\0')
        procura_record_set_string (record, "note", note);
      if (!procura_store_insert (d->store, record, error))
        return FALSE;

      if (kind == 1 && p->n_meetings < G_N_ELEMENTS (p->meetings))
        {
          memcpy (p->meetings[p->n_meetings], id, ID_LEN);
          p->meeting_days[p->n_meetings++] = on;
        }
    }

  return TRUE;
}

static gboolean
set_consultation_status (Demo        *d,
                         const char  *id,
                         const char  *status,
                         const char  *resolution,
                         GError     **error)
{
  g_autoptr(ProcuraRecord) changes = procura_record_new (d->e_consultation, id);

  procura_record_set_string (changes, "status", status);
  if (resolution != NULL)
    procura_record_set_string (changes, "resolution", resolution);

  return procura_store_update (d->store, changes, error);
}

static gboolean
write_consultations (Demo     *d,
                     Project  *p,
                     GError  **error)
{
  static const char * const sources[] = { "online_survey", "online_survey", "offline_visit", "resident_report", "other" };
  Rng *rng = &p->rng;
  guint32 until = MIN (p->end_eff, p->cutoff);
  guint n;

  if (p->start > until)
    return TRUE;
  if (p->category == CAT_GOVERNANCE)
    n = (guint) rng_range (rng, 3, 6);
  else if (p->category == CAT_COMPREHENSIVE)
    n = (guint) rng_range (rng, 1, 3);
  else
    n = rng_chance (rng, 0.3) ? 1 : 0;

  act_as (d, p->agency);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ProcuraRecord) record = NULL;
      const Topic *topic = &PICK (rng, topics);
      const char *meeting = NULL;
      guint32 on;
      char month[8];
      char raised[64];
      char id[ID_LEN];
      int y, m, age;

      if (p->n_meetings > 0 && rng_chance (rng, 0.75))
        {
          guint k = rng_below (rng, p->n_meetings);

          meeting = p->meetings[k];
          on = p->meeting_days[k];
        }
      else
        on = p->start + rng_below (rng, until - p->start + 1);
      jd_split (on, &y, &m, NULL);
      g_snprintf (month, sizeof month, "%04d-%02d", y, m);
      if (rng_chance (rng, 0.4))
        g_snprintf (raised, sizeof raised, "%d栋居民代表", rng_range (rng, 1, 28));
      else
        g_snprintf (raised, sizeof raised, "%s", PICK (rng, raisers));

      rng_uuid (rng, &d->next_id, id);
      record = procura_record_new (d->e_consultation, id);
      procura_record_set_string (record, "project_id", p->id);
      procura_record_set_string (record, "month", month);
      procura_record_set_string (record, "source", PICK (rng, sources));
      procura_record_set_string (record, "topic", topic->topic);
      procura_record_set_string (record, "raised_by", raised);
      procura_record_set_string (record, "parties", PICK (rng, party_sets));
      if (meeting != NULL)
        procura_record_set_string (record, "meeting_id", meeting);
      if (!procura_store_insert (d->store, record, error))
        return FALSE;

      /* How far it got depends on how long ago it was raised. */
      age = (int) ((p->cutoff - on) / 30);
      if (age < 1 && rng_chance (rng, 0.5))
        continue;
      if (age >= 3 && rng_chance (rng, 0.08))
        {
          if (!set_consultation_status (d, id, "unresolved", "经多次协商未能达成一致，已上报街道协调解决", error))
            return FALSE;
          continue;
        }
      if (!set_consultation_status (d, id, "agreed", topic->resolution, error))
        return FALSE;
      if (age < 1)
        continue;
      if (age < 3 || rng_chance (rng, 0.25))
        {
          if (!set_consultation_status (d, id, "in_progress", NULL, error))
            return FALSE;
          if (age < 3 || rng_chance (rng, 0.1))
            continue;
        }
      if (!set_consultation_status (d, id, "resolved", NULL, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_termination (Demo     *d,
                   Project  *p,
                   GError  **error)
{
  static const char * const reasons[] = {
    "承接机构人员变动较大，无法继续履约，经双方协商一致提前终止合同",
    "服务区域调整，经双方协商提前终止合同",
    "中期评估不合格且整改未达要求，依约提前终止合同",
  };
  g_autoptr(ProcuraRecord) changes = NULL;
  Rng *rng = &p->rng;
  gint64 paid = 0;
  gint64 amended = p->value + (p->amend == AMEND_INCREASE ? p->amend_delta : 0);
  gint64 cut;

  for (guint i = 0; i < p->n_tr; i++)
    if (p->tr[i].paid)
      paid += p->tr[i].amount;

  /* What was not paid is released by the termination agreement. */
  act_as (d, p->buyer);
  cut = (amended - paid) * rng_range (rng, 70, 100) / 100 / 10000 * 10000;
  if (cut > 0)
    {
      g_autofree char *money = procura_money_format (cut);
      g_autofree char *description = g_strdup_printf ("签订终止协议，核减合同金额%s", money);

      if (!write_amendment (d, p, PICK (rng, reasons), description, -cut, p->cutoff, 0, error))
        return FALSE;
    }

  changes = procura_record_new (d->e_project, p->id);
  procura_record_set_string (changes, "status", "terminated");
  return procura_store_update (d->store, changes, error);
}

static gboolean
write_project (Demo     *d,
               Project  *p,
               GError  **error)
{
  Rng *rng = &p->rng;
  const Ms *final;

  act_as (d, p->buyer);
  if (!write_project_draft (d, p, error))
    return FALSE;

  if (p->fate == FATE_CANCELLED)
    {
      static const char * const reasons[] = {
        "（已撤销：采购需求调整，服务内容并入全区统一购买服务项目）",
        "（已撤销：预算调整，本年度暂不实施）",
        "（已撤销：磋商失败，重新组织采购）",
      };
      g_autoptr(ProcuraRecord) changes = procura_record_new (d->e_project, p->id);
      Vars vars = { 0 };
      g_autofree char *description = NULL;

      vars_set (&vars, 'a', p->area);
      g_string_truncate (d->scratch, 0);
      expand (d->scratch, categories[p->category].description, &vars);
      g_string_append (d->scratch, PICK (rng, reasons));
      description = g_strdup (d->scratch->str);
      procura_record_set_string (changes, "status", "cancelled");
      procura_record_set_string (changes, "description", description);
      return procura_store_update (d->store, changes, error);
    }

  plan_milestones (d, p);
  plan_tranches (d, p);
  /* Drafts may not have their plan entered yet. */
  if ((p->fate != FATE_DRAFT || rng_chance (rng, 0.8)) && !write_plan (d, p, error))
    return FALSE;
  if ((p->fate != FATE_DRAFT || rng_chance (rng, 0.5)) && !write_indicator_plan (d, p, error))
    return FALSE;
  if (p->fate == FATE_DRAFT)
    return TRUE;

  if (!write_activation (d, p, error) ||
      !write_supplementary (d, p, error))
    return FALSE;

  plan_timeline (d, p);
  for (guint i = 0; i < p->n_tr; i++)
    if (p->tr[i].milestone < 0 && !write_payment (d, p, &p->tr[i], error))
      return FALSE;

  for (guint i = 0; i < p->n_ms; i++)
    {
      Ms *m = &p->ms[i];

      if (!write_milestone_evaluation (d, p, m, error) ||
          !write_report (d, p, m, error))
        return FALSE;
      for (guint j = 0; j < p->n_tr; j++)
        if (p->tr[j].milestone == (int) i && !write_payment (d, p, &p->tr[j], error))
          return FALSE;
    }

  /* Agencies' own self-evaluations, half-way through. */
  if (rng_chance (rng, 0.05))
    {
      guint32 on = p->start + (p->end - p->start) / 2;

      if (on <= p->cutoff && !write_evaluation (d, p, "self", p->agency, on, TRUE, error))
        return FALSE;
    }

  act_as (d, p->agency);
  if (!write_indicator_actuals (d, p, error) ||
      !write_activities (d, p, error) ||
      !write_consultations (d, p, error))
    return FALSE;

  if (p->fate == FATE_TERMINATED)
    return write_termination (d, p, error);

  /* Completed once the final milestone is accepted and evaluated. */
  final = &p->ms[p->n_ms - 1];
  if (report_state (final, p->cutoff) == RS_ACCEPTED &&
      final->accept_at + 20 <= d->today)
    {
      g_autoptr(ProcuraRecord) changes = procura_record_new (d->e_project, p->id);

      act_as (d, p->buyer);
      if (rng_chance (rng, 0.3))
        {
          if (!write_attachment (d, p, NULL, "项目结项验收意见书.pdf", "completionCertificate", FALSE, error))
            return FALSE;
        }
      procura_record_set_string (changes, "status", "completed");
      return procura_store_update (d->store, changes, error);
    }

  return TRUE;
}

/* ---- entry point --------------------------------------------------------------- */

static void
demo_clear (Demo *d)
{
  /* Leave the store as the caller had it: its today and its actor. */
  procura_store_set_today (d->store, d->today_was_real ? NULL : d->orig_today);
  procura_store_set_actor (d->store, d->orig_actor);

  g_clear_pointer (&d->orig_today, g_free);
  g_clear_pointer (&d->orig_actor, g_free);
  g_clear_pointer (&d->agencies, g_ptr_array_unref);
  g_clear_pointer (&d->evaluators, g_ptr_array_unref);
  g_clear_pointer (&d->orgs, g_ptr_array_unref);
  g_clear_pointer (&d->taken, g_hash_table_unref);
  g_clear_pointer (&d->samples, g_hash_table_unref);
  g_clear_pointer (&d->titles, g_hash_table_unref);
  g_clear_pointer (&d->chunk, g_string_chunk_free);
  if (d->scratch != NULL)
    g_string_free (g_steal_pointer (&d->scratch), TRUE);
}

gboolean
procura_demo_generate (ProcuraStore         *store,
                       guint                 n_projects,
                       guint64               seed,
                       ProcuraDemoProgress   progress,
                       gpointer              user_data,
                       GError              **error)
{
  g_autofree char *real_today = NULL;
  Demo demo = { 0 };
  Demo *d = &demo;
  guint done = 0;

  g_return_val_if_fail (PROCURA_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_projects == 0)
    return TRUE;

  d->store = store;
  d->seed = seed;
  {
    guint64 x = seed;

    /* below 2^47: the counter never wraps */
    d->next_id = splitmix64 (&x) & G_GUINT64_CONSTANT (0x7FFFFFFFFFFF);
  }
  d->orig_today = procura_store_dup_today (store);
  d->orig_actor = g_strdup (procura_store_get_actor (store));
  real_today = procura_date_today ();
  /* There is no getter for "not pinned"; the real date is the same thing. */
  d->today_was_real = g_strcmp0 (real_today, d->orig_today) == 0;
  if (!jd_parse (d->orig_today, &d->today) && !jd_parse (real_today, &d->today))
    d->today = jd_make (2026, 1, 1);
  d->last_year = jd_year (d->today);
  d->first_year = d->last_year - 10;
  {
    int y, m;

    jd_split (d->today, &y, &m, NULL);
    if (m >= 10)
      d->last_year++;  /* next year's purchases are being prepared */
  }

  d->orgs = g_ptr_array_new_with_free_func (org_free);
  d->agencies = g_ptr_array_new ();
  d->evaluators = g_ptr_array_new ();
  d->taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  d->samples = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) demo_sample_free);
  d->titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  d->chunk = g_string_chunk_new (4096);
  d->scratch = g_string_new (NULL);
  d->e_org = PROCURA_ENTITY_ORGANIZATION;
  d->e_scheme = PROCURA_ENTITY_GRADE_SCHEME;
  d->e_project = PROCURA_ENTITY_PROJECT;
  d->e_amendment = PROCURA_ENTITY_AMENDMENT;
  d->e_milestone = PROCURA_ENTITY_MILESTONE;
  d->e_payment = PROCURA_ENTITY_PAYMENT;
  d->e_report = PROCURA_ENTITY_REPORT;
  d->e_attachment = PROCURA_ENTITY_ATTACHMENT;
  d->e_evaluation = PROCURA_ENTITY_EVALUATION;
  d->e_criterion = PROCURA_ENTITY_CRITERION;
  d->e_indicator = PROCURA_ENTITY_INDICATOR;
  d->e_period = PROCURA_ENTITY_INDICATOR_PERIOD;
  d->e_activity = PROCURA_ENTITY_ACTIVITY;
  d->e_consultation = PROCURA_ENTITY_CONSULTATION;

  if (!procura_store_begin (store, error))
    {
      demo_clear (d);
      return FALSE;
    }
  if (!create_organizations (d, n_projects, error) ||
      !procura_store_commit (store, error))
    {
      procura_store_rollback (store);
      demo_clear (d);
      return FALSE;
    }

  while (done < n_projects)
    {
      guint batch_end = MIN (done + PROJECTS_PER_BATCH, n_projects);

      if (!procura_store_begin (store, error))
        {
          demo_clear (d);
          return FALSE;
        }

      for (guint i = done; i < batch_end; i++)
        {
          Project project;
          Project *p = &project;

          memset (p, 0, sizeof *p);
          rng_init (&p->rng, seed, G_GUINT64_CONSTANT (0x100000000) + i);
          g_string_chunk_clear (d->chunk);
          project_choose (d, p);

          if (!write_project (d, p, error))
            {
              g_prefix_error (error, "%s %s “%s”: ", procura_entity_get_label (d->e_project),
                              p->code, p->title);
              procura_store_rollback (store);
              demo_clear (d);
              return FALSE;
            }
        }

      if (!procura_store_commit (store, error))
        {
          demo_clear (d);
          return FALSE;
        }

      done = batch_end;
      if (progress != NULL)
        progress (done, n_projects, user_data);
    }

  demo_clear (d);
  return TRUE;
}
