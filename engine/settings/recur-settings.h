/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "recur-job-config.h"

G_BEGIN_DECLS

/* The schema of settings: one entry per field of RecurJobConfig, the single description from
 * which the configuration's JSON, `recur`'s options and their --help, the sweep's parameters,
 * the weights files' metadata keys, the panel's controls and the runs table's columns are made.
 * Defaults are not copied here: they are read from an initialised configuration
 * (recur_job_config_init, with the cell's and the optimiser's own defaults), so that the
 * init functions stay their one home. Adding a setting is one entry in recur-settings.c plus
 * the code that uses the value. */

typedef enum
{
  RECUR_SETTING_UINT,
  RECUR_SETTING_DOUBLE,
  RECUR_SETTING_FLOAT,
  RECUR_SETTING_BOOL,
  RECUR_SETTING_CHOICE,   /* an enum, written as the name of its value */
  RECUR_SETTING_SEED,     /* guint64: an integer, or a decimal string above G_MAXINT64 */
  RECUR_SETTING_COLUMN,   /* a string, or none */
  RECUR_SETTING_LIST,     /* a list of integers (RecurSettingList): the clockwork periods */
  RECUR_SETTING_NAMES,    /* a list of column names, a char ** (NULL-terminated, or NULL for
                           * none) at the offset: "a,b" as text (a comma inside a name as
                           * "\,", a backslash as "\\"), an array of strings in JSON */
} RecurSettingKind;

typedef enum
{
  RECUR_SETTING_GROUP_DATA,
  RECUR_SETTING_GROUP_MODEL,
  RECUR_SETTING_GROUP_TRAINING,
  RECUR_SETTING_GROUP_FORECAST,
} RecurSettingGroup;

typedef enum
{
  RECUR_SETTING_LO_OPEN   = 1 << 0, /* the lower bound itself is out of range */
  RECUR_SETTING_HI_OPEN   = 1 << 1,
  RECUR_SETTING_SWEEPABLE = 1 << 2, /* `recur sweep` and the sweep dialog can vary it */
  RECUR_SETTING_INTERNAL  = 1 << 3, /* set by the data, not by the user: JSON only */
  RECUR_SETTING_LOG_SCALE = 1 << 4, /* a control shows it on a log scale (ridge, lr) */
  RECUR_SETTING_NEGATED   = 1 << 5, /* BOOL: the option turns it off (`--no-bias`) */
  RECUR_SETTING_STACKED   = 1 << 6, /* applies only with more than one layer (dropout) */
  RECUR_SETTING_ADVANCED  = 1 << 7, /* the panel keeps it under "Advanced" (Adam's betas) */
  RECUR_SETTING_MEMBERS   = 1 << 8, /* applies only to an ensemble (member windows) */
  RECUR_SETTING_GIVEN_BOX_COX = 1 << 9, /* applies only with --box-cox given (its λ) */
} RecurSettingFlags;

/* A LIST setting: from min_count to max_count integers in [lo, hi], a guint array at the
 * setting's offset and their count, a guint, at count_offset. */
typedef struct
{
  gsize       count_offset;
  guint       min_count, max_count;
  guint       lo, hi;
  gboolean    non_decreasing;
  const char *expected;        /* N_(): "a list of periods such as 1,2,4,8" */
  const char *json_expected;   /* N_(): "a list of periods such as [1, 2, 4, 8]" */
  const char *invalid;         /* N_(), of the option or field and max_count: "%s: expected 1
                                * to %u non-decreasing periods from 1 to 100000" */
} RecurSettingList;

typedef struct
{
  const char        *name;         /* the JSON field and the option: "hidden", "weight-decay" */
  RecurSettingKind   kind;
  RecurSettingGroup  group;
  gsize              offset;       /* into RecurJobConfig (not COLUMN) */
  double             lo, hi;       /* numeric kinds: the valid range */
  guint              flags;        /* RecurSettingFlags */
  const char *const *choices;      /* CHOICE: NULL-terminated, in the enum's order */
  const char *const *choice_labels;/* CHOICE: N_() names for people, in the same order */
  const char        *label;        /* N_(): the panel's row title, "Hidden units" */
  const char        *description;  /* N_(): one line, the option's help and the tooltip */
  const char        *default_text; /* N_(): shown for a default that is not a value, or NULL */
  guint              cells;        /* bit (1 << RecurCellKind); 0: every cell */
  guint              optimizers;   /* bit (1 << RecurOptimizerKind); 0: every optimiser */
  guint              schedules;    /* bit (1 << RecurScheduleKind); 0: every schedule */
  char               short_name;   /* the option's letter, or 0 */
  const char        *metavar;      /* the option's argument in --help: "N", "X", "NAME" */
  const char        *alias;        /* a second option for the ESN's hidden: "reservoir" */
  const char        *alias_description; /* N_(): the alias's help, without the default */
  guint              alias_cells;  /* the cells the alias applies to */
  const char        *weights_key;  /* "recur.hidden_size", or NULL: not in weights files */
  double             soft_lo, soft_hi; /* a control's usual span (a slider's ends); the valid
                                        * range is still accepted (typed in, or loaded) */
  double             step;         /* a control's step */
  guint              digits;       /* decimals a control shows */
  const RecurSettingList *list;    /* LIST: its shape */
} RecurSetting;

/* Every setting, in the configuration's order; n receives the count. */
const RecurSetting *recur_settings_list   (guint              *n);
/* By JSON name or alias ("reservoir"); NULL if none. */
const RecurSetting *recur_settings_find   (const char         *name);
/* Whether name is the setting's second option name ("reservoir" for hidden). */
gboolean            recur_setting_is_alias (const RecurSetting *setting,
                                            const char         *name);

/* Whether the setting does anything with this configuration: its cell, optimiser and schedule
 * are among those it applies to, and dropout has layers to go between. */
gboolean recur_setting_applies      (const RecurSetting   *setting,
                                     const RecurJobConfig *config);
/* Whether it is an option of one cell only (an ESN's leak, a Jordan network's feedback). */
gboolean recur_setting_is_cell_only    (const RecurSetting *setting);
/* Whether it applies to this cell, whatever the rest. */
gboolean recur_setting_applies_to_cell (const RecurSetting *setting,
                                        RecurCellKind       cell);

/* A numeric setting's value as a double (UINT, DOUBLE, FLOAT, SEED below 2^53, BOOL 0/1,
 * CHOICE its index); NAN for COLUMN and LIST. */
double   recur_setting_get_number   (const RecurSetting   *setting,
                                     const RecurJobConfig *config);
/* The value as text, as an option takes it and the runs table shows it: "32", "0.003",
 * "lstm", "true", "1,2,4,8", the column's name or "" when none. */
char    *recur_setting_format_value (const RecurSetting   *setting,
                                     const RecurJobConfig *config);
/* The default as --help shows it, with the cells and optimisers whose default differs:
 * "32, esn 100", "0, adamw 0.01", "direct, jordan recursive". */
char    *recur_setting_format_default (const RecurSetting *setting);
/* "1 ≤ hidden ≤ 8192", "lr > 0"; NULL for kinds without a range. */
char    *recur_setting_format_range (const RecurSetting   *setting);
/* Whether v is within the valid range (numeric kinds). */
gboolean recur_setting_in_range     (const RecurSetting   *setting,
                                     double                v);

/* Sets the setting from text as an option takes it ("32", "adamw", "1,2,4,8", "true"), with
 * the schema's checks; config is unchanged on failure. option names where the text came from
 * for the messages: NULL for a field of a file ("“hidden”: 0 is out of range (1 ≤ hidden ≤
 * 8192)"), "--hidden" for an option ("--hidden must be at least 1, not 0 (1 ≤ hidden ≤
 * 8192)"); the range and the choices come from the schema either way. A cell or an optimiser
 * sets only that field: the caller applies the kind's defaults. Errors are
 * RECUR_JOB_CONFIG_ERROR_TYPE or _VALUE. */
gboolean recur_setting_parse        (const RecurSetting   *setting,
                                     const char           *text,
                                     const char           *option,
                                     RecurJobConfig       *config,
                                     GError              **error);
/* The same from a JSON value. */
gboolean recur_setting_read_json    (const RecurSetting   *setting,
                                     JsonNode             *node,
                                     const char           *option,
                                     RecurJobConfig       *config,
                                     GError              **error);
/* Adds the value to an object being built (the member name is the caller's). */
void     recur_setting_write_json   (const RecurSetting   *setting,
                                     const RecurJobConfig *config,
                                     JsonBuilder          *builder);
/* The field's own checks on a configuration built in memory. */
gboolean recur_setting_validate     (const RecurSetting   *setting,
                                     const RecurJobConfig *config,
                                     GError              **error);

G_END_DECLS
